import { test } from 'node:test'
import assert from 'node:assert/strict'
import { UI_DEFAULT_POLICY, type VolunteerPolicy } from '../../src/node/volunteer/policy/index.ts'
import { bobProject, type FixtureState } from './support/fixture-port.ts'
import { keys } from './support/render-sized.ts'
import { startApp, type Running } from './support/running-app.tsx'

/**
 * The volunteer screen says when this peer computes and why it pauses, from
 * the real policy engine over readings the test gives (the fixture port
 * evaluates them as a MeshNode's watcher would), and its keys change the
 * policy through the port.
 */

async function onVolunteerScreen (state: Partial<FixtureState>, body: (app: Running) => Promise<void>): Promise<void> {
  const app = await startApp(state, 100, 30)
  try {
    await app.press('3')
    await app.see('[3 Volunteer]')
    await body(app)
  } finally {
    app.ui.unmount()
  }
}

const idlePolicy = (fields: Partial<VolunteerPolicy> = {}): VolunteerPolicy => ({ ...UI_DEFAULT_POLICY, ...fields })
const idleLong = { idle: { idleMs: 10 * 60_000 }, power: { onBattery: false }, cpu: { percent: 5 } }

/** A schedule that leaves out today and tomorrow, so it never allows now. */
function scheduleNotNow (): string {
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
  const today = (new Date().getDay() + 6) % 7
  return days[(today + 2) % 7]
}

test('given each pause of the policy, the volunteer screen says why it does not compute', async () => {
  const cases: Array<[string, Partial<FixtureState>, RegExp]> = [
    ['snoozed', { policy: idlePolicy({ snoozeUntil: Date.now() + 42 * 60_000 - 1_000 }) }, /State\s+paused: snoozed for 42 min/],
    ['schedule', { policy: idlePolicy({ schedule: scheduleNotNow() }) }, /State\s+paused: outside schedule \(resumes (mon|tue|wed|thu|fri|sat|sun) 00:00\)/],
    ['battery', { readings: { ...idleLong, power: { onBattery: true } } }, /State\s+paused: on battery/],
    ['active-user', { readings: { ...idleLong, idle: { idleMs: 12_400 } } }, /State\s+paused: you are using this computer \(idle 0:12 of 3:00\)/],
    ['cpu', { policy: idlePolicy({ maxOtherCpu: 50 }), readings: { ...idleLong, cpu: { percent: 80 } } }, /State\s+paused: other programs are using the CPU/]
  ]
  for (const [code, state, expected] of cases) {
    await onVolunteerScreen(state, async ({ port, see }) => {
      const frame = await see(expected)
      assert.equal(port.policy()?.state.code, code)
      assert.doesNotMatch(frame, /ready to compute/, code)
    })
  }
})

test('given several pauses, the first is the state and the others follow; a source that cannot say is a note, not a guess', async () => {
  await onVolunteerScreen({
    policy: idlePolicy({ maxOtherCpu: 50 }),
    readings: { idle: { idleMs: 1_000 }, power: { onBattery: true }, cpu: { percent: 90 } }
  }, async ({ see }) => {
    await see(/State\s+paused: on battery\n\s*Also\s+you are using this computer \(idle 0:01 of 3:00\) · other programs are using the CPU/)
  })
  await onVolunteerScreen({ readings: { idle: { unavailable: 'no source on this machine' }, power: { onBattery: false } } }, async ({ see }) => {
    const frame = await see(/Note\s+no idle detection works here: computing by schedule only/)
    assert.match(frame, /State\s+ready to compute/)
    assert.match(frame, /When\s+only when idle: after 3:00 without keyboard or mouse input/)
  })
})

test('a chunk in hand finishes first: the state says it is pausing and why', async () => {
  await onVolunteerScreen({
    status: { projectId: bobProject.id, state: 'computing', currentChunk: 4, chunksComputed: 1, creditsFlops: 0, receipts: 0 },
    readings: { ...idleLong, power: { onBattery: true } }
  }, async ({ see }) => {
    await see('State       computing chunk 4 (pausing: on battery)')
  })
})

test('the settings: when, idle after, battery, schedule, other programs\' CPU and the snooze', async () => {
  const policy = idlePolicy({ idleAfterMs: 90_000, onBattery: 'run', schedule: 'mon-fri 18:00-08:00, sat-sun', maxOtherCpu: 40 })
  await onVolunteerScreen({ policy, readings: { ...idleLong, cpu: { percent: 1 } } }, async ({ see }) => {
    const frame = await see('When        only when idle: after 1:30 without keyboard or mouse input')
    assert.match(frame, /Schedule\s+mon-fri 18:00-08:00, sat-sun/)
    assert.match(frame, /Limits\s+on battery: run on · other programs' CPU: pause over 40%/)
    assert.match(frame, /Snooze\s+off/)
  })
  await onVolunteerScreen({ policy: idlePolicy({ gpuWhenActive: 'run' }), readings: { ...idleLong, idle: { idleMs: 0 } } }, async ({ see }) => {
    const frame = await see('When        when idle, but the GPU runs on while you work')
    assert.match(frame, /State\s+ready to compute/)
  })
})

test('s snoozes for 30 minutes and, pressed again, ends the snooze; w switches between always and only when idle', async () => {
  await onVolunteerScreen({}, async ({ port, press, see }) => {
    let frame = await see(/^space pause {2}s snooze 30m {2}w when {2}x stop {2}d duty cycle {2}c custom WGSL {2}q quit/m)
    const before = Date.now()
    await press('s')
    frame = await see('State       paused: snoozed for 30 min')
    assert.match(frame, /Snooze\s+until \d\d:\d\d \(30 min left\)/)
    assert.match(frame, /snoozed until \d\d:\d\d \(for 30 min\): s ends it/)
    await see(/s end snooze/)
    const [snooze] = port.called('updatePolicy').map(c => c.args[0] as Partial<VolunteerPolicy>)
    assert.ok(snooze.snoozeUntil! >= before + 30 * 60_000 && snooze.snoozeUntil! <= Date.now() + 30 * 60_000, JSON.stringify(snooze))

    await press('s')
    await see('snooze off: computing')
    frame = await see(/Snooze\s+off/)
    assert.match(frame, /State\s+ready to compute/)
    assert.deepEqual(port.called('updatePolicy')[1]?.args, [{ snoozeUntil: undefined }])

    // Used right now: only-when-idle pauses; always does not.
    port.state.readings = { ...idleLong, idle: { idleMs: 2_000 } }
    await see(/State\s+paused: you are using this computer \(idle 0:02 of 3:00\)/)
    await press('w')
    await see('computes always')
    frame = await see('When        always, whether or not you use this computer')
    assert.match(frame, /State\s+ready to compute/)
    await press('w')
    await see('computes only when idle (after 3:00 without input)')
    assert.deepEqual(port.called('updatePolicy').slice(2).map(c => c.args[0]), [{ when: 'always' }, { when: 'idle' }])
  })
})

test('a peer that runs no policy says so, and s and w change nothing', async () => {
  await onVolunteerScreen({ policy: undefined }, async ({ port, press, see }) => {
    await see('When        always (this peer runs no volunteer policy)')
    await press('s')
    await see('this peer runs no volunteer policy')
    await press('w', keys.escape)
    assert.equal(port.called('updatePolicy').length, 0)
  })
})
