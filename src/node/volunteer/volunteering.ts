import { openComputeDevice, type ComputeDevice } from '../../compute/device.ts'
import { getKernel } from '../../compute/kernels/index.ts'
import { InputError } from '../../errors.ts'
import { CustomCodeNotAcceptedError, DEFAULT_PREFS, Volunteer, type VolunteerLibp2p, type VolunteerRunSummary } from './index.ts'
import { loadPrefs, savePrefs } from './prefs.ts'
import { PolicyControl } from './policy-control.ts'
import { pauseReason, type VolunteerGate } from './volunteer.ts'
import type { MeshEventSink } from '../coordinator/index.ts'
import type { VolunteerTuning } from '../config.ts'
import type { ProjectManifest } from '../../protocols/manifest-codec.ts'
import type { BlobStore } from '../../store/blob-store.ts'
import type { MeshStore } from '../../store/store.ts'
import type { DeviceSummary, VolunteerPrefs, VolunteerStatus } from '../types.ts'
import type { Logger } from '@libp2p/interface'

/** How long a run may go on after its project was announced over (the researcher answers "done" itself when it is still up). */
export const OVER_GRACE_MS = 2_000

export interface JoinOptions {
  /** The person accepted this project's researcher-written WGSL (beyond what the prefs allow). */
  readonly acceptCustomWgsl?: boolean
  /** Leave after computing this many chunks. @default unlimited */
  readonly maxChunks?: number
  /** Leaves the project when aborted. */
  readonly signal?: AbortSignal
}

/** A run on one project: started once `join` resolves; `finished` settles when this peer leaves it. */
export interface VolunteerRun {
  readonly projectId: string
  readonly finished: Promise<VolunteerRunSummary>
}

export interface SetPrefsOptions {
  /** Keep the change in the data dir for later starts; default true. */
  readonly persist?: boolean
}

export interface VolunteeringInit {
  readonly libp2p: VolunteerLibp2p
  readonly store: Pick<MeshStore, 'ledger' | 'settings'>
  readonly blobs: BlobStore
  readonly events: MeshEventSink
  readonly log: Logger
  readonly openDevice?: () => Promise<ComputeDevice>
  readonly tuning: VolunteerTuning
}

/**
 * This peer's side as a volunteer, as MeshNode offers it: the persisted
 * preferences, the compute device (opened once, when first needed, and
 * reused), and one Volunteer loop working on one project at a time.
 */
export class Volunteering {
  private current: VolunteerPrefs = DEFAULT_PREFS
  private device?: Promise<ComputeDevice>
  private volunteer?: Volunteer
  private run?: VolunteerRun
  /** The researcher announced the current project over: the run ends with this outcome rather than 'stopped'. */
  private over?: { projectId: string, outcome: 'done' | 'failed' }
  private joining: Promise<unknown> = Promise.resolve()

  private gate: VolunteerGate = { compute: true }
  readonly policy: PolicyControl

  constructor (private readonly init: VolunteeringInit) {
    this.policy = new PolicyControl({
      store: init.store,
      events: init.events,
      log: init.log,
      computePids: () => {
        const pid = this.openedDevice?.pid
        return pid == null ? [] : [pid]
      },
      onGate: gate => {
        this.gate = gate
        this.volunteer?.setGate(gate)
      }
    })
  }

  private openedDevice?: ComputeDevice & { readonly pid?: number }

  async start (): Promise<void> {
    this.current = await loadPrefs(this.init.store)
  }

  prefs (): VolunteerPrefs {
    return this.current
  }

  async setPrefs (change: Partial<VolunteerPrefs>, options: SetPrefsOptions = {}): Promise<VolunteerPrefs> {
    const next: VolunteerPrefs = { ...this.current, ...change }
    if (!(typeof next.maxDutyCycle === 'number' && next.maxDutyCycle > 0 && next.maxDutyCycle <= 1)) {
      throw new InputError(`max duty cycle must be a number in (0, 1] (got ${String(next.maxDutyCycle)})`)
    }
    if (typeof next.paused !== 'boolean' || typeof next.acceptCustomWgsl !== 'boolean') throw new InputError('paused and acceptCustomWgsl must be true or false')
    if (options.persist !== false) await savePrefs(this.init.store, next)
    this.current = next
    this.volunteer?.setPrefs(next)
    return next
  }

