import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatTimeOfWeek, parseSchedule, type Schedule } from '../../../src/node/volunteer/policy/schedule.ts'

/**
 * Local-time dates only (new Date(y, m, d, h, min)), so that these pass in
 * any time zone; run with TZ=America/New_York or TZ=Asia/Kolkata to check.
 * 7 December 2026 is a Monday.
 */
const DAY = { mon: 7, tue: 8, wed: 9, thu: 10, fri: 11, sat: 12, sun: 13 } as const
function at (day: keyof typeof DAY, hour: number, minute = 0, week = 0): Date {
  return new Date(2026, 11, DAY[day] + week * 7, hour, minute)
}

test('the calendar of these tests', () => {
  assert.equal(at('mon', 12).getDay(), 1)
  assert.equal(at('sun', 12).getDay(), 0)
})

test('evenings on weekdays and all of the weekend; a span over midnight belongs to the day it starts on', () => {
  const s = parseSchedule('mon-fri 18:00-08:00, sat-sun')
  assert.equal(s.isAllowed(at('mon', 17, 59)), false)
  assert.equal(s.isAllowed(at('mon', 18)), true)
  assert.equal(s.isAllowed(at('mon', 23, 30)), true)
  assert.equal(s.isAllowed(at('tue', 7, 59)), true)
  assert.equal(s.isAllowed(at('tue', 8)), false)
  assert.equal(s.isAllowed(at('tue', 12)), false)
  // Monday morning is Sunday's (all day, until midnight), not Monday's evening span.
  assert.equal(s.isAllowed(at('mon', 0, 30)), false)
  assert.equal(s.isAllowed(at('mon', 7)), false)
  // Friday's span runs into Saturday, which is allowed anyway.
  assert.equal(s.isAllowed(at('sat', 7)), true)
  assert.equal(s.isAllowed(at('sun', 23, 59)), true)

  assert.deepEqual(s.nextChange(at('tue', 12)), at('tue', 18))
  assert.deepEqual(s.nextChange(at('tue', 20)), at('wed', 8))
  assert.deepEqual(s.nextChange(at('fri', 20)), at('mon', 0, 0, 1))
  assert.deepEqual(s.nextChange(at('mon', 0, 0, 1)), at('mon', 18, 0, 1))
})

test('Sunday 22:00 to Monday 02:00 wraps over the end of the week', () => {
  const s = parseSchedule('sun 22:00-02:00')
  assert.equal(s.isAllowed(at('sun', 21, 59)), false)
  assert.equal(s.isAllowed(at('sun', 22)), true)
  assert.equal(s.isAllowed(at('mon', 1, 59, 1)), true)
  assert.equal(s.isAllowed(at('mon', 1, 59)), true)
  assert.equal(s.isAllowed(at('mon', 2)), false)
  assert.equal(s.isAllowed(at('sat', 23)), false)
  assert.deepEqual(s.nextChange(at('sat', 23)), at('sun', 22))
  assert.deepEqual(s.nextChange(at('sun', 23)), at('mon', 2, 0, 1))
  assert.deepEqual(s.nextChange(at('mon', 2)), at('sun', 22))
})

test('day ranges may wrap over the week\'s end', () => {
  const s = parseSchedule('fri-mon')
  for (const day of ['fri', 'sat', 'sun', 'mon'] as const) assert.equal(s.isAllowed(at(day, 12)), true, day)
  for (const day of ['tue', 'wed', 'thu'] as const) assert.equal(s.isAllowed(at(day, 12)), false, day)
  assert.deepEqual(s.nextChange(at('wed', 10)), at('fri', 0))
  assert.deepEqual(s.nextChange(at('fri', 0)), at('tue', 0, 0, 1))
  const fromSat = parseSchedule('sat-tue 09:00-17:00')
  assert.equal(fromSat.isAllowed(at('sun', 10)), true)
  assert.equal(fromSat.isAllowed(at('tue', 16, 59)), true)
  assert.equal(fromSat.isAllowed(at('wed', 10)), false)
})

