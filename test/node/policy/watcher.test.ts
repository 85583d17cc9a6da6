import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_POLICY, type VolunteerPolicy } from '../../../src/node/volunteer/policy/policy.ts'
import { PolicyWatcher, type PolicyChange } from '../../../src/node/volunteer/policy/watcher.ts'
import type { CpuReading, IdleReading, PowerReading } from '../../../src/node/volunteer/policy/sources.ts'

const idlePolicy: VolunteerPolicy = { ...DEFAULT_POLICY, when: 'idle' }

/** Fake sources and a fake clock, all set by the test; counts the reads. */
function fakes (): {
  clock: { now: number }
  idle: { reading: IdleReading, reads: number, readIdle: () => Promise<IdleReading> }
  power: { reading: PowerReading, reads: number, pollMs?: number, readPower: () => Promise<PowerReading> }
  cpu: { reading: CpuReading, reads: number, readCpu: () => Promise<CpuReading> }
} {
  const idle = { reading: { idleMs: 0 } as IdleReading, reads: 0, readIdle: async () => { idle.reads++; return idle.reading } }
  const power = { reading: { onBattery: false } as PowerReading, reads: 0, readPower: async () => { power.reads++; return power.reading } }
  const cpu = { reading: { percent: 0 } as CpuReading, reads: 0, readCpu: async () => { cpu.reads++; return cpu.reading } }
  return { clock: { now: new Date(2026, 11, 7, 12, 0).getTime() }, idle, power, cpu }
}

