import { KERNEL_TIME_LIMIT_REASON, LeaseStatus, MAX_LEASES_PER_RESPONSE, RejectCode, ResultStatus, SignedReceipt, WorkErrorCode, WorkErrorResponse, verifyReceipt, type ChunkLease, type Work } from '../../protocols/work/index.ts'
import { emit, type MeshEventSink } from '../coordinator/events.ts'
import { bytesOf, floatsOf } from '../coordinator/floats.ts'
import { movingAverage } from '../coordinator/lease-duration.ts'
import { sleep } from './abortable-sleep.ts'
import { KERNEL_TIME_SLACK, MAX_CACHED_SHARD_BYTES, PAUSE_FINISH_MS } from './constants.ts'
import { KernelTimeoutError, LoopBudgetError } from '../../compute/errors.ts'
import { MemoryCapError } from '../../compute/device.ts'
import { earnedReceiptKey } from './ledger.ts'
import { SharedInputs, type VolunteerBlobs } from './shared-inputs.ts'
import { ShardCache } from './shard-cache.ts'
import { STATE_INPUT } from '../../compute/rounds.ts'
import { chunkOutputRows, type ChunkWork, type InputShape, type Kernel } from '../../compute/kernel.ts'
import type { ComputeLimits } from '../../compute/gpu-program.ts'
import type { BlobTransfer } from '../../protocols/blob/index.ts'
import type { ProjectManifest } from '../../protocols/manifest-codec.ts'
import type { MeshStore } from '../../store/store.ts'
import type { VolunteerPrefs, VolunteerStatus } from '../types.ts'
import type { Logger, PeerId } from '@libp2p/interface'
import { RelayedConnectionError } from '../../protocols/direct-stream.ts'
import type { DirectPath } from '../network/reachability.ts'

/** Where the volunteer computes: a ComputeDevice. */
export interface VolunteerDevice {
  readonly info: { readonly description: string, readonly backend?: string, readonly limits?: ComputeLimits }
  run (work: ChunkWork, options?: { signal?: AbortSignal, timeoutMs?: number }): Promise<Float32Array>
}

export type RunOutcome = 'done' | 'failed' | 'refused' | 'unsupported' | 'timed-out' | 'unreachable' | 'max-chunks' | 'stopped'

export interface VolunteerRunSummary {
  readonly projectId: string
  /**
   * done/failed: the project finished; refused: the researcher refused this
   * peer; unreachable: the researcher could not be reached or did not serve
   * the project for the patience period; unsupported: this peer's device
   * cannot compute the project (it cuts the kernel's loops short);
   * timed-out: a chunk ran past its time limit and its compute was killed.
   */
  readonly outcome: RunOutcome
  readonly reason?: string
  readonly chunksComputed: number
  readonly receipts: number
  readonly creditsFlops: number
}

export interface WorkerTuning {
  readonly retryMinMs: number
  readonly retryMaxMs: number
  readonly researcherPatienceMs: number
  readonly maxComputeFailures: number
  readonly submitAttempts: number
  readonly defaultHeartbeatMs: number
  readonly releaseTimeoutMs: number
  readonly kernelTimeFloorMs: number
  /** The volunteer's own cap on one chunk's compute time, if set. */
  readonly maxChunkTimeMs?: number
}

export interface WorkerInit {
  readonly project: Pick<ProjectManifest, 'id' | 'owner' | 'kernel' | 'inputs' | 'outputCols' | 'rowsPerChunk' | 'chunkCount'>
  readonly owner: PeerId
  readonly selfId: string
  readonly kernel: Kernel<any>
  readonly params: unknown
  readonly work: Work
  readonly blob: BlobTransfer
  readonly store: Pick<MeshStore, 'ledger'>
  readonly blobs: VolunteerBlobs
  readonly device: VolunteerDevice
  readonly events: MeshEventSink
  readonly prefs: () => VolunteerPrefs
  /** Why computing must stop now (paused in the prefs, or by the volunteer's policy); undefined: it may go on. */
  readonly pausedBecause: () => string | undefined
  /** Dispatches 'change' when prefs change (to wake a paused loop). */
  readonly prefsChanged: EventTarget
  readonly maxChunks: number
  readonly signal: AbortSignal
  readonly log: Logger
  readonly tuning: WorkerTuning
  /** The path to a peer (reachability.ts): leases come over direct connections only, and when there is none this says why. */
  readonly directPath?: (peer: PeerId) => Pick<DirectPath, 'state' | 'reason'>
}

