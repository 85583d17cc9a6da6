import assert from 'node:assert/strict'
import { test } from 'node:test'
import { evaluatePolicy, NO_CPU_NOTE, NO_IDLE_NOTE, NO_POWER_NOTE, policyNeeds, stateText, type PolicyReadings } from '../../../src/node/volunteer/policy/engine.ts'
import { DEFAULT_POLICY, UI_DEFAULT_POLICY, defaultPolicy, type VolunteerPolicy } from '../../../src/node/volunteer/policy/policy.ts'

/** Local time, so that the schedule's answers hold in any time zone; 7 December 2026 is a Monday. */
const MON_NOON = new Date(2026, 11, 7, 12, 0).getTime()
const idlePolicy: VolunteerPolicy = { ...DEFAULT_POLICY, when: 'idle' }
const allGood: PolicyReadings = { now: MON_NOON, idle: { idleMs: 10 * 60_000 }, power: { onBattery: false }, cpu: { percent: 5 } }

test('the defaults: always headless, idle in the UI, 3 minutes, pause on battery and while active', () => {
  assert.deepEqual(defaultPolicy('headless'), DEFAULT_POLICY)
  assert.deepEqual(defaultPolicy('ui'), UI_DEFAULT_POLICY)
  assert.equal(DEFAULT_POLICY.when, 'always')
  assert.equal(UI_DEFAULT_POLICY.when, 'idle')
  assert.equal(DEFAULT_POLICY.idleAfterMs, 180_000)
  assert.equal(DEFAULT_POLICY.onBattery, 'pause')
  assert.equal(DEFAULT_POLICY.gpuWhenActive, 'pause')
})

test('with nothing against it, the machine computes', () => {
  const state = evaluatePolicy(DEFAULT_POLICY, allGood)
  assert.equal(state.compute, true)
  assert.equal(state.code, 'computing')
  assert.equal(state.reason, undefined)
  assert.deepEqual(state.pauses, [])
  assert.deepEqual(state.notes, [])
  assert.equal(stateText(state), 'computing')
})

test('a user at the keyboard pauses an idle-only volunteer until the idle time passes the threshold', () => {
  const active = evaluatePolicy(idlePolicy, { ...allGood, idle: { idleMs: 12_400 } })
  assert.equal(active.compute, false)
  assert.equal(active.code, 'active-user')
  assert.equal(active.reason, 'you are using this computer (idle 0:12 of 3:00)')
  assert.equal(stateText(active), 'paused: you are using this computer (idle 0:12 of 3:00)')
  assert.equal(evaluatePolicy(idlePolicy, { ...allGood, idle: { idleMs: 179_999 } }).compute, false)
  assert.equal(evaluatePolicy(idlePolicy, { ...allGood, idle: { idleMs: 180_000 } }).compute, true)
  assert.equal(evaluatePolicy({ ...idlePolicy, idleAfterMs: 60_000 }, { ...allGood, idle: { idleMs: 61_000 } }).compute, true)
  // `always` does not look at the user.
  assert.equal(evaluatePolicy(DEFAULT_POLICY, { ...allGood, idle: { idleMs: 0 } }).compute, true)
})

test('gpuWhenActive run: the user being active pauses nothing, and idle time is not even read', () => {
  const policy: VolunteerPolicy = { ...idlePolicy, gpuWhenActive: 'run' }
  assert.equal(policyNeeds(policy).idle, false)
  const state = evaluatePolicy(policy, { ...allGood, idle: { idleMs: 0 } })
  assert.equal(state.compute, true)
  assert.deepEqual(state.notes, [])
})

test('no idle detection: never a guess, computing by schedule only, with a note', () => {
  const unknown = { ...allGood, idle: { unavailable: 'no idle detection works here' } }
  const state = evaluatePolicy(idlePolicy, unknown)
  assert.equal(state.compute, true)
  assert.deepEqual(state.notes, [NO_IDLE_NOTE])
  assert.equal(NO_IDLE_NOTE, 'no idle detection works here: computing by schedule only')
  const scheduled = evaluatePolicy({ ...idlePolicy, schedule: 'mon-fri 18:00-08:00' }, unknown)
  assert.equal(scheduled.compute, false)
  assert.equal(scheduled.reason, 'outside schedule (resumes 18:00)')
  assert.deepEqual(scheduled.notes, [NO_IDLE_NOTE])
  // A reading not given at all counts the same.
  assert.deepEqual(evaluatePolicy(idlePolicy, { now: MON_NOON }).notes, [NO_POWER_NOTE, NO_IDLE_NOTE])
})

test('on battery pauses, unless told to run; an unknown battery is noted, not guessed', () => {
  const onBattery = { ...allGood, power: { onBattery: true } }
  const state = evaluatePolicy(DEFAULT_POLICY, onBattery)
  assert.equal(state.compute, false)
  assert.equal(state.code, 'battery')
  assert.equal(state.reason, 'on battery')
  assert.equal(evaluatePolicy({ ...DEFAULT_POLICY, onBattery: 'run' }, onBattery).compute, true)
  const unknown = evaluatePolicy(DEFAULT_POLICY, { ...allGood, power: { unavailable: 'no /sys/class/power_supply' } })
  assert.equal(unknown.compute, true)
  assert.deepEqual(unknown.notes, [NO_POWER_NOTE])
})