/** The next `change` event, within `ms` (generous: these tests do not time the watcher). */
async function nextChange (watcher: PolicyWatcher, ms = 5_000): Promise<PolicyChange> {
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no change within ${ms} ms`)) }, ms)
    watcher.addEventListener('change', evt => {
      clearTimeout(timer)
      resolve(evt.detail)
    }, { once: true })
  })
}

test('start() evaluates at once; a change of a source is emitted on the next poll', async () => {
  const f = fakes()
  const watcher = new PolicyWatcher({ policy: idlePolicy, idle: f.idle, power: f.power, now: () => f.clock.now, intervalMs: 20 })
  const first = nextChange(watcher)
  const state = await watcher.start()
  try {
    assert.equal(state.code, 'active-user')
    assert.equal((await first).previous, undefined)
    assert.equal(watcher.state, state)

    f.idle.reading = { idleMs: 200_000 }
    const resumed = await nextChange(watcher)
    assert.equal(resumed.state.compute, true)
    assert.equal(resumed.previous?.code, 'active-user')

    f.power.reading = { onBattery: true }
    const battery = await nextChange(watcher)
    assert.equal(battery.state.reason, 'on battery')
  } finally {
    watcher.stop()
  }
})

test('the idle clock in the reason ticks, and each tick is a change; an equal state is not', async () => {
  const f = fakes()
  const watcher = new PolicyWatcher({ policy: idlePolicy, idle: f.idle, power: f.power, now: () => f.clock.now, intervalMs: 10 })
  await watcher.start()
  try {
    let changes = 0
    watcher.addEventListener('change', () => { changes++ })
    await new Promise(resolve => setTimeout(resolve, 100))
    assert.equal(changes, 0, 'nothing changed')
    f.idle.reading = { idleMs: 12_000 }
    assert.equal((await nextChange(watcher)).state.reason, 'you are using this computer (idle 0:12 of 3:00)')
  } finally {
    watcher.stop()
  }
})

test('a snooze set through setPolicy takes effect at once and ends with the clock', async () => {
  const f = fakes()
  const watcher = new PolicyWatcher({ policy: DEFAULT_POLICY, power: f.power, now: () => f.clock.now, intervalMs: 20 })
  await watcher.start()
  try {
    const snoozed = await watcher.setPolicy({ snoozeUntil: f.clock.now + 42 * 60_000 })
    assert.equal(snoozed.reason, 'snoozed for 42 min')
    const ended = nextChange(watcher)
    f.clock.now += 42 * 60_000
    assert.equal((await ended).state.compute, true)
    assert.equal(watcher.policy.snoozeUntil, new Date(2026, 11, 7, 12, 0).getTime() + 42 * 60_000)
  } finally {
    watcher.stop()
  }
})

test('a bad policy is refused, in the constructor and in setPolicy, and changes nothing', async () => {
  assert.throws(() => new PolicyWatcher({ policy: { ...DEFAULT_POLICY, schedule: 'mon-fry' } }), /volunteer policy: field 'schedule' is not a schedule: 'mon-fry' is not a day/)
  assert.throws(() => new PolicyWatcher({ policy: { when: 'idle' } as VolunteerPolicy }), /field 'idleAfterMs' is missing/)
  const watcher = new PolicyWatcher({ policy: DEFAULT_POLICY })
  await assert.rejects(watcher.setPolicy({ maxOtherCpu: 250 }), /field 'maxOtherCpu' must be a percentage/)
  assert.deepEqual(watcher.policy, DEFAULT_POLICY)
})

test('the schedule is followed as the clock moves over midnight', async () => {
  const f = fakes()
  f.clock.now = new Date(2026, 11, 13, 21, 59, 59).getTime()
  const watcher = new PolicyWatcher({ policy: { ...DEFAULT_POLICY, schedule: 'sun 22:00-02:00' }, power: f.power, now: () => f.clock.now, intervalMs: 20 })
  assert.equal((await watcher.start()).reason, 'outside schedule (resumes 22:00)')
  try {
    let change = nextChange(watcher)
    f.clock.now = new Date(2026, 11, 13, 22, 0).getTime()
    assert.equal((await change).state.compute, true)
    change = nextChange(watcher)
    f.clock.now = new Date(2026, 11, 14, 2, 0).getTime()
    assert.equal((await change).state.reason, 'outside schedule (resumes sun 22:00)')
  } finally {
    watcher.stop()
  }
})

test('only the sources the policy needs are read; a dear power source is asked at its own pace', async () => {
  const f = fakes()
  f.power.pollMs = 60_000
  const watcher = new PolicyWatcher({ policy: DEFAULT_POLICY, idle: f.idle, power: f.power, cpu: f.cpu, now: () => f.clock.now, intervalMs: 10 })
  await watcher.start()
  try {
    await new Promise(resolve => setTimeout(resolve, 100))
    assert.equal(f.idle.reads, 0)
    assert.equal(f.cpu.reads, 0)
    assert.equal(f.power.reads, 1)
    f.clock.now += 60_000
    await watcher.refresh()
    assert.equal(f.power.reads, 2)
  } finally {
    watcher.stop()
  }
})

test('a pause for CPU load holds until other programs stayed under the limit for the hold time', async () => {
  const f = fakes()
  const watcher = new PolicyWatcher({ policy: { ...DEFAULT_POLICY, maxOtherCpu: 50 }, power: f.power, cpu: f.cpu, now: () => f.clock.now, intervalMs: 60_000, cpuHoldMs: 5_000 })
  f.cpu.reading = { percent: 80 }
  assert.equal((await watcher.start()).reason, 'other programs are using the CPU')
  try {
    f.cpu.reading = { percent: 10 }
    f.clock.now += 1_000
    assert.equal((await watcher.refresh()).code, 'cpu')
    f.clock.now += 4_500
    assert.equal((await watcher.refresh()).compute, true)
  } finally {
    watcher.stop()
  }
})

test('a source that throws or hangs is unavailable for that poll, never a guess', async () => {
  const watcher = new PolicyWatcher({
    policy: { ...idlePolicy, maxOtherCpu: 50 },
    idle: { readIdle: async () => { throw new Error('loginctl exited with status 1') } },
    power: { readPower: async () => await new Promise<PowerReading>(() => {}) },
    cpu: { readCpu: async () => ({ percent: 99 }) },
    readTimeoutMs: 50,
    intervalMs: 1_000
  })
  const state = await watcher.start()
  watcher.stop()
  assert.deepEqual(state.readings.idle, { unavailable: 'loginctl exited with status 1' })
  assert.deepEqual(state.readings.power, { unavailable: 'no answer within 50 ms' })
  assert.equal(state.reason, 'other programs are using the CPU')
  assert.equal(state.notes.length, 2)
})

test('no idle source: an idle-only volunteer computes by schedule only and says so', async () => {
  const watcher = new PolicyWatcher({ policy: { ...idlePolicy, onBattery: 'run' } })
  const state = await watcher.start()
  watcher.stop()
  assert.equal(state.compute, true)
  assert.deepEqual(state.notes, ['no idle detection works here: computing by schedule only'])
})

test('stop() ends the polling; polls never overlap', async () => {
  const f = fakes()
  let inFlight = 0
  let overlapped = false
  const slowIdle = {
    readIdle: async (): Promise<IdleReading> => {
      inFlight++
      if (inFlight > 1) overlapped = true
      await new Promise(resolve => setTimeout(resolve, 15))
      inFlight--
      return await f.idle.readIdle()
    }
  }
  const watcher = new PolicyWatcher({ policy: idlePolicy, idle: slowIdle, power: f.power, intervalMs: 5 })
  await watcher.start()
  await Promise.all([watcher.refresh(), watcher.refresh(), new Promise(resolve => setTimeout(resolve, 80))])
  watcher.stop()
  await watcher.refresh()
  const reads = f.idle.reads
  await new Promise(resolve => setTimeout(resolve, 80))
  assert.equal(f.idle.reads, reads)
  assert.equal(overlapped, false)
})