type LeaseOutcome =
  | { kind: 'leased' }
  | { kind: 'wait', ms: number }
  | { kind: 'finished', outcome: RunOutcome, reason: string }

/** A lease waiting in this volunteer's queue, with the time its lease request took. */
interface QueuedLease {
  readonly lease: ChunkLease
  readonly fetchMs: number
}

/**
 * One volunteer's work on one project: lease, fetch shared inputs once,
 * compute, hand in, repeat. Leases are requested while a chunk computes and
 * results are handed in while the next one computes, so the device is never
 * waiting on the network; a volunteer whose chunks take less than a lease
 * round trip asks for several chunks at once and keeps them queued. Leases
 * are renewed by heartbeat and released when the loop ends.
 */
export class ProjectWorker {
  state: VolunteerStatus['state'] = 'waiting'
  currentChunk?: number
  chunksComputed = 0
  creditsFlops = 0
  receipts = 0
  lastError?: string
  private gflops?: number
  private readonly held = new Map<string, ChunkLease>()
  private readonly dropped = new Set<string>()
  private readonly earned = new Set<string>()
  private readonly shared: SharedInputs
  /** A rounds project's shard rows from earlier rounds, by chunk index within the round (the researcher then leaves them out). */
  private readonly shards = new ShardCache(MAX_CACHED_SHARD_BYTES)
  private readonly shapes: InputShape[]
  private readonly deviceName: string
  /** Leased chunks not yet computed, in the order they came. */
  private queue: QueuedLease[] = []
  /** The lease request in flight, if any. */
  private asking?: Promise<LeaseOutcome>
  /** Not before this time (a researcher's retry hint or a back-off) is the next lease asked for. */
  private askAfter = 0
  /** Moving averages of a lease round trip and of a chunk's compute time, which size the queue. */
  private leaseMs?: number
  private computeMs?: number
  private submitting: Promise<void> = Promise.resolve()
  /** Hand-ins queued or in flight. */
  private submissions = 0
  private heartbeatTimer?: ReturnType<typeof setTimeout>
  private heartbeatMs: number
  private retryMs: number
  /** When the researcher last served this project (a lease answer other than unknown project). */
  private lastServed = Date.now()
  /** Whether `work:no-direct-path` was emitted for the current lack of a direct path. */
  private saidNoDirectPath = false
  private computeFailures = 0
  private stopReason?: { outcome: RunOutcome, reason: string }
  /** Aborted a grace period after stop: a lease granted while stopping still arrives, and is released. */
  private readonly grace = new AbortController()

  constructor (private readonly init: WorkerInit) {
    this.shared = new SharedInputs(init.blob, init.blobs, init.owner)
    this.shapes = init.project.inputs.map(({ name, rows, cols }) => ({ name, rows, cols }))
    this.deviceName = init.device.info.backend == null ? init.device.info.description : `${init.device.info.description} (${init.device.info.backend})`
    this.heartbeatMs = init.tuning.defaultHeartbeatMs
    this.retryMs = init.tuning.retryMinMs
  }

  status (): VolunteerStatus {
    return {
      projectId: this.init.project.id,
      state: this.state,
      currentChunk: this.currentChunk,
      chunksComputed: this.chunksComputed,
      creditsFlops: this.creditsFlops,
      receipts: this.receipts,
      lastError: this.lastError
    }
  }