test('outside the schedule: resumes later today, or on another day', () => {
  const policy = { ...DEFAULT_POLICY, schedule: 'mon-fri 18:00-08:00, sat-sun' }
  const noon = evaluatePolicy(policy, allGood)
  assert.equal(noon.compute, false)
  assert.equal(noon.code, 'schedule')
  assert.equal(noon.reason, 'outside schedule (resumes 18:00)')
  assert.equal(noon.until, new Date(2026, 11, 7, 18, 0).getTime())
  assert.equal(evaluatePolicy(policy, { ...allGood, now: new Date(2026, 11, 7, 23, 30).getTime() }).compute, true)
  assert.equal(evaluatePolicy(policy, { ...allGood, now: new Date(2026, 11, 8, 7, 59).getTime() }).compute, true)
  assert.equal(evaluatePolicy(policy, { ...allGood, now: new Date(2026, 11, 8, 8, 0).getTime() }).compute, false)
  const monday = evaluatePolicy({ ...DEFAULT_POLICY, schedule: 'mon 18:00-20:00' }, { ...allGood, now: new Date(2026, 11, 12, 12, 0).getTime() })
  assert.equal(monday.reason, 'outside schedule (resumes mon 18:00)')
  const night = { ...DEFAULT_POLICY, schedule: 'sun 22:00-02:00' }
  assert.equal(evaluatePolicy(night, { ...allGood, now: new Date(2026, 11, 13, 23, 0).getTime() }).compute, true)
  assert.equal(evaluatePolicy(night, { ...allGood, now: new Date(2026, 11, 14, 1, 30).getTime() }).compute, true)
  assert.equal(evaluatePolicy(night, { ...allGood, now: new Date(2026, 11, 14, 2, 0).getTime() }).reason, 'outside schedule (resumes sun 22:00)')
})

test('other programs over the CPU limit pause; at the limit, or unknown, they do not', () => {
  const policy = { ...DEFAULT_POLICY, maxOtherCpu: 50 }
  const busy = evaluatePolicy(policy, { ...allGood, cpu: { percent: 73 } })
  assert.equal(busy.compute, false)
  assert.equal(busy.code, 'cpu')
  assert.equal(busy.reason, 'other programs are using the CPU')
  assert.equal(evaluatePolicy(policy, { ...allGood, cpu: { percent: 50 } }).compute, true)
  assert.equal(evaluatePolicy(DEFAULT_POLICY, { ...allGood, cpu: { percent: 100 } }).compute, true, 'off by default')
  const unknown = evaluatePolicy(policy, { ...allGood, cpu: { unavailable: 'no /proc' } })
  assert.equal(unknown.compute, true)
  assert.deepEqual(unknown.notes, [NO_CPU_NOTE])
})

test('a snooze beats everything until it expires', () => {
  const until = MON_NOON + 42 * 60_000
  const policy: VolunteerPolicy = { ...idlePolicy, snoozeUntil: until, schedule: 'mon-fri 18:00-08:00', maxOtherCpu: 10 }
  const everything = { now: MON_NOON, idle: { idleMs: 0 }, power: { onBattery: true }, cpu: { percent: 90 } }
  const snoozed = evaluatePolicy(policy, everything)
  assert.equal(snoozed.code, 'snoozed')
  assert.equal(snoozed.reason, 'snoozed for 42 min')
  assert.equal(snoozed.until, until)
  assert.deepEqual(snoozed.pauses.map(p => p.code), ['snoozed', 'schedule', 'battery', 'active-user', 'cpu'])
  assert.equal(evaluatePolicy(policy, { ...everything, now: until - 30_000 }).reason, 'snoozed for 1 min')
  // Expired: the next rule shows.
  const after = evaluatePolicy(policy, { ...everything, now: until })
  assert.equal(after.code, 'schedule')
  assert.equal(evaluatePolicy({ ...DEFAULT_POLICY, snoozeUntil: until }, { ...allGood, now: until + 1 }).compute, true)
})

test('several pauses: the first rule is the reason shown, all are listed', () => {
  const state = evaluatePolicy({ ...idlePolicy, maxOtherCpu: 10 }, { now: MON_NOON, idle: { idleMs: 5_000 }, power: { onBattery: true }, cpu: { percent: 90 } })
  assert.equal(state.reason, 'on battery')
  assert.deepEqual(state.pauses.map(p => p.reason), ['on battery', 'you are using this computer (idle 0:05 of 3:00)', 'other programs are using the CPU'])
})

test('only the readings a policy needs are asked for', () => {
  assert.deepEqual(policyNeeds(DEFAULT_POLICY), { idle: false, power: true, cpu: false })
  assert.deepEqual(policyNeeds({ ...idlePolicy, onBattery: 'run', maxOtherCpu: 20 }), { idle: true, power: false, cpu: true })
})
