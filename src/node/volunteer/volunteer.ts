import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter, type Libp2p, type Logger } from '@libp2p/interface'
import { getKernel as builtinKernel } from '../../compute/kernels/index.ts'
import { InputError } from '../../errors.ts'
import { emit, type MeshEventMap, type MeshEventSink } from '../coordinator/events.ts'
import * as defaults from './constants.ts'
import { deviceFitProblem } from './device-fit.ts'
import { CustomCodeNotAcceptedError, VolunteerBusyError } from './errors.ts'
import { ProjectWorker, type VolunteerDevice, type VolunteerRunSummary, type WorkerInit, type WorkerTuning } from './project-worker.ts'
import type { Kernel } from '../../compute/kernel.ts'
import type { BlobTransfer } from '../../protocols/blob/index.ts'
import type { ProjectManifest } from '../../protocols/manifest-codec.ts'
import type { Work } from '../../protocols/work/index.ts'
import type { MeshStore } from '../../store/store.ts'
import type { VolunteerPrefs, VolunteerStatus } from '../types.ts'
import type { VolunteerBlobs } from './shared-inputs.ts'

/** The parts of a libp2p node the volunteer uses. */
export type VolunteerLibp2p = Pick<Libp2p<{ work: Work, blob: BlobTransfer }>, 'peerId' | 'services' | 'logger'>

/** What the volunteer's policy says now: compute, or not and why. */
export interface VolunteerGate {
  readonly compute: boolean
  readonly reason?: string
}

/** Why a volunteer with these prefs and this policy gate must not compute now; undefined: it may. */
export function pauseReason (prefs: Pick<VolunteerPrefs, 'paused'>, gate: VolunteerGate): string | undefined {
  if (prefs.paused) return 'paused in the preferences'
  return gate.compute ? undefined : gate.reason ?? 'paused by the volunteer policy'
}

export const DEFAULT_PREFS: VolunteerPrefs = { paused: false, maxDutyCycle: 1, acceptCustomWgsl: false }

export interface VolunteerInit {
  libp2p: VolunteerLibp2p
  /** Earned receipts go to its ledger. */
  store: Pick<MeshStore, 'ledger'>
  /** Shared inputs are cached here (the node's BlobStore). */
  blobs: VolunteerBlobs
  device: VolunteerDevice
  /** @default the built-in kernel registry: volunteers run nothing else */
  getKernel?: (id: string) => Kernel<any>
  /** Where events go (a MeshNode); @default a new emitter, `volunteer.events` */
  events?: MeshEventSink
  /** @default DEFAULT_PREFS */
  prefs?: Partial<VolunteerPrefs>
  /** @default RETRY_MIN_MS */
  retryMinMs?: number
  /** @default RETRY_MAX_MS */
  retryMaxMs?: number
  /** @default RESEARCHER_PATIENCE_MS */
  researcherPatienceMs?: number
  /** @default MAX_COMPUTE_FAILURES */
  maxComputeFailures?: number
  /** @default SUBMIT_ATTEMPTS */
  submitAttempts?: number
  /** @default DEFAULT_HEARTBEAT_MS */
  defaultHeartbeatMs?: number
  /** @default RELEASE_TIMEOUT_MS */
  releaseTimeoutMs?: number
  /** Shortest time limit of a chunk's compute. @default KERNEL_TIME_FLOOR_MS */
  kernelTimeFloorMs?: number
  /** The volunteer's cap on one chunk's compute time (`--max-chunk-time`). @default none */
  maxChunkTimeMs?: number
  /** Projects whose shared inputs are larger are refused. @default MAX_SHARED_INPUT_BYTES */
  maxSharedInputBytes?: number
  /** The path to a researcher, so a volunteer reached only through a relay says why it takes no chunks. @default none */
  directPath?: WorkerInit['directPath']
}

export interface JoinOptions {
  /** Stop after computing this many chunks. @default unlimited */
  maxChunks?: number
  /** The person accepted this project's researcher-written WGSL, whatever the prefs say. @default false */
  acceptCustomWgsl?: boolean
  /** Stops the run like `stop()`. */
  signal?: AbortSignal
}

/**
 * This peer as a volunteer: works on one project at a time with the loop in
 * project-worker.ts, honours its preferences (paused, duty cycle, custom
 * WGSL), and keeps the receipts it earns.
 */
export class Volunteer {
  readonly events: MeshEventSink & EventTarget
  private readonly init: VolunteerInit
  private readonly getKernel: (id: string) => Kernel<any>
  private readonly log: Logger
  private readonly tuning: WorkerTuning
  private readonly maxSharedInputBytes: number
  private readonly prefsChanged = new EventTarget()
  private currentPrefs: VolunteerPrefs
  private gate: VolunteerGate = { compute: true }
  private worker?: ProjectWorker
  private controller?: AbortController
  private running?: Promise<VolunteerRunSummary>
  private last?: VolunteerStatus