  async run (): Promise<VolunteerRunSummary> {
    const { signal, maxChunks } = this.init
    // Stopping gives the leases back at once; the chunk being computed is abandoned.
    const releaseOnStop = (): void => {
      void this.releaseHeld()
      setTimeout(() => { this.grace.abort() }, this.init.tuning.releaseTimeoutMs).unref()
    }
    signal.addEventListener('abort', releaseOnStop, { once: true })
    this.scheduleHeartbeat()
    let finished: { outcome: RunOutcome, reason?: string } = { outcome: 'stopped' }
    try {
      while (!signal.aborted) {
        if (this.stopReason != null) {
          finished = this.stopReason
          break
        }
        if (this.chunksComputed >= maxChunks) {
          finished = { outcome: 'max-chunks' }
          break
        }
        if (this.init.pausedBecause() != null) {
          await this.releaseQueued()
          await this.waitWhilePaused()
          continue
        }
        const next = this.queue.shift()
        if (next == null) {
          const waitMs = this.askAfter - Date.now()
          if (this.asking == null && waitMs > 0) {
            this.setState('waiting')
            await sleep(waitMs, signal)
            continue
          }
          await this.ask()
          continue
        }
        if (this.dropped.has(next.lease.leaseId)) continue
        if (this.wantsMore()) void this.ask()
        await this.compute(next.lease, next.fetchMs)
      }
    } finally {
      signal.removeEventListener('abort', releaseOnStop)
      await this.releaseQueued()
      this.grace.abort()
      await this.submitting
      clearTimeout(this.heartbeatTimer)
      this.heartbeatTimer = undefined
      await this.releaseHeld()
      this.currentChunk = undefined
      this.setState('stopped')
    }
    return { projectId: this.init.project.id, ...finished, chunksComputed: this.chunksComputed, receipts: this.receipts, creditsFlops: this.creditsFlops }
  }

  /**
   * How many chunks to hold besides the one computing: enough to cover a
   * lease round trip (at least one, so the next chunk is always there).
   */
  private queueDepth (): number {
    if (this.leaseMs == null || this.computeMs == null) return 1
    return Math.min(MAX_LEASES_PER_RESPONSE, Math.max(1, Math.ceil(this.leaseMs / Math.max(this.computeMs, 0.1))))
  }

  private wantsMore (): boolean {
    const planned = this.chunksComputed + 1 + this.queue.length
    return this.asking == null && Date.now() >= this.askAfter && planned < this.init.maxChunks && this.queue.length < this.queueDepth()
  }

  /** Asks for as many chunks as the queue lacks (one request at a time); what comes lands in the queue. */
  private async ask (): Promise<LeaseOutcome> {
    if (this.asking == null) {
      const count = Math.max(1, Math.min(this.queueDepth() - this.queue.length, this.init.maxChunks - this.chunksComputed - this.queue.length))
      this.asking = this.requestLease(count).then(outcome => {
        this.asking = undefined
        if (outcome.kind === 'wait') this.askAfter = Date.now() + outcome.ms
        else if (outcome.kind === 'finished') this.stopReason ??= { outcome: outcome.outcome, reason: outcome.reason }
        return outcome
      })
    }
    return await this.asking
  }

  /** Gives back the queued chunks (and any granted by the request in flight). */
  private async releaseQueued (): Promise<void> {
    if (this.asking != null) await this.asking
    const ids = this.queue.map(q => q.lease.leaseId)
    this.queue = []
    await this.release(ids)
  }

  private setState (state: VolunteerStatus['state']): void {
    if (this.state === state) return
    this.state = state
    emit(this.init.events, 'work:status', this.status())
  }

  private async waitWhilePaused (): Promise<void> {
    const { pausedBecause, prefsChanged, signal } = this.init
    this.setState('paused')
    await new Promise<void>(resolve => {
      const check = (): void => {
        if (pausedBecause() != null && !signal.aborted) return
        prefsChanged.removeEventListener('change', check)
        signal.removeEventListener('abort', check)
        resolve()
      }
      prefsChanged.addEventListener('change', check)
      signal.addEventListener('abort', check, { once: true })
      check()
    })
  }

