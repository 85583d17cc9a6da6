import { PolicyError } from './errors.ts'

/**
 * Durations as people type them: `90s`, `3m`, `1h30m`, `2h`, `1d`, `1.5h`,
 * parts in the order d, h, m, s, spaces allowed between them. A bare number
 * is seconds (`45` = 45 s), as in `sleep`. No signs, no other units.
 */

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 }
const PART = /(\d+(?:\.\d+)?|\.\d+)\s*([dhms])/gy
const BARE = /^(\d+(?:\.\d+)?|\.\d+)$/
/** Longer than anyone means: a typo (`300h` for `300s`) more likely than a wish. */
export const MAX_DURATION_MS = 366 * UNIT_MS.d!

/** `text` in milliseconds; a PolicyError naming `subject` and the problem when it is not a duration. */
export function parseDuration (text: string, subject = 'duration'): number {
  const trimmed = text.trim().toLowerCase()
  const bad = (): PolicyError => new PolicyError(subject, `'${text}' is not a duration (e.g. 90s, 3m, 1h30m; a bare number is seconds)`)
  if (trimmed === '') throw new PolicyError(subject, 'no duration given (e.g. 90s, 3m, 1h30m)')
  let ms: number
  if (BARE.test(trimmed)) {
    ms = Number(trimmed) * 1_000
  } else {
    ms = 0
    let at = 0
    let lastUnit = -1
    PART.lastIndex = 0
    for (let match = PART.exec(trimmed); match != null; match = PART.exec(trimmed)) {
      const unit = 'dhms'.indexOf(match[2]!)
      // Each unit once, largest first: `30m1h` is more likely a slip than a sum.
      if (unit <= lastUnit) throw bad()
      lastUnit = unit
      ms += Number(match[1]) * UNIT_MS[match[2]!]!
      at = PART.lastIndex
      while (trimmed[at] === ' ') at++
      PART.lastIndex = at
    }
    if (at !== trimmed.length || lastUnit < 0) throw bad()
  }
  if (ms > MAX_DURATION_MS) throw new PolicyError(subject, `'${text}' is too long (at most 366 days)`)
  return Math.round(ms)
}

/** A clock-like reading, whole seconds rounded down: `0:12`, `3:00`, `1:05:09`. */
export function formatClock (ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1_000))
  const hours = Math.floor(total / 3_600)
  const minutes = Math.floor(total / 60) % 60
  const seconds = String(total % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`
}

/**
 * A time left, in whole minutes rounded up so that it never reads 0 while
 * something is still pending: `1 min`, `42 min`, `2 h`, `1 h 5 min`, `3 d 2 h`.
 */
export function formatSpan (ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000))
  if (minutes < 60) return `${minutes} min`
  if (minutes < 24 * 60) {
    const rest = minutes % 60
    return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`
  }
  const hours = Math.ceil(minutes / 60)
  const days = Math.floor(hours / 24)
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`
}
