import { PolicyError } from './errors.ts'

/**
 * `--schedule SPEC`: when computing is allowed, in local time.
 *
 * SPEC is a list of entries separated by commas. An entry is days and hours
 * (`mon-fri 18:00-08:00`), days alone (`sat-sun`: all day) or hours alone
 * (`12:00-13:00`: every day). Days are `mon`..`sun` (or full names), ranges
 * (`mon-fri`) that may wrap over the week's end (`fri-mon` = fri, sat, sun,
 * mon), and lists written without spaces (`mon,wed,fri`); a comma followed
 * by a space, or after hours, ends an entry. So `mon, wed 10:00-12:00` is
 * all of Monday plus Wednesday 10 to 12, while `mon,wed 10:00-12:00` is 10
 * to 12 on both days.
 *
 * Hours `HH:MM-HH:MM` start inclusive and end exclusive; an end of `24:00`
 * is midnight at the end of the day. A span that ends at or before its start
 * runs over midnight and belongs to the day it starts on: `mon-fri
 * 18:00-08:00` is Monday 18:00 to Tuesday 08:00, ..., Friday 18:00 to
 * Saturday 08:00 (and not Monday 00:00-08:00), and `sun 22:00-02:00` runs
 * into Monday. Where the clock skips an hour for daylight saving, a boundary
 * within it takes effect when the clock leaves that hour.
 */

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
const FULL_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']
const DAY_MINUTES = 24 * 60
const WEEK_MINUTES = 7 * DAY_MINUTES
const SUBJECT = 'schedule'

/** Minutes into the week (Monday 00:00 = 0), start inclusive, end exclusive, end <= WEEK_MINUTES. */
interface Span { readonly start: number, readonly end: number }

export class Schedule {
  /** The allowed times of a week, merged and in order. */
  private readonly spans: readonly Span[]
  /** Minutes of the day at which some span starts or ends: where the answer may change. */
  private readonly boundaries: readonly number[]

  constructor (readonly spec: string, spans: readonly Span[]) {
    this.spans = merge(spans)
    this.boundaries = [...new Set(spans.flatMap(s => [s.start % DAY_MINUTES, s.end % DAY_MINUTES]))].sort((a, b) => a - b)
  }

  /** Whether computing is allowed at `date` (its local time). */
  isAllowed (date: Date | number): boolean {
    const at = minuteOfWeek(new Date(date))
    return this.spans.some(s => s.start <= at && at < s.end)
  }

  /** Always allowed: the schedule restricts nothing. */
  get always (): boolean {
    return this.spans.length === 1 && this.spans[0]!.start === 0 && this.spans[0]!.end === WEEK_MINUTES
  }

  /** The first time after `date` at which isAllowed() changes; undefined when it never does. */
  nextChange (date: Date | number): Date | undefined {
    const from = new Date(date)
    const now = this.isAllowed(from)
    // Boundaries in wall-clock time, day by day (new Date(y, m, d, h, min) follows daylight saving),
    // in time order since a boundary in a skipped hour lands after the next one.
    const candidates: Date[] = []
    for (let day = 0; day <= 7; day++) {
      for (const minute of this.boundaries) {
        const hour = Math.floor(minute / 60)
        const at = new Date(from.getFullYear(), from.getMonth(), from.getDate() + day, hour, minute % 60)
        // In an hour skipped for daylight saving, the boundary is passed when the clock leaves that hour.
        candidates.push(at.getHours() === hour ? at : new Date(from.getFullYear(), from.getMonth(), from.getDate() + day, hour + 1, 0))
      }
    }
    candidates.sort((a, b) => a.getTime() - b.getTime())
    return candidates.find(at => at.getTime() > from.getTime() && this.isAllowed(at) !== now)
  }

  toString (): string {
    return this.spec
  }
}