test('lists of days, hours alone, days alone and full names', () => {
  const list = parseSchedule('mon,wed,fri 10:00-12:00')
  assert.equal(list.isAllowed(at('wed', 11)), true)
  assert.equal(list.isAllowed(at('tue', 11)), false)
  assert.equal(list.isAllowed(at('mon', 9)), false)
  // A comma and a space end an entry: all of Monday, and Wednesday 10 to 12.
  const entries = parseSchedule('mon, wed 10:00-12:00')
  assert.equal(entries.isAllowed(at('mon', 9)), true)
  assert.equal(entries.isAllowed(at('wed', 9)), false)
  const lunch = parseSchedule('12:00-13:00')
  for (const day of Object.keys(DAY) as Array<keyof typeof DAY>) assert.equal(lunch.isAllowed(at(day, 12, 30)), true, day)
  assert.equal(lunch.isAllowed(at('thu', 13)), false)
  const twoSpans = parseSchedule('mon-fri 09:00-12:00,13:00-17:00')
  assert.equal(twoSpans.isAllowed(at('sat', 14)), true, 'hours alone after a comma are every day')
  assert.equal(parseSchedule('Saturday-Sunday').isAllowed(at('sun', 3)), true)
  assert.equal(parseSchedule('mon 00:00-24:00').isAllowed(at('mon', 23, 59)), true)
})

test('adjacent spans merge: the next change is where the allowed time really ends', () => {
  const s = parseSchedule('mon, tue')
  assert.deepEqual(s.nextChange(at('mon', 10)), at('wed', 0))
  const evening = parseSchedule('mon 18:00-00:00, tue 00:00-08:00')
  assert.deepEqual(evening.nextChange(at('mon', 19)), at('tue', 8))
})

test('a schedule that allows every time never changes', () => {
  for (const spec of ['mon-sun', '00:00-24:00', 'sun-sat', 'mon-fri, sat-sun']) {
    const s = parseSchedule(spec)
    assert.equal(s.always, true, spec)
    assert.equal(s.nextChange(at('wed', 10)), undefined, spec)
  }
  assert.equal(parseSchedule('mon-fri').always, false)
})

test('resume times read as today\'s clock or as a day and a clock', () => {
  assert.equal(formatTimeOfWeek(at('tue', 18), at('tue', 12)), '18:00')
  assert.equal(formatTimeOfWeek(at('mon', 18, 0, 1), at('sat', 12)), 'mon 18:00')
  assert.equal(formatTimeOfWeek(at('wed', 8, 5), at('tue', 23)), 'wed 08:05')
})

test('bad specs name what is wrong', () => {
  const cases: Array<[string, RegExp]> = [
    ['mon-fry', /^schedule: 'mon-fry' is not a day/],
    ['mon-fri-sat', /'mon-fri-sat' is not a day/],
    ['', /^schedule: no days or hours given/],
    ['mon 18:00', /'18:00' is not a span of hours/],
    ['mon 18-8', /'18-8' is not a span of hours/],
    ['mon 25:00-26:00', /'25:00-26:00' has no time 25:00/],
    ['mon 10:00-24:30', /has no time 24:30/],
    ['mon 10:00-10:00', /starts and ends at the same time/],
    ['mon,,tue', /'mon,,tue' has an empty day/],
    ['mon-fri 18:00-08:00,', /has an empty entry/],
    ['mon tue', /'mon tue' is not an entry/],
    ['weekdays', /'weekdays' is not a day/]
  ]
  for (const [spec, expected] of cases) {
    assert.throws(() => parseSchedule(spec), (err: Error) => expected.test(err.message), spec)
  }
})

/** Over a year in steps of 97 minutes (daylight saving included, where the zone has it), nextChange() is the next flip. */
function checkNextChangeOverAYear (s: Schedule): void {
  for (let t = new Date(2026, 0, 1).getTime(); t < new Date(2027, 0, 1).getTime(); t += 97 * 60_000) {
    const allowed = s.isAllowed(t)
    const next = s.nextChange(t)
    assert.ok(next != null && next.getTime() > t)
    assert.notEqual(s.isAllowed(next), allowed, `${new Date(t).toString()} -> ${next.toString()}`)
    for (let k = 1; k < 6; k++) {
      const between: number = t + (next.getTime() - 1 - t) * k / 5
      assert.equal(s.isAllowed(between), allowed, `${new Date(t).toString()}: no change before ${next.toString()}`)
    }
  }
}

test('nextChange() finds the next flip at any time of the year', () => {
  checkNextChangeOverAYear(parseSchedule('mon-fri 18:00-08:00, sat-sun'))
  checkNextChangeOverAYear(parseSchedule('sun 22:00-02:00'))
  checkNextChangeOverAYear(parseSchedule('fri-mon 02:30-03:15, wed'))
})