  constructor (init: VolunteerInit) {
    this.init = init
    this.getKernel = init.getKernel ?? builtinKernel
    this.events = (init.events as (MeshEventSink & EventTarget) | undefined) ?? new TypedEventEmitter<MeshEventMap>()
    this.log = init.libp2p.logger.forComponent('mesh:volunteer')
    this.currentPrefs = checkPrefs({ ...DEFAULT_PREFS, ...init.prefs })
    this.tuning = {
      retryMinMs: init.retryMinMs ?? defaults.RETRY_MIN_MS,
      retryMaxMs: init.retryMaxMs ?? defaults.RETRY_MAX_MS,
      researcherPatienceMs: init.researcherPatienceMs ?? defaults.RESEARCHER_PATIENCE_MS,
      maxComputeFailures: init.maxComputeFailures ?? defaults.MAX_COMPUTE_FAILURES,
      submitAttempts: init.submitAttempts ?? defaults.SUBMIT_ATTEMPTS,
      defaultHeartbeatMs: init.defaultHeartbeatMs ?? defaults.DEFAULT_HEARTBEAT_MS,
      releaseTimeoutMs: init.releaseTimeoutMs ?? defaults.RELEASE_TIMEOUT_MS,
      kernelTimeFloorMs: init.kernelTimeFloorMs ?? defaults.KERNEL_TIME_FLOOR_MS,
      ...(init.maxChunkTimeMs != null ? { maxChunkTimeMs: init.maxChunkTimeMs } : {})
    }
    this.maxSharedInputBytes = init.maxSharedInputBytes ?? defaults.MAX_SHARED_INPUT_BYTES
  }

  prefs (): VolunteerPrefs {
    return this.currentPrefs
  }

  /** Changes preferences; a paused loop resumes at once when `paused` turns false. */
  setPrefs (update: Partial<VolunteerPrefs>): void {
    this.currentPrefs = checkPrefs({ ...this.currentPrefs, ...update })
    this.prefsChanged.dispatchEvent(new Event('change'))
    if (this.worker != null) emit(this.events, 'work:status', this.status())
  }

  /**
   * Opens or closes the volunteer's policy gate (idle, battery, schedule,
   * snooze...): closed, the loop takes no new lease, hands back the chunks it
   * queued and the one computing unless it ends within PAUSE_FINISH_MS.
   */
  setGate (gate: VolunteerGate): void {
    if (gate.compute === this.gate.compute && gate.reason === this.gate.reason) return
    this.gate = gate
    this.prefsChanged.dispatchEvent(new Event('change'))
    if (this.worker != null) emit(this.events, 'work:status', this.status())
  }

  /** Why computing must stop now, or undefined. */
  pausedBecause (): string | undefined {
    return pauseReason(this.currentPrefs, this.gate)
  }

  status (): VolunteerStatus {
    const status = this.worker?.status() ?? this.last ?? { state: 'idle', chunksComputed: 0, creditsFlops: 0, receipts: 0 }
    const pausedReason = this.pausedBecause()
    return pausedReason == null ? status : { ...status, pausedReason }
  }

  /**
   * Works on `project` until it is done or failed, `maxChunks` are computed,
   * the researcher refuses this peer, or `stop()`. Throws InputError for a
   * kernel that is not built in, custom WGSL not accepted in the prefs,
   * shared inputs larger than this peer accepts (maxSharedInputBytes), or
   * buffers this device cannot bind (its limits).
   */
  async join (project: ProjectManifest, options: JoinOptions = {}): Promise<VolunteerRunSummary> {
    if (this.worker != null) throw new VolunteerBusyError(this.worker.status().projectId ?? '')
    const kernel = this.getKernel(project.kernel)
    if (kernel.customCode && options.acceptCustomWgsl !== true && !this.currentPrefs.acceptCustomWgsl) throw new CustomCodeNotAcceptedError(project.id, project.kernel)
    const params = kernel.parseParams(project.params)
    const sharedNames: readonly string[] = kernel.sharedInputs(params)
    const sharedBytes = project.inputs.filter(input => sharedNames.includes(input.name)).reduce((sum, input) => sum + input.size, 0)
    if (sharedBytes > this.maxSharedInputBytes) {
      throw new InputError(`project ${project.id} needs ${(sharedBytes / 1024 ** 3).toFixed(1)} GiB of shared inputs, more than the ${(this.maxSharedInputBytes / 1024 ** 3).toFixed(1)} GiB this peer accepts`)
    }
    const unfit = deviceFitProblem(kernel, params, project, this.init.device.info.limits)
    if (unfit != null) throw new InputError(`project ${project.id} does not fit ${this.init.device.info.description}: ${unfit}`)
    const controller = new AbortController()
    const onAbort = (): void => { controller.abort() }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    if (options.signal?.aborted === true) controller.abort()
    const worker = new ProjectWorker({
      project,
      owner: peerIdFromString(project.owner),
      selfId: this.init.libp2p.peerId.toString(),
      kernel,
      params,
      work: this.init.libp2p.services.work,
      blob: this.init.libp2p.services.blob,
      store: this.init.store,
      blobs: this.init.blobs,
      device: this.init.device,
      events: this.events,
      prefs: () => this.currentPrefs,
      pausedBecause: () => this.pausedBecause(),
      prefsChanged: this.prefsChanged,
      maxChunks: options.maxChunks ?? Infinity,
      signal: controller.signal,
      log: this.log,
      tuning: this.tuning,
      ...(this.init.directPath != null ? { directPath: this.init.directPath } : {})
    })
    this.worker = worker
    this.controller = controller
    const running = worker.run()
    this.running = running
    try {
      const summary = await running
      this.log('left %s: %s after %d chunks%s', project.id, summary.outcome, summary.chunksComputed, summary.reason == null ? '' : ` (${summary.reason})`)
      return summary
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
      this.last = worker.status()
      this.worker = undefined
      this.controller = undefined
      this.running = undefined
    }
  }

  /** Stops the current run: leases are released, the current chunk's compute is awaited. */
  async stop (): Promise<void> {
    const running = this.running
    this.controller?.abort()
    await running?.catch(() => {})
  }
}

function checkPrefs (prefs: VolunteerPrefs): VolunteerPrefs {
  if (!(prefs.maxDutyCycle > 0 && prefs.maxDutyCycle <= 1)) {
    throw new InputError(`max duty cycle must be in (0, 1] (got ${prefs.maxDutyCycle})`)
  }
  return prefs
}
