import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatClock, formatSpan, parseDuration } from '../../../src/node/volunteer/policy/duration.ts'
import { PolicyError } from '../../../src/node/volunteer/policy/errors.ts'
import { InputError } from '../../../src/errors.ts'

test('durations as people type them, a bare number being seconds', () => {
  assert.equal(parseDuration('3m'), 180_000)
  assert.equal(parseDuration('90s'), 90_000)
  assert.equal(parseDuration('1h30m'), 5_400_000)
  assert.equal(parseDuration('1h 30m'), 5_400_000)
  assert.equal(parseDuration(' 2H '), 7_200_000)
  assert.equal(parseDuration('45'), 45_000)
  assert.equal(parseDuration('0.5'), 500)
  assert.equal(parseDuration('1.5h'), 5_400_000)
  assert.equal(parseDuration('1d2h'), 93_600_000)
  assert.equal(parseDuration('0'), 0)
})

test('a bad duration is an InputError naming the subject and the text', () => {
  for (const bad of ['3x', '-5m', '1h30', '30m1h', '1m1m', 'm', '1 h x', '3 m 5', '1e3', '']) {
    assert.throws(() => parseDuration(bad, '--idle-after'), (err: unknown) => {
      assert.ok(err instanceof PolicyError && err instanceof InputError)
      assert.match(err.message, /^--idle-after: /)
      if (bad !== '') assert.ok(err.message.includes(`'${bad}'`), err.message)
      return true
    }, bad)
  }
  assert.throws(() => parseDuration('9000h'), /'9000h' is too long/)
})

test('clock readings for the idle reason: m:ss, then h:mm:ss', () => {
  assert.equal(formatClock(12_400), '0:12')
  assert.equal(formatClock(180_000), '3:00')
  assert.equal(formatClock(59_999), '0:59')
  assert.equal(formatClock(3_909_000), '1:05:09')
  assert.equal(formatClock(-5), '0:00')
})

test('time left for the snooze reason, rounded up to the minute', () => {
  assert.equal(formatSpan(42 * 60_000), '42 min')
  assert.equal(formatSpan(41 * 60_000 + 1), '42 min')
  assert.equal(formatSpan(5_000), '1 min')
  assert.equal(formatSpan(60 * 60_000), '1 h')
  assert.equal(formatSpan(65 * 60_000), '1 h 5 min')
  assert.equal(formatSpan(26 * 3_600_000), '1 d 2 h')
  assert.equal(formatSpan(48 * 3_600_000), '2 d')
})
