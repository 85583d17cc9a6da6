import { formatClock, formatSpan } from './duration.ts'
import { formatTimeOfWeek, parseSchedule, type Schedule } from './schedule.ts'
import type { VolunteerPolicy } from './policy.ts'
import type { CpuReading, IdleReading, PowerReading } from './sources.ts'

/**
 * The policy engine: from the policy and what the sources read now, whether
 * this machine computes, and if not, why, in the words the volunteer screen,
 * `mesh volunteer --json` and `mesh status` show. Pure: the clock and the
 * readings come in (watcher.ts gathers them).
 *
 * Rules, the first that applies being the reason shown:
 * 1. snoozed: pauses everything until `snoozeUntil`;
 * 2. outside the schedule;
 * 3. on battery, with `onBattery: 'pause'`;
 * 4. the user is active (idle less than `idleAfterMs`), with `when: 'idle'`
 *    and `gpuWhenActive: 'pause'`;
 * 5. other programs use more than `maxOtherCpu` percent of the CPU.
 * A source that cannot say never pauses by a guess: with no idle detection,
 * `when: 'idle'` computes by the schedule only, and a note says so; an
 * unknown battery or CPU load likewise leaves its rule out, with a note.
 */

export type PauseCode = 'snoozed' | 'schedule' | 'battery' | 'active-user' | 'cpu'
export type PolicyCode = 'computing' | PauseCode

export interface Pause {
  readonly code: PauseCode
  /** Human text without the `paused: ` prefix, e.g. `on battery`. */
  readonly reason: string
  /** When this pause is known to end (epoch ms): the snooze's end, the schedule's next opening. */
  readonly until?: number
}

export interface PolicyReadings {
  readonly now: number
  readonly idle?: IdleReading
  readonly power?: PowerReading
  readonly cpu?: CpuReading
}

export interface PolicyState {
  readonly compute: boolean
  /** `computing`, or the code of the pause shown. */
  readonly code: PolicyCode
  /** The pause shown (the first of `pauses`), e.g. `outside schedule (resumes 18:00)`. */
  readonly reason?: string
  readonly until?: number
  /** Every pause that applies now, in the order of the rules. */
  readonly pauses: readonly Pause[]
  /** What the engine could not take into account, e.g. `no idle detection works here: computing by schedule only`. */
  readonly notes: readonly string[]
  /** The readings this state was made from, for display. */
  readonly readings: PolicyReadings
}

export const NO_IDLE_NOTE = 'no idle detection works here: computing by schedule only'
export const NO_POWER_NOTE = 'battery state unknown here: not pausing on battery'
export const NO_CPU_NOTE = 'CPU load unknown here: the limit on other programs\' CPU use is off'

/** Which readings the policy needs: the watcher reads only those. */
export function policyNeeds (policy: VolunteerPolicy): { idle: boolean, power: boolean, cpu: boolean } {
  return {
    idle: policy.when === 'idle' && policy.gpuWhenActive === 'pause',
    power: policy.onBattery === 'pause',
    cpu: policy.maxOtherCpu != null
  }
}

export function evaluatePolicy (policy: VolunteerPolicy, readings: PolicyReadings): PolicyState {
  const { now } = readings
  const needs = policyNeeds(policy)
  const pauses: Pause[] = []
  const notes: string[] = []

  if (policy.snoozeUntil != null && policy.snoozeUntil > now) {
    pauses.push({ code: 'snoozed', reason: `snoozed for ${formatSpan(policy.snoozeUntil - now)}`, until: policy.snoozeUntil })
  }

  const schedule = policy.schedule == null ? undefined : scheduleOf(policy.schedule)
  if (schedule != null && !schedule.isAllowed(now)) {
    const next = schedule.nextChange(now)
    pauses.push(next == null
      ? { code: 'schedule', reason: 'outside schedule' }
      : { code: 'schedule', reason: `outside schedule (resumes ${formatTimeOfWeek(next, now)})`, until: next.getTime() })
  }

  if (needs.power) {
    const power = readings.power ?? { unavailable: 'not read' }
    if ('onBattery' in power) {
      if (power.onBattery) pauses.push({ code: 'battery', reason: 'on battery' })
    } else {
      notes.push(NO_POWER_NOTE)
    }
  }

  if (needs.idle) {
    const idle = readings.idle ?? { unavailable: 'not read' }
    if ('idleMs' in idle) {
      if (idle.idleMs < policy.idleAfterMs) {
        pauses.push({ code: 'active-user', reason: `you are using this computer (idle ${formatClock(idle.idleMs)} of ${formatClock(policy.idleAfterMs)})` })
      }
    } else {
      notes.push(NO_IDLE_NOTE)
    }
  }

  if (needs.cpu) {
    const cpu = readings.cpu ?? { unavailable: 'not read' }
    if ('percent' in cpu) {
      if (cpu.percent > policy.maxOtherCpu!) pauses.push({ code: 'cpu', reason: 'other programs are using the CPU' })
    } else {
      notes.push(NO_CPU_NOTE)
    }
  }

  const shown = pauses[0]
  return {
    compute: shown == null,
    code: shown?.code ?? 'computing',
    ...(shown != null ? { reason: shown.reason } : {}),
    ...(shown?.until != null ? { until: shown.until } : {}),
    pauses,
    notes,
    readings
  }
}

/** One line for people: `computing` or `paused: <reason>`. */
export function stateText (state: PolicyState): string {
  return state.compute ? 'computing' : `paused: ${state.reason!}`
}

/** Whether two states read the same to a person (compute, code and reason; the reason's idle clock ticks each second). */
export function sameState (a: PolicyState | undefined, b: PolicyState): boolean {
  return a != null && a.compute === b.compute && a.code === b.code && a.reason === b.reason && a.notes.join('\n') === b.notes.join('\n')
}

let cached: Schedule | undefined

/** The policy's schedule, parsed once while it stays the same. */
function scheduleOf (spec: string): Schedule {
  if (cached?.spec !== spec.trim()) cached = parseSchedule(spec)
  return cached
}