  private async requestLease (count: number): Promise<LeaseOutcome> {
    const { work, owner, project, signal, tuning } = this.init
    const started = performance.now()
    try {
      // Not the stop signal: a lease granted while stopping must arrive so it can be released.
      const heldChunks = this.shards.chunks()
      const { answer, receipts } = await work.lease(owner, { projectId: project.id, device: this.deviceName, gflops: this.gflops ?? 0, count, heldChunks }, { signal: this.grace.signal })
      await this.keepReceipts(receipts)
      if (answer.status === LeaseStatus.UNKNOWN_PROJECT) return this.notServed(answer.message)
      this.retryMs = tuning.retryMinMs
      this.lastServed = Date.now()
      switch (answer.status) {
        case LeaseStatus.LEASED: {
          const fetchMs = performance.now() - started
          const leases = [...(answer.lease == null ? [] : [answer.lease]), ...answer.more]
          const usable: ChunkLease[] = []
          const unusable: string[] = []
          for (const lease of leases) {
            const problem = this.leaseProblem(lease)
            if (problem == null && !this.held.has(lease.leaseId)) usable.push(lease)
            else {
              this.lastError = `unusable lease: ${problem ?? 'a lease id given twice'}`
              unusable.push(lease.leaseId)
            }
          }
          if (leases.length === 0) this.lastError = 'unusable lease: no lease in the answer'
          if (unusable.length > 0) await this.release(unusable)
          if (usable.length === 0) return { kind: 'wait', ms: this.backoff() }
          this.leaseMs = movingAverage(this.leaseMs, fetchMs)
          for (const lease of usable) {
            this.held.set(lease.leaseId, lease)
            if (lease.heartbeatMs > 0) this.heartbeatMs = Math.min(this.heartbeatMs, lease.heartbeatMs)
            this.queue.push({ lease, fetchMs: fetchMs / usable.length })
          }
          return { kind: 'leased' }
        }
        case LeaseStatus.PROJECT_DONE:
          return { kind: 'finished', outcome: 'done', reason: answer.message }
        case LeaseStatus.PROJECT_FAILED:
          return { kind: 'finished', outcome: 'failed', reason: answer.message }
        case LeaseStatus.REFUSED:
          return { kind: 'finished', outcome: 'refused', reason: answer.message }
        case LeaseStatus.TOO_MANY_LEASES:
          // A slot frees as soon as one of our hand-ins is accepted: ask again then, not after the generic hint.
          if (this.submissions > 0) {
            await this.submitting
            return { kind: 'wait', ms: 0 }
          }
          return { kind: 'wait', ms: Math.max(answer.retryAfterMs, tuning.retryMinMs) }
        default:
          return { kind: 'wait', ms: Math.max(answer.retryAfterMs, tuning.retryMinMs) }
      }
    } catch (err: any) {
      if (signal.aborted) return { kind: 'wait', ms: 0 }
      if (err instanceof RelayedConnectionError) return this.relayedOnly()
      this.saidNoDirectPath = false
      // A researcher that restarted is unreachable, then answers NOT_SERVING until it has resumed its projects.
      if (!(err instanceof WorkErrorResponse && err.code === WorkErrorCode.NOT_SERVING)) this.lastError = `lease request failed: ${err?.message ?? err}`
      return this.notServed(err?.message ?? String(err))
    }
  }

  /**
   * Only a relayed connection to the researcher: no lease over it. While
   * hole punching is tried the volunteer waits; when it failed it says so
   * (once) and keeps asking until its patience with the researcher ends.
   */
  private relayedOnly (): LeaseOutcome {
    const { owner, project, events } = this.init
    const path = this.init.directPath?.(owner)
    if (path?.state === 'no-direct-path') {
      this.lastError = `no direct connection to the researcher (only through a relay, which carries no chunks): ${path.reason ?? 'hole punching failed'}`
      if (!this.saidNoDirectPath) emit(events, 'work:no-direct-path', { projectId: project.id, researcher: owner.toString(), reason: this.lastError })
      this.saidNoDirectPath = true
    } else {
      this.lastError = 'only a relayed connection to the researcher so far (hole punching is under way); chunks move over direct connections only'
    }
    return this.notServed(this.lastError)
  }

  /** The researcher did not serve the project this time: wait and ask again, up to the patience period. */
  private notServed (reason: string): LeaseOutcome {
    if (Date.now() - this.lastServed > this.init.tuning.researcherPatienceMs) return { kind: 'finished', outcome: 'unreachable', reason }
    return { kind: 'wait', ms: this.backoff() }
  }

