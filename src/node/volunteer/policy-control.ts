import { cpuLoadSource, defaultPolicy, loadPolicy, policyNeeds, PolicyWatcher, savePolicy, selectIdleBackend, selectPowerBackend, type IdleSelection, type IdleSource, type PolicyState, type PowerSelection, type VolunteerPolicy } from './policy/index.ts'
import type { MeshEventSink } from '../coordinator/events.ts'
import { emit } from '../coordinator/events.ts'
import type { MeshStore } from '../../store/store.ts'
import type { Logger } from '@libp2p/interface'
import type { VolunteerGate } from './volunteer.ts'

export interface PolicyStart {
  /** Headless (`mesh volunteer`: compute always by default) or the terminal UI (compute when idle). */
  readonly mode: 'headless' | 'ui'
  /** The flags of this run, over what the data dir keeps. */
  readonly update?: Partial<VolunteerPolicy>
  /** Keep `update` in the data dir for later starts; default true. */
  readonly persist?: boolean
}

export interface PolicyReport {
  readonly policy: VolunteerPolicy
  readonly state: PolicyState
  /** `idle detection: ...` and `battery: ...`: what works on this machine. */
  readonly sources: string[]
  /** Stored fields that could not be read (their defaults are used). */
  readonly problems: string[]
}

/**
 * The volunteer's policy as a peer runs it: kept in the data dir, its
 * sources chosen for this machine, polled by a PolicyWatcher, and turned into
 * the gate the volunteer loop obeys. Only started by peers that volunteer.
 */
export class PolicyControl {
  private watcher?: PolicyWatcher
  /** Chosen when the policy first needs idle time: probing runs programs (a PowerShell kept running on Windows). */
  private idle?: Promise<IdleSelection>
  private idleCommand?: string
  private power?: PowerSelection
  private readonly idleSource: IdleSource = { readIdle: async () => await (await this.idleSelection()).source.readIdle() }

  constructor (private readonly init: {
    readonly store: Pick<MeshStore, 'settings'>
    readonly events: MeshEventSink
    readonly log: Logger
    /** The compute process, whose CPU use is this peer's own, not another program's. */
    readonly computePids: () => number[]
    readonly onGate: (gate: VolunteerGate) => void
  }) {}

  async start (options: PolicyStart): Promise<PolicyReport> {
    const { policy: stored, problems } = await loadPolicy(this.init.store, defaultPolicy(options.mode))
    for (const problem of problems) this.init.log('%s', problem)
    const policy = { ...stored, ...options.update }
    if (options.update != null && Object.keys(options.update).length > 0 && options.persist !== false) await savePolicy(this.init.store, policy)
    this.stop()
    this.idleCommand = policy.idleCommand
    // Probed before the first evaluation when the policy waits for idle, so that evaluation has a reading.
    const idle = policyNeeds(policy).idle ? await this.idleSelection() : undefined
    this.power = await selectPowerBackend()
    const watcher = new PolicyWatcher({ policy, idle: this.idleSource, power: this.power.source, cpu: cpuLoadSource({ exclude: this.init.computePids }) })
    watcher.addEventListener('change', ({ detail }) => {
      const { state, previous } = detail
      this.init.onGate(gateOf(state))
      if (previous != null && (previous.compute !== state.compute || previous.code !== state.code)) {
        emit(this.init.events, state.compute ? 'work:resumed' : 'work:paused', { code: state.code, ...(state.reason != null ? { reason: state.reason } : {}) })
      }
    })
    this.watcher = watcher
    const state = await watcher.start()
    this.init.onGate(gateOf(state))
    return { policy: watcher.policy, state, sources: [...(idle != null ? [idle.summary] : []), this.power.summary], problems }
  }

  private async idleSelection (): Promise<IdleSelection> {
    this.idle ??= selectIdleBackend(this.idleCommand != null ? { idleCommand: this.idleCommand } : {})
    return await this.idle
  }

  state (): PolicyState | undefined {
    return this.watcher?.state
  }

  policy (): VolunteerPolicy | undefined {
    return this.watcher?.policy
  }

  /** Changes the running policy (snooze, the UI's settings), kept in the data dir unless `persist` is false. */
  async update (update: Partial<VolunteerPolicy>, persist = true): Promise<PolicyState> {
    if (this.watcher == null) throw new Error('the volunteer policy is not running on this peer')
    const state = await this.watcher.setPolicy(update)
    if (persist) await savePolicy(this.init.store, this.watcher.policy)
    return state
  }

  stop (): void {
    this.watcher?.stop()
    this.watcher = undefined
    void this.idle?.then(selection => { selection.close() })
    this.power?.close()
    this.idle = undefined
    this.power = undefined
  }
}

function gateOf (state: PolicyState): VolunteerGate {
  return { compute: state.compute, ...(state.reason != null ? { reason: state.reason } : {}) }
}
