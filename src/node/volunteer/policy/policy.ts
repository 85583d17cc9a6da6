/**
 * When this machine computes for others (DESIGN.md section 12): data, kept
 * in the store next to the volunteer preferences, set by the UI and by the
 * flags of `mesh volunteer`.
 */
export interface VolunteerPolicy {
  /** `idle`: only after `idleAfterMs` without keyboard or mouse input. */
  readonly when: 'always' | 'idle'
  readonly idleAfterMs: number
  /**
   * What the GPU does while the user is active (with `when: 'idle'`).
   * `pause` stops the GPU work until the machine has been idle long enough;
   * `run` lets it go on. The compute of this project is all on the GPU, so
   * `run` means the user's activity pauses nothing.
   */
  readonly gpuWhenActive: 'pause' | 'run'
  readonly onBattery: 'pause' | 'run'
  /** Days and hours when computing is allowed (schedule.ts); undefined: at all times. */
  readonly schedule?: string
  /** Pause while other processes use more than this percent of all cores; undefined: off. */
  readonly maxOtherCpu?: number
  /** Pause everything until this time (epoch ms); past or undefined: not snoozed. */
  readonly snoozeUntil?: number
  /** A shell command printing the idle time in seconds, used instead of the built-in idle detection. */
  readonly idleCommand?: string
}

/** The defaults of a headless volunteer (`mesh volunteer`, `mesh serve --volunteer`): it was asked to compute. */
export const DEFAULT_POLICY: VolunteerPolicy = Object.freeze({
  when: 'always',
  idleAfterMs: 3 * 60_000,
  gpuWhenActive: 'pause',
  onBattery: 'pause'
})

/** The defaults of the terminal UI, where a person works at the machine: compute when it is idle. */
export const UI_DEFAULT_POLICY: VolunteerPolicy = Object.freeze({ ...DEFAULT_POLICY, when: 'idle' })

/** The defaults for a peer started headless or with the UI. */
export function defaultPolicy (mode: 'headless' | 'ui'): VolunteerPolicy {
  return mode === 'ui' ? UI_DEFAULT_POLICY : DEFAULT_POLICY
}