  status (): VolunteerStatus {
    const status = this.volunteer?.status() ?? { state: 'idle', chunksComputed: 0, creditsFlops: 0, receipts: 0 }
    const pausedReason = pauseReason(this.current, this.gate)
    if (pausedReason == null) return status
    return { ...status, pausedReason, ...(status.state === 'idle' || status.state === 'stopped' ? { state: 'paused' } : {}) }
  }

  /** The project being worked on, if any. */
  currentRun (): VolunteerRun | undefined {
    return this.run
  }

  async computeDevice (): Promise<ComputeDevice> {
    this.device ??= (this.init.openDevice ?? openComputeDevice)()
    try {
      this.openedDevice = await this.device
      return this.openedDevice
    } catch (err) {
      this.device = undefined
      throw err
    }
  }

  async deviceSummary (): Promise<DeviceSummary> {
    const { backend, featureLevel, description, fallbackReasons } = (await this.computeDevice()).info
    return { backend, featureLevel, description, fallbackReasons }
  }

  /**
   * Checks that this peer may run the project (a built-in kernel; custom
   * WGSL only when accepted), leaves the current project, and starts
   * working on this one. Throws InputError for a project it may not run.
   */
  async join (project: ProjectManifest, options: JoinOptions = {}): Promise<VolunteerRun> {
    const kernel = getKernel(project.kernel)
    const accepted = options.acceptCustomWgsl === true || this.current.acceptCustomWgsl
    if (kernel.customCode && !accepted) throw new CustomCodeNotAcceptedError(project.id, project.kernel)
    // Joins one after another (a key pressed twice): each leaves the run the one before started.
    const joining = this.joining.catch(() => {}).then(async () => await this.startRun(project, options, accepted))
    this.joining = joining
    return await joining
  }

  private async startRun (project: ProjectManifest, options: JoinOptions, accepted: boolean): Promise<VolunteerRun> {
    await this.leave()
    const device = await this.computeDevice()
    this.volunteer ??= new Volunteer({
      ...this.init.tuning,
      libp2p: this.init.libp2p,
      store: this.init.store,
      blobs: this.init.blobs,
      device,
      events: this.init.events,
      prefs: this.current
    })
    const volunteer = this.volunteer
    volunteer.setPrefs(this.current)
    volunteer.setGate(this.gate)
    this.over = undefined
    const finished = volunteer.join(project, {
      ...(options.maxChunks != null ? { maxChunks: options.maxChunks } : {}),
      ...(options.signal != null ? { signal: options.signal } : {}),
      acceptCustomWgsl: accepted
    }).then(summary => {
      const over = this.over
      if (summary.outcome !== 'stopped' || over?.projectId !== project.id) return summary
      return { ...summary, outcome: over.outcome, reason: `the researcher announced the project ${over.outcome}` }
    })
    const run: VolunteerRun = { projectId: project.id, finished }
    this.run = run
    finished.catch((err: Error) => { this.init.log.error('volunteering for %s ended with an error - %e', project.id, err) })
      .finally(() => { if (this.run === run) this.run = undefined })
    return run
  }

  /**
   * The researcher announced that a project is done or failed: if it is the
   * current one, stop at once rather than wait for its peer to answer (it
   * may already have stopped).
   */
  async projectOver (projectId: string, outcome: 'done' | 'failed'): Promise<void> {
    const run = this.run
    if (run?.projectId !== projectId) return
    this.over = { projectId, outcome }
    // A result being handed in still earns its receipt when the researcher is up: let the loop end by itself first.
    await Promise.race([run.finished.catch(() => {}), new Promise(resolve => setTimeout(resolve, OVER_GRACE_MS).unref())])
    if (this.run === run) await this.leave()
  }

  /** Stops working on the current project, releasing its leases. */
  async leave (): Promise<void> {
    await this.volunteer?.stop()
  }

  async stop (): Promise<void> {
    this.policy.stop()
    await this.leave()
    const device = this.device
    this.device = undefined
    await (await device?.catch(() => undefined))?.destroy()
  }
}