/** Parses SPEC (see the module comment); a PolicyError naming the part that is wrong. */
export function parseSchedule (spec: string): Schedule {
  const text = spec.trim().toLowerCase()
  if (text === '') throw new PolicyError(SUBJECT, 'no days or hours given (e.g. mon-fri 18:00-08:00, sat-sun)')
  // Entry separators become ';': commas with a space around them, and commas after or before hours.
  const entries = text
    .replace(/\s*,\s+|\s+,\s*/g, ';')
    .replace(/(\d),|,(?=\d)/g, '$1;')
    .split(';')
    .map(entry => entry.trim())
  const spans: Span[] = []
  for (const entry of entries) {
    if (entry === '') throw new PolicyError(SUBJECT, `'${spec}' has an empty entry (entries are separated by commas)`)
    const words = entry.split(/\s+/)
    const hoursWord = /\d/.test(words.at(-1)!) ? words.pop() : undefined
    if (words.length > 1) throw new PolicyError(SUBJECT, `'${entry}' is not an entry (write DAYS HH:MM-HH:MM, e.g. mon-fri 18:00-08:00)`)
    const days = words.length === 1 ? parseDays(words[0]!) : [0, 1, 2, 3, 4, 5, 6]
    const hours = hoursWord == null ? { start: 0, end: DAY_MINUTES } : parseHours(hoursWord)
    for (const day of days) {
      const start = day * DAY_MINUTES + hours.start
      const end = day * DAY_MINUTES + hours.end
      if (end <= WEEK_MINUTES) {
        spans.push({ start, end })
      } else {
        // Sunday into Monday: the part past the week's end is at its start.
        spans.push({ start, end: WEEK_MINUTES }, { start: 0, end: end - WEEK_MINUTES })
      }
    }
  }
  return new Schedule(spec.trim(), spans)
}

/** A time within the coming week, for `resumes ...`: `18:00` when it is on the same day as `now`, else `mon 18:00`. */
export function formatTimeOfWeek (at: Date | number, now: Date | number): string {
  const when = new Date(at)
  const today = new Date(now)
  const clock = `${String(when.getHours()).padStart(2, '0')}:${String(when.getMinutes()).padStart(2, '0')}`
  const sameDay = when.getFullYear() === today.getFullYear() && when.getMonth() === today.getMonth() && when.getDate() === today.getDate()
  return sameDay ? clock : `${DAYS[weekday(when)]} ${clock}`
}

function parseDays (word: string): number[] {
  const days = new Set<number>()
  for (const item of word.split(',')) {
    if (item === '') throw new PolicyError(SUBJECT, `'${word}' has an empty day in its list`)
    const ends = item.split('-')
    const numbers = ends.map(dayNumber)
    if (ends.length > 2 || numbers.some(n => n < 0)) throw new PolicyError(SUBJECT, `'${item}' is not a day (use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri)`)
    const [first, last = first] = numbers as [number, number?]
    // A range runs forward and may wrap: fri-mon is fri, sat, sun, mon.
    for (let day = first; ; day = (day + 1) % 7) {
      days.add(day)
      if (day === last) break
    }
  }
  return [...days].sort((a, b) => a - b)
}

function dayNumber (name: string): number {
  const short = DAYS.indexOf(name as typeof DAYS[number])
  return short >= 0 ? short : FULL_DAYS.indexOf(name)
}

function parseHours (word: string): { start: number, end: number } {
  const match = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(word)
  const bad = (why: string): PolicyError => new PolicyError(SUBJECT, `'${word}' ${why}`)
  if (match == null) throw bad('is not a span of hours (write HH:MM-HH:MM, e.g. 18:00-08:00)')
  const [h1, m1, h2, m2] = match.slice(1).map(Number) as [number, number, number, number]
  if (h1 > 23 || m1 > 59) throw bad(`has no time ${match[1]}:${match[2]} (00:00 to 23:59)`)
  if (h2 > 24 || m2 > 59 || (h2 === 24 && m2 > 0)) throw bad(`has no time ${match[3]}:${match[4]} (00:00 to 24:00)`)
  const start = h1 * 60 + m1
  const end = h2 * 60 + m2
  if (start === end) throw bad('starts and ends at the same time (for all day, give the days alone or 00:00-24:00)')
  // Ends at or before its start: over midnight, into the next day.
  return { start, end: end <= start ? end + DAY_MINUTES : end }
}

/** Monday = 0 .. Sunday = 6. */
function weekday (date: Date): number {
  return (date.getDay() + 6) % 7
}

function minuteOfWeek (date: Date): number {
  return weekday(date) * DAY_MINUTES + date.getHours() * 60 + date.getMinutes() + date.getSeconds() / 60 + date.getMilliseconds() / 60_000
}

function merge (spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  const merged: Span[] = []
  for (const span of sorted) {
    const last = merged.at(-1)
    if (last != null && span.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, span.end) }
    else merged.push(span)
  }
  return merged
}
