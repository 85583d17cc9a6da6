import { TypedEventEmitter } from '@libp2p/interface'
import { evaluatePolicy, policyNeeds, sameState, type PolicyState } from './engine.ts'
import { checkPolicy } from './store.ts'
import { problemText, type CpuLoadSource, type CpuReading, type IdleSource, type PowerReading, type PowerSource } from './sources.ts'
import type { VolunteerPolicy } from './policy.ts'

/** Polled once a second: a change of state takes effect within a second (issue 13). */
export const POLICY_POLL_MS = 1_000
/** A pause for CPU load holds until other programs stayed under the limit this long, so it does not flap. */
export const CPU_HOLD_MS = 5_000
/** A source that takes longer than this to answer is taken as unavailable for that poll. */
export const READ_TIMEOUT_MS = 2_000

export interface PolicyChange {
  readonly state: PolicyState
  readonly previous?: PolicyState
}

export interface PolicyWatcherEvents {
  /** The state reads differently: compute, reason or notes (while the user is active, the idle clock in the reason changes each second). */
  change: CustomEvent<PolicyChange>
}

export interface PolicyWatcherInit {
  readonly policy: VolunteerPolicy
  /** Absent: the policy's idle rule reads `unavailable` (computing by schedule only). */
  readonly idle?: IdleSource
  readonly power?: PowerSource
  readonly cpu?: CpuLoadSource
  readonly now?: () => number
  /** At most POLICY_POLL_MS in use; smaller in tests. */
  readonly intervalMs?: number
  readonly cpuHoldMs?: number
  readonly readTimeoutMs?: number
}

/**
 * Polls the sources the policy needs, evaluates the policy and emits
 * `change` when the state reads differently. Polls never overlap: a slow
 * source delays the next one, and one slower than `readTimeoutMs` counts as
 * unavailable for that poll.
 *
 * @example
 * ```ts
 * const idle = await selectIdleBackend({ idleCommand: policy.idleCommand })
 * const watcher = new PolicyWatcher({ policy, idle: idle.source, power: (await selectPowerBackend()).source, cpu: cpuLoadSource() })
 * watcher.addEventListener('change', evt => { console.log(stateText(evt.detail.state)) })
 * await watcher.start()
 * ```
 */
export class PolicyWatcher extends TypedEventEmitter<PolicyWatcherEvents> {
  private current: VolunteerPolicy
  private last?: PolicyState
  private readonly init: PolicyWatcherInit
  private readonly now: () => number
  private readonly intervalMs: number
  private readonly cpuHoldMs: number
  private readonly readTimeoutMs: number
  private timer?: ReturnType<typeof setTimeout>
  private running = false
  private queue: Promise<unknown> = Promise.resolve()
  private power?: { reading: PowerReading, at: number }
  private cpuHistory: Array<{ at: number, percent: number }> = []

  constructor (init: PolicyWatcherInit) {
    super()
    this.init = init
    this.current = checkPolicy(init.policy)
    this.now = init.now ?? Date.now
    this.intervalMs = init.intervalMs ?? POLICY_POLL_MS
    this.cpuHoldMs = init.cpuHoldMs ?? CPU_HOLD_MS
    this.readTimeoutMs = init.readTimeoutMs ?? READ_TIMEOUT_MS
  }

  /** The state of the last poll; undefined before start(). */
  get state (): PolicyState | undefined {
    return this.last
  }

  get policy (): VolunteerPolicy {
    return this.current
  }

  /** Evaluates once (so `state` is set when it resolves), then polls until stop(). */
  async start (): Promise<PolicyState> {
    if (!this.running) {
      this.running = true
      const state = await this.refresh()
      this.arm()
      return state
    }
    return this.last ?? await this.refresh()
  }

  stop (): void {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Changes the policy (e.g. a snooze, or the UI's settings) and evaluates it at once; a bad field throws a PolicyError and changes nothing. */
  async setPolicy (update: Partial<VolunteerPolicy>): Promise<PolicyState> {
    this.current = checkPolicy({ ...this.current, ...update })
    return await this.refresh()
  }

  /** Polls now, after any poll in progress. */
  async refresh (): Promise<PolicyState> {
    const next = this.queue.then(async () => await this.poll())
    this.queue = next.catch(() => {})
    return await next
  }

  private arm (): void {
    if (!this.running) return
    this.timer = setTimeout(() => {
      this.refresh().catch(() => {}).finally(() => { this.arm() })
    }, this.intervalMs)
    // The watcher informs the volunteer loop; it does not keep the process alive by itself.
    this.timer.unref?.()
  }

  private async poll (): Promise<PolicyState> {
    const policy = this.current
    const needs = policyNeeds(policy)
    const [idle, power, cpu] = await Promise.all([
      needs.idle ? this.read(this.init.idle == null ? undefined : async () => await this.init.idle!.readIdle()) : undefined,
      needs.power ? this.readPower() : undefined,
      needs.cpu ? this.readCpu() : undefined
    ])
    const state = evaluatePolicy(policy, {
      now: this.now(),
      ...(idle != null ? { idle } : {}),
      ...(power != null ? { power } : {}),
      ...(cpu != null ? { cpu } : {})
    })
    const previous = this.last
    this.last = state
    if (!sameState(previous, state)) this.safeDispatchEvent('change', { detail: { state, ...(previous != null ? { previous } : {}) } })
    return state
  }

  private async readPower (): Promise<PowerReading> {
    const source = this.init.power
    const now = this.now()
    // Dear sources (PowerShell) are asked less often; a cheap one (sysfs) every poll.
    if (this.power != null && source?.pollMs != null && now - this.power.at < source.pollMs) return this.power.reading
    const reading = await this.read(source == null ? undefined : async () => await source.readPower())
    this.power = { reading, at: now }
    return reading
  }

  private async readCpu (): Promise<CpuReading> {
    const reading = await this.read(this.init.cpu == null ? undefined : async () => await this.init.cpu!.readCpu())
    if (!('percent' in reading)) return reading
    const now = this.now()
    this.cpuHistory = this.cpuHistory.filter(entry => now - entry.at < this.cpuHoldMs)
    this.cpuHistory.push({ at: now, percent: reading.percent })
    return { percent: Math.max(...this.cpuHistory.map(entry => entry.percent)) }
  }

  private async read<T extends object> (reader: (() => Promise<T>) | undefined): Promise<T | { unavailable: string }> {
    if (reader == null) return { unavailable: 'no source on this machine' }
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      return await Promise.race([
        reader(),
        new Promise<{ unavailable: string }>(resolve => {
          timer = setTimeout(() => { resolve({ unavailable: `no answer within ${this.readTimeoutMs} ms` }) }, this.readTimeoutMs)
        })
      ])
    } catch (err) {
      return { unavailable: problemText(err) }
    } finally {
      clearTimeout(timer)
    }
  }
}