  /** The chunk's rows: from the lease, or a rounds project's shard held from an earlier round (kept for the next one). */
  private rowsOf (lease: ChunkLease): Float32Array | undefined {
    const { kernel, params, project } = this.init
    if (kernel.rounds?.(params) == null) return floatsOf(lease.rows)
    const local = lease.chunk - (lease.round ?? 0) * project.chunkCount
    if (lease.rowsHeld === true) return this.shards.get(local)
    const rows = floatsOf(lease.rows)
    this.shards.keep(local, rows)
    return rows
  }

  private backoff (): number {
    const ms = this.retryMs
    this.retryMs = Math.min(this.init.tuning.retryMaxMs, this.retryMs * 2)
    return ms
  }

  /**
   * Why a lease does not describe a chunk of the project this peer agreed to
   * compute (its signed manifest): the researcher may not change the shapes,
   * the chunking or the shared inputs behind the manifest's back.
   */
  private leaseProblem (lease: ChunkLease): string | undefined {
    const { project, kernel, params } = this.init
    const rows = lease.rowEnd - lease.rowStart
    if (lease.projectId !== project.id) return `it is for project ${lease.projectId}`
    // rowCols 0: a wgsl project's index-only items, which carry no bytes.
    if (rows <= 0 || lease.outputCols <= 0 || lease.rowCols < 0) return 'empty row range or shape'
    const rounds = kernel.rounds?.(params) != null
    const round = lease.round ?? 0
    if (!rounds && round !== 0) return `it is for round ${round} of a project without rounds`
    const local = lease.chunk - round * project.chunkCount
    if (lease.rowsHeld === true) {
      if (lease.rows.byteLength !== 0 || !this.shards.has(local)) return `it leaves out the rows of chunk ${lease.chunk}, which this peer does not hold`
    } else if (lease.rows.byteLength !== rows * lease.rowCols * 4) return `${lease.rows.byteLength} row bytes for ${rows}x${lease.rowCols} fp32`
    const split = project.inputs.find(input => input.name === kernel.splitInput)
    if (split == null || lease.rowCols !== split.cols || lease.outputCols !== project.outputCols) return `a ${rows}x${lease.rowCols} -> ${lease.outputCols} columns chunk is not of the manifest's shapes`
    const { rowStart, rowEnd } = lease
    if (local < 0 || local >= project.chunkCount || rowStart !== local * project.rowsPerChunk || rowEnd !== Math.min(split.rows, rowStart + project.rowsPerChunk)) {
      return `chunk ${lease.chunk} with rows ${rowStart}..${rowEnd} is not one of the manifest's chunks`
    }
    const sharedNames: readonly string[] = kernel.sharedInputs(params)
    const declared = project.inputs.filter(input => sharedNames.includes(input.name))
    // A rounds project's state changes each round (its hash with it), never its shape.
    const same = lease.shared.length === declared.length && declared.every(input => lease.shared.some(s =>
      s.name === input.name && (s.hash === input.hash || (rounds && input.name === STATE_INPUT)) && s.size === input.size && s.rows === input.rows && s.cols === input.cols))
    if (!same) return 'its shared inputs are not the manifest\'s'
    return undefined
  }

