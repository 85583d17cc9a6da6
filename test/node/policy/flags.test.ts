import assert from 'node:assert/strict'
import { test } from 'node:test'
import { UsageError } from '../../../src/cli/errors.ts'
import { parsePolicyFlags, parseSnooze, POLICY_FLAG_OPTIONS } from '../../../src/node/volunteer/policy/flags.ts'

function usageMessage (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err))
    return err.message
  }
  assert.fail('no error')
}

test('the policy flags, from strings to a partial policy holding only the flags given', () => {
  assert.deepEqual(parsePolicyFlags({}), {})
  assert.deepEqual(parsePolicyFlags({ json: true, project: 'x' }), {})
  assert.deepEqual(parsePolicyFlags({
    when: 'idle',
    'idle-after': '1m',
    'gpu-when-active': 'run',
    'on-battery': 'RUN',
    schedule: ' mon-fri 18:00-08:00, sat-sun ',
    'max-other-cpu': '50%',
    'idle-command': 'cat /run/idle'
  }), { when: 'idle', idleAfterMs: 60_000, gpuWhenActive: 'run', onBattery: 'run', schedule: 'mon-fri 18:00-08:00, sat-sun', maxOtherCpu: 50, idleCommand: 'cat /run/idle' })
  assert.deepEqual(Object.keys(POLICY_FLAG_OPTIONS).sort(), ['gpu-when-active', 'idle-after', 'idle-command', 'max-other-cpu', 'on-battery', 'schedule', 'when'])
})

test('clearing: --schedule always and --max-other-cpu off set the field to undefined', () => {
  const update = parsePolicyFlags({ schedule: 'always', 'max-other-cpu': 'off' })
  assert.ok('schedule' in update && update.schedule === undefined)
  assert.ok('maxOtherCpu' in update && update.maxOtherCpu === undefined)
})

test('errors name the flag and the problem, as UsageErrors (exit 2)', () => {
  assert.equal(usageMessage(() => parsePolicyFlags({ 'max-other-cpu': '150' })), "--max-other-cpu: '150' is not a percentage between 0 and 100 (or 'off')")
  assert.equal(usageMessage(() => parsePolicyFlags({ when: 'sometimes' })), "--when: 'sometimes' is not one of always, idle")
  assert.equal(usageMessage(() => parsePolicyFlags({ 'on-battery': 'stop' })), "--on-battery: 'stop' is not one of pause, run")
  assert.equal(usageMessage(() => parsePolicyFlags({ 'gpu-when-active': '' })), "--gpu-when-active: '' is not one of pause, run")
  assert.match(usageMessage(() => parsePolicyFlags({ 'idle-after': '3x' })), /^--idle-after: '3x' is not a duration/)
  assert.match(usageMessage(() => parsePolicyFlags({ 'idle-after': '0' })), /^--idle-after: '0' is too short/)
  assert.match(usageMessage(() => parsePolicyFlags({ schedule: 'mon-fry' })), /^--schedule: 'mon-fry' is not a day/)
  assert.match(usageMessage(() => parsePolicyFlags({ 'idle-command': ' ' })), /^--idle-command: no command given/)
  assert.match(usageMessage(() => parsePolicyFlags({ 'max-other-cpu': '-1' })), /not a percentage/)
})

test('mesh snooze DURATION|off', () => {
  const now = 1_800_000_000_000
  assert.equal(parseSnooze('42m', now), now + 42 * 60_000)
  assert.equal(parseSnooze('off', now), undefined)
  assert.match(usageMessage(() => parseSnooze('0', now)), /^snooze: '0' is no time at all/)
  assert.match(usageMessage(() => parseSnooze('soon', now)), /^snooze: 'soon' is not a duration/)
})
