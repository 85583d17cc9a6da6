import { UsageError } from '../../../cli/errors.ts'
import { parseDuration } from './duration.ts'
import { PolicyError } from './errors.ts'
import { parseSchedule } from './schedule.ts'
import type { VolunteerPolicy } from './policy.ts'

/**
 * The policy flags of `mesh volunteer` and `mesh serve --volunteer`, from
 * the strings parseArgs hands over to a partial policy: only the flags given
 * are in it, and a field set to undefined was cleared (`--schedule always`,
 * `--max-other-cpu off`). Errors are UsageErrors (exit 2) naming the flag.
 */

/** For the command's parseArgs `options`. */
export const POLICY_FLAG_OPTIONS = {
  when: { type: 'string' },
  'idle-after': { type: 'string' },
  'gpu-when-active': { type: 'string' },
  'on-battery': { type: 'string' },
  schedule: { type: 'string' },
  'max-other-cpu': { type: 'string' },
  'idle-command': { type: 'string' }
} as const

export const POLICY_FLAG_USAGE = '[--when always|idle] [--idle-after DURATION] [--gpu-when-active pause|run] [--on-battery pause|run] [--schedule SPEC] [--max-other-cpu P] [--idle-command CMD]'

/** For the command's help, under `options:`. */
export const POLICY_FLAG_HELP = `  --when always|idle       compute always, or only when this machine is idle (no
                           keyboard or mouse input for --idle-after); default always here
  --idle-after DURATION    idle this long first, e.g. 90s, 3m, 1h30m (default 3m)
  --gpu-when-active pause|run
                           while you use the machine: pause the GPU work (default) or run on
  --on-battery pause|run   pause on battery (default) or run on
  --schedule SPEC          compute only at these local times, e.g. 'mon-fri 18:00-08:00, sat-sun'
                           (a span over midnight belongs to the day it starts); 'always': any time
  --max-other-cpu P        pause while other programs use more than P% of the CPU; 'off' (default)
  --idle-command CMD       a command printing the idle time in seconds, instead of the built-in
                           idle detection`

export type PolicyUpdate = { -readonly [K in keyof VolunteerPolicy]?: VolunteerPolicy[K] }

/** The policy flags among `values` (parseArgs' values; other keys are ignored). */
export function parsePolicyFlags (values: Readonly<Record<string, unknown>>): PolicyUpdate {
  const update: PolicyUpdate = {}
  const text = (name: string): string | undefined => typeof values[name] === 'string' ? values[name] : undefined

  const when = text('when')
  if (when != null) update.when = choice('--when', when, ['always', 'idle'])
  const idleAfter = text('idle-after')
  if (idleAfter != null) {
    const ms = asUsage('--idle-after', () => parseDuration(idleAfter))
    if (ms < 1_000) throw new UsageError(`--idle-after: '${idleAfter}' is too short (at least 1s)`)
    update.idleAfterMs = ms
  }
  const gpu = text('gpu-when-active')
  if (gpu != null) update.gpuWhenActive = choice('--gpu-when-active', gpu, ['pause', 'run'])
  const battery = text('on-battery')
  if (battery != null) update.onBattery = choice('--on-battery', battery, ['pause', 'run'])
  const schedule = text('schedule')
  if (schedule != null) {
    if (['always', 'off', 'none'].includes(schedule.trim().toLowerCase())) update.schedule = undefined
    else update.schedule = asUsage('--schedule', () => parseSchedule(schedule)).spec
  }
  const cpu = text('max-other-cpu')
  if (cpu != null) update.maxOtherCpu = percentage('--max-other-cpu', cpu)
  const command = text('idle-command')
  if (command != null) {
    if (command.trim() === '') throw new UsageError('--idle-command: no command given (it should print the idle time in seconds)')
    update.idleCommand = command
  }
  return update
}

/** `mesh snooze DURATION|off`: the time the snooze ends (epoch ms), undefined for `off`. */
export function parseSnooze (value: string, now: number, subject = 'snooze'): number | undefined {
  if (value.trim().toLowerCase() === 'off') return undefined
  const ms = asUsage(subject, () => parseDuration(value))
  if (ms <= 0) throw new UsageError(`${subject}: '${value}' is no time at all (give e.g. 30m, or 'off' to resume)`)
  return now + ms
}

function choice<const T extends string> (flag: string, value: string, options: readonly T[]): T {
  const lower = value.trim().toLowerCase()
  if (!(options as readonly string[]).includes(lower)) throw new UsageError(`${flag}: '${value}' is not one of ${options.join(', ')}`)
  return lower as T
}

function percentage (flag: string, value: string): number | undefined {
  const text = value.trim().replace(/%$/, '')
  if (text.toLowerCase() === 'off') return undefined
  const number = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN
  if (!(number >= 0 && number <= 100)) throw new UsageError(`${flag}: '${value}' is not a percentage between 0 and 100 (or 'off')`)
  return number
}

/** A PolicyError's problem, under the flag's name. */
function asUsage<T> (flag: string, parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof PolicyError) throw new UsageError(`${flag}: ${err.problem}`)
    throw err
  }
}