  private async compute (lease: ChunkLease, leaseFetchMs: number): Promise<void> {
    const { device, kernel, params, events, project, signal, prefs, tuning, log } = this.init
    this.currentChunk = lease.chunk
    let shared
    try {
      this.setState('fetching')
      shared = await this.shared.load(lease.shared, signal)
    } catch (err: any) {
      if (signal.aborted) return
      this.lastError = `fetching shared inputs failed: ${err?.message ?? err}`
      log.error('fetching shared inputs of %s failed - %e', project.id, err)
      await this.release([lease.leaseId])
      await sleep(this.backoff(), signal)
      return
    }
    this.setState('computing')
    const range = { index: lease.chunk, rowStart: lease.rowStart, rowEnd: lease.rowEnd }
    const rows = this.rowsOf(lease)
    if (rows == null) {
      // Evicted since the lease was asked for (the cache is bounded): the researcher sends the rows next time.
      this.lastError = `the rows of chunk ${lease.chunk} are no longer held`
      await this.release([lease.leaseId])
      return
    }
    const work: ChunkWork = { kernel: project.kernel, params, range, rows, rowCols: lease.rowCols, shared: shared.matrices, round: lease.round ?? 0 }
    const started = performance.now()
    const timeoutMs = this.timeLimitMs(lease)
    // A pause lets a chunk that ends within a few seconds finish; a longer one is abandoned and handed back at once.
    const chunk = new AbortController()
    const onPause = (): void => {
      if (this.init.pausedBecause() == null) return
      void this.releaseQueued()
      const remainingMs = (this.computeMs ?? Infinity) - (performance.now() - started)
      if (remainingMs > PAUSE_FINISH_MS) chunk.abort()
    }
    this.init.prefsChanged.addEventListener('change', onPause)
    let output: Float32Array
    try {
      output = await device.run(work, { signal: AbortSignal.any([signal, chunk.signal]), timeoutMs })
    } catch (err: any) {
      if (signal.aborted) return
      if (chunk.signal.aborted) {
        log('handing back chunk %d of %s: %s', lease.chunk, project.id, this.init.pausedBecause() ?? 'paused')
        await this.release([lease.leaseId])
        return
      }
      if (err instanceof KernelTimeoutError) {
        // The device process was killed and restarts; the project's kernel is what is wrong: leave it, keep the peer up.
        this.lastError = `chunk ${lease.chunk}: ${err.message}`
        log('leaving %s: %s', project.id, this.lastError)
        await this.release([lease.leaseId, ...this.queue.map(q => q.lease.leaseId)], KERNEL_TIME_LIMIT_REASON)
        this.queue = []
        this.stopReason = { outcome: 'timed-out', reason: this.lastError }
        return
      }
      if (err instanceof LoopBudgetError || err instanceof MemoryCapError) {
        // Not a result, and no later chunk would be: say why and decline the project on this device.
        this.lastError = `${device.info.description}: ${err.message}`
        log('declining %s: %s', project.id, this.lastError)
        await this.release([lease.leaseId, ...[...this.held.keys()].filter(id => id !== lease.leaseId)], err.message)
        this.stopReason = { outcome: 'unsupported', reason: this.lastError }
        return
      }
      this.computeFailures++
      this.lastError = `computing chunk ${lease.chunk} failed: ${err?.message ?? err}`
      log.error('computing chunk %d of %s failed - %e', lease.chunk, project.id, err)
      await this.release([lease.leaseId])
      if (this.computeFailures >= tuning.maxComputeFailures) this.stopReason = { outcome: 'failed', reason: this.lastError }
      return
    } finally {
      this.init.prefsChanged.removeEventListener('change', onPause)
    }
    const computeMs = performance.now() - started
    this.computeFailures = 0
    this.chunksComputed++
    const flops = kernel.flops(params, this.shapes, range)
    if (computeMs > 0) this.gflops = movingAverage(this.gflops, flops / computeMs / 1e6)
    this.computeMs = movingAverage(this.computeMs, computeMs)
    emit(events, 'work:chunk-computed', { projectId: project.id, chunk: lease.chunk, computeMs, flops })
    if (!this.dropped.has(lease.leaseId)) {
      const expectedLength = chunkOutputRows(kernel, params, range) * lease.outputCols
      if (output.length !== expectedLength) log.error('device returned %d values for chunk %d, expected %d', output.length, lease.chunk, expectedLength)
      this.submissions++
      this.submitting = this.submitting.then(async () => {
        try {
          await this.submit(lease, output, computeMs, leaseFetchMs + shared.ms, shared.bytes)
        } finally {
          this.submissions--
        }
      })
    }
    this.currentChunk = undefined
    const duty = prefs().maxDutyCycle
    if (duty > 0 && duty < 1) {
      this.setState('idle')
      await sleep(computeMs * (1 / duty - 1), signal)
    }
  }

  /** How long this chunk may compute before its process is killed. */
  private timeLimitMs (lease: ChunkLease): number {
    const { kernelTimeFloorMs, maxChunkTimeMs } = this.init.tuning
    const expected = this.computeMs == null ? lease.deadlineMs : KERNEL_TIME_SLACK * this.computeMs
    return Math.round(Math.min(maxChunkTimeMs ?? Infinity, Math.max(kernelTimeFloorMs, expected)))
  }

  /** Hands in a result (retrying network failures); never throws. */
  private async submit (lease: ChunkLease, output: Float32Array, computeMs: number, fetchMs: number, blobBytes: number): Promise<void> {
    const { work, owner, signal, tuning, log } = this.init
    for (let attempt = 1; attempt <= tuning.submitAttempts && !signal.aborted; attempt++) {
      try {
        const { answer, receipts } = await work.submit(owner, {
          leaseId: lease.leaseId,
          result: bytesOf(output),
          computeMs: Math.round(computeMs),
          fetchMs: Math.round(fetchMs),
          blobBytes
        }, { signal })
        this.held.delete(lease.leaseId)
        await this.keepReceipts(answer.receipt == null ? receipts : [answer.receipt, ...receipts])
        if (answer.status === ResultStatus.REJECTED) {
          this.lastError = `result of chunk ${lease.chunk} rejected (${answer.code}): ${answer.message}`
          log('%s', this.lastError)
          if (answer.code === RejectCode.BANNED || answer.code === RejectCode.MISMATCH) this.stopReason = { outcome: 'refused', reason: answer.message }
        }
        return
      } catch (err: any) {
        this.lastError = `handing in chunk ${lease.chunk} failed: ${err?.message ?? err}`
        if (err instanceof WorkErrorResponse || signal.aborted) return
        await sleep(this.backoff(), signal)
      }
    }
  }

  /** Stores receipts that the project's researcher really signed for this peer. */
  private async keepReceipts (signed: readonly SignedReceipt[]): Promise<void> {
    const { project, selfId, store, log } = this.init
    for (const s of signed) {
      const verified = await verifyReceipt(s)
      if (verified == null || verified.receipt.volunteer !== selfId || verified.receipt.researcher !== project.owner) {
        log.error('dropped a receipt that is not signed by %s for this peer', project.owner)
        continue
      }
      const { receipt } = verified
      const key = earnedReceiptKey(receipt.projectId, receipt.chunk)
      if (this.earned.has(key)) continue
      await store.ledger.put(key, SignedReceipt.encode(s))
      this.earned.add(key)
      this.receipts++
      this.creditsFlops += receipt.flops
      emit(this.init.events, 'work:status', this.status())
    }
  }

  private scheduleHeartbeat (): void {
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeat().finally(() => { if (this.heartbeatTimer != null) this.scheduleHeartbeat() })
    }, this.heartbeatMs)
    this.heartbeatTimer.unref()
  }

  private async heartbeat (): Promise<void> {
    if (this.held.size === 0) return
    const { work, owner, signal, log } = this.init
    try {
      const { answer, receipts } = await work.heartbeat(owner, { leaseIds: [...this.held.keys()], gflops: this.gflops ?? 0 }, { signal })
      for (const id of answer.dropped) {
        this.dropped.add(id)
        this.held.delete(id)
      }
      await this.keepReceipts(receipts)
    } catch (err: any) {
      if (!signal.aborted) log('heartbeat failed - %s', err?.message ?? err)
    }
  }

  private async releaseHeld (): Promise<void> {
    await this.release([...this.held.keys()])
  }

  /** Gives leases back so their chunks are requeued at once (best effort, bounded in time). */
  private async release (leaseIds: string[], reason?: string): Promise<void> {
    for (const id of leaseIds) this.held.delete(id)
    if (leaseIds.length === 0) return
    try {
      await this.init.work.release(this.init.owner, { leaseIds, ...(reason != null ? { reason } : {}) }, { signal: AbortSignal.timeout(this.init.tuning.releaseTimeoutMs) })
    } catch (err: any) {
      this.init.log('releasing %d leases failed - %s', leaseIds.length, err?.message ?? err)
    }
  }
}
