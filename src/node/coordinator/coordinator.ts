import { randomUUID } from 'node:crypto'
import { TypedEventEmitter, type Logger, type PeerId, type PrivateKey } from '@libp2p/interface'
import { RateLimiter } from '@libp2p/utils'
import { openComputeDevice, type ComputeDevice } from '../../compute/device.ts'
import { getKernel as builtinKernel } from '../../compute/kernels/index.ts'
import { decodeSignedManifest, type ProjectManifest } from '../../protocols/manifest-codec.ts'
import { dataDirProblem } from '../../store/store.ts'
import { KERNEL_TIME_LIMIT_REASON, LeaseStatus, MAX_LEASE_BYTES, MAX_LEASES_PER_RESPONSE, RejectCode, ResultStatus, type ChunkLease, type Heartbeat, type HeartbeatResponse, type LeaseAsk, type LeaseResponse, type Release, type ReleaseResponse, type ResultResponse, type ResultSubmission, type SignedReceipt, type WorkRequestContext } from '../../protocols/work/index.ts'
import * as defaults from './constants.ts'
import { UnknownProjectError } from './errors.ts'
import { emit, type MeshEventMap, type MeshEventSink } from './events.ts'
import { ownFloatsOf } from './floats.ts'
import { leaseDurationMs, movingAverage, type LeaseDurationOptions } from './lease-duration.ts'
import { loadProjectRun } from './load-project.ts'
import { closeRound, closeRoundOnQuorum, enterNextRound, type RoundContext } from './round-closing.ts'
import { STATE_INPUT } from '../../compute/rounds.ts'
import { listProjectRecords, type WorkProjectRecord } from './records.ts'
import { verifyChunk, type SpotCheckDeviceKind, type Verdict, type VerifyContext } from './verify-chunk.ts'
import { workHandlerFor } from './work-handler.ts'
import type { ChunkRun, Lease, PendingResult } from './chunk-run.ts'
import type { CoordinatorInit, CoordinatorLibp2p } from './init.ts'
import type { InputBlobs } from './project-inputs.ts'
import type { ProjectRun, ProjectRunLimits, VolunteerTally } from './project-run.ts'
import type { CoordinatorSnapshot } from './snapshot.ts'
import { chunkOutputRows, type Kernel } from '../../compute/kernel.ts'
import type { MeshStore } from '../../store/store.ts'
import type { AnnouncedProgress } from '../../protocols/announce.ts'

/** Why a lease ended; `failure` ones count toward the chunk's failure cap. */
interface LeaseEnd {
  readonly reason: string
  readonly failure: boolean
  /** Requeue it now (emit chunk:requeued) when the chunk needs a copy again. */
  readonly requeue: boolean
}

interface EndedLease {
  readonly lease: Lease
  readonly reason: string
}

const RETURNED: LeaseEnd = { reason: 'result returned', failure: false, requeue: false }
const DONE_ELSEWHERE: LeaseEnd = { reason: 'chunk verified from another copy', failure: false, requeue: false }
const PROJECT_OVER: LeaseEnd = { reason: 'project finished', failure: false, requeue: false }
const ROUND_OVER: LeaseEnd = { reason: 'round closed without this chunk', failure: false, requeue: false }

/**
 * The researcher's side of the work protocol (DESIGN.md sections 4 and 7):
 * hands out chunk leases, requeues chunks whose volunteer left, went silent
 * or ran out of time, verifies results by the project's policy, and writes
 * each verified result with its chunk record and signed receipts in one
 * batch. Chunk states survive restarts; leases do not (they are requeued).
 */
export class Coordinator {
  readonly events: MeshEventSink & EventTarget
  private readonly libp2p: CoordinatorLibp2p
  private readonly store: MeshStore
  private readonly blobs: InputBlobs
  private readonly privateKey: PrivateKey
  private readonly getKernel: (id: string) => Kernel<any>
  private readonly random: () => number
  private readonly openSpotCheckDevice: (kind: SpotCheckDeviceKind) => Promise<ComputeDevice>
  private readonly spotCheckDevices = new Map<SpotCheckDeviceKind, Promise<ComputeDevice>>()
  private readonly log: Logger
  private readonly selfId: string
  private readonly heartbeatIntervalMs: number
  private readonly heartbeatTimeoutMs: number
  private readonly sweepIntervalMs: number
  private readonly leaseDuration: LeaseDurationOptions
  private readonly maxChunkFailures: number
  private readonly maxKernelTimeouts: number
  private readonly maxExtraReplicas: number
  private readonly maxLeasesPerPeer: number
  private readonly noWorkRetryMs: number
  private readonly roundWaitMs: number
  private readonly limits: ProjectRunLimits
  private readonly rateLimiter: RateLimiter
  private readonly projects = new Map<string, ProjectRun>()
  private readonly adding = new Map<string, Promise<ProjectRun>>()
  private readonly leases = new Map<string, { run: ProjectRun, lease: Lease }>()
  private readonly ended = new Map<string, EndedLease>()
  private readonly pendingReceipts = new Map<string, SignedReceipt[]>()
  /** Per volunteer, the output bytes of the largest chunk it was leased: the largest result frame it may send. */
  private readonly resultAllowance = new Map<string, number>()
  private readonly finishWaiters = new Set<() => void>()
  private sweepTimer?: ReturnType<typeof setInterval>
  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => { this.volunteerGone(evt.detail.toString(), 'connection closed') }

  constructor (init: CoordinatorInit) {
    this.libp2p = init.libp2p
    this.store = init.store
    this.blobs = init.blobs
    this.privateKey = init.privateKey
    this.getKernel = init.getKernel ?? builtinKernel
    this.events = (init.events as (MeshEventSink & EventTarget) | undefined) ?? new TypedEventEmitter<MeshEventMap>()
    this.random = init.random ?? Math.random
    this.openSpotCheckDevice = init.openSpotCheckDevice ?? (async (kind) => await openComputeDevice(kind === 'cpu' ? { prefer: 'cpu' } : {}))
    this.log = init.libp2p.logger.forComponent('mesh:coordinator')
    this.selfId = init.libp2p.peerId.toString()
    this.heartbeatIntervalMs = init.heartbeatIntervalMs ?? defaults.HEARTBEAT_INTERVAL_MS
    this.heartbeatTimeoutMs = init.heartbeatTimeoutMs ?? defaults.HEARTBEAT_TIMEOUT_MS
    this.sweepIntervalMs = init.sweepIntervalMs ?? defaults.SWEEP_INTERVAL_MS
    this.leaseDuration = {
      unknownSpeedLeaseMs: init.unknownSpeedLeaseMs ?? defaults.UNKNOWN_SPEED_LEASE_MS,
      minLeaseMs: init.minLeaseMs ?? defaults.MIN_LEASE_MS,
      maxLeaseMs: init.maxLeaseMs ?? defaults.MAX_LEASE_MS,
      slackFactor: init.leaseSlackFactor ?? defaults.LEASE_SLACK_FACTOR
    }
    this.maxChunkFailures = init.maxChunkFailures ?? defaults.MAX_CHUNK_FAILURES
    this.maxKernelTimeouts = init.maxKernelTimeouts ?? defaults.MAX_KERNEL_TIMEOUTS
    this.maxExtraReplicas = init.maxExtraReplicas ?? defaults.MAX_EXTRA_REPLICAS
    this.maxLeasesPerPeer = init.maxLeasesPerPeer ?? defaults.MAX_LEASES_PER_PEER
    this.noWorkRetryMs = init.noWorkRetryMs ?? defaults.NO_WORK_RETRY_MS
    this.roundWaitMs = init.roundWaitMs ?? defaults.ROUND_WAIT_MS
    this.limits = {
      maxTimelineEntries: init.maxTimelineEntries ?? defaults.MAX_TIMELINE_ENTRIES,
      maxResponseSamples: init.maxResponseSamples ?? defaults.MAX_RESPONSE_SAMPLES,
      maxBackupsPerChunk: init.maxBackupsPerChunk ?? defaults.MAX_BACKUPS_PER_CHUNK,
      backupAgeFactor: defaults.BACKUP_AGE_FACTOR,
      backupMinAgeMs: init.backupMinAgeMs ?? defaults.BACKUP_MIN_AGE_MS
    }
    this.rateLimiter = new RateLimiter({ points: init.leaseRequestsPerSecond ?? defaults.LEASE_REQUESTS_PER_SECOND, duration: 1 })
  }

  /** Starts answering the work protocol and watching volunteers' connections. */
  start (): void {
    this.libp2p.services.work.serve(workHandlerFor(this))
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.sweepTimer = setInterval(() => { this.sweep(Date.now()) }, this.sweepIntervalMs)
    this.sweepTimer.unref()
  }

  /** Stops serving. In-flight leases are forgotten; chunk states stay in the store for the next start. */
  stop (): void {
    this.libp2p.services.work.serve(undefined)
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    clearInterval(this.sweepTimer)
    this.sweepTimer = undefined
    this.leases.clear()
    for (const run of this.projects.values()) run.wakeRoundWaiters()
    this.projects.clear()
    this.resultAllowance.clear()
    for (const device of this.spotCheckDevices.values()) device.then(async opened => { await opened.destroy() }).catch(() => {})
    this.spotCheckDevices.clear()
    this.wakeWaiters()
  }

  /**
   * Coordinates an own project: new, or resumed from the store (verified
   * chunks stay verified; everything else is queued again). Idempotent.
   * Throws InputError when the project is not ours or its inputs are missing.
   */
  async addProject (manifest: ProjectManifest): Promise<void> {
    if (this.projects.has(manifest.id)) return
    let adding = this.adding.get(manifest.id)
    if (adding == null) {
      adding = this.loadProject(manifest)
      this.adding.set(manifest.id, adding)
    }
    try {
      const run = await adding
      this.projects.set(run.id, run)
    } finally {
      this.adding.delete(manifest.id)
    }
  }

  /** Adds every own project the store says is still running; returns their ids. One that cannot be resumed is logged and skipped. */
  async resume (): Promise<string[]> {
    const resumed: string[] = []
    for (const record of await listProjectRecords(this.store)) {
      if (record.status !== 'running') continue
      const signed = await this.store.projects.get(record.projectId)
      if (signed == null) {
        this.log.error('project %s has a work record but no manifest; not resumed', record.projectId)
        continue
      }
      try {
        await this.addProject(await decodeSignedManifest(signed))
        resumed.push(record.projectId)
      } catch (err: any) {
        this.log.error('project %s cannot be resumed - %e', record.projectId, err)
      }
    }
    return resumed
  }

  projectIds (): string[] {
    return [...this.projects.keys()]
  }

  /** Live progress of a coordinated project (what the announcer publishes). */
  progress (projectId: string): AnnouncedProgress | undefined {
    const run = this.projects.get(projectId)
    if (run == null) return undefined
    let volunteers = 0
    for (const tally of run.volunteers.values()) if (tally.status === 'active') volunteers++
    return { done: run.doneChunks, total: run.totalChunks, volunteers, status: run.status }
  }

  /** Raw records of a coordinated project for the figures (see snapshot.ts). */
  snapshot (projectId: string): CoordinatorSnapshot | undefined {
    return this.projects.get(projectId)?.snapshot()
  }

  /** Resolves when the project is done or failed (or the coordinator stops). */
  async waitUntilFinished (projectId: string, signal?: AbortSignal): Promise<WorkProjectRecord['status']> {
    const run = this.projects.get(projectId)
    if (run == null) throw new UnknownProjectError(projectId)
    while (run.status === 'running' && this.projects.get(projectId) === run) {
      signal?.throwIfAborted()
      await new Promise<void>(resolve => {
        const wake = (): void => {
          this.finishWaiters.delete(wake)
          signal?.removeEventListener('abort', wake)
          resolve()
        }
        this.finishWaiters.add(wake)
        signal?.addEventListener('abort', wake, { once: true })
      })
    }
    return run.status
  }

  // --- the work protocol's requests (see work-handler.ts) ---

  async leaseNextChunk (peer: PeerId, request: LeaseAsk, context: WorkRequestContext): Promise<LeaseResponse> {
    const started = performance.now()
    const volunteer = peer.toString()
    const run = this.projects.get(request.projectId)
    const answer = (status: LeaseStatus, message: string, retryAfterMs = 0): LeaseResponse => ({ status, message, retryAfterMs, more: [] })
    if (run == null) return answer(LeaseStatus.UNKNOWN_PROJECT, `no project ${request.projectId} here`)
    if (run.status === 'done') return answer(LeaseStatus.PROJECT_DONE, 'project is done')
    if (run.status === 'failed') return answer(LeaseStatus.PROJECT_FAILED, run.failure ?? 'project failed')
    if (run.banned.has(volunteer)) return answer(LeaseStatus.REFUSED, 'a result of yours was wrong: no more work from this project')
    try {
      this.rateLimiter.consume(volunteer)
    } catch (err: any) {
      return answer(LeaseStatus.RATE_LIMITED, 'too many lease requests', Math.max(100, Number(err?.msBeforeNext) || 1000))
    }
    const now = Date.now()
    const tally = run.tally(volunteer, now)
    tally.lastSeen = now
    tally.status = 'active'
    tally.device = request.device
    if (request.gflops > 0) tally.declaredGflops = request.gflops
    if (tally.leases.size >= this.maxLeasesPerPeer) {
      return answer(LeaseStatus.TOO_MANY_LEASES, `at most ${this.maxLeasesPerPeer} leases at once`, this.noWorkRetryMs)
    }
    // A rounds project's volunteer says which shards it still holds; those go to it again, without their rows.
    const held = run.rounds != null && request.heldChunks != null && request.heldChunks.length > 0 ? new Set(request.heldChunks) : undefined
    let pick = run.pickChunk(volunteer, now, held)
    if (pick == null && run.rounds != null && !run.hasQueuedWork()) {
      // The round's last chunks are in flight: the next round starts as soon as they are verified, so wait for it here.
      await run.untilNextRound(this.roundWaitMs)
      // The round closed the project: say so at once, as a request that found it over would hear.
      const status = run.status as WorkProjectRecord['status']
      if (status === 'done') return answer(LeaseStatus.PROJECT_DONE, 'project is done')
      if (status === 'failed') return answer(LeaseStatus.PROJECT_FAILED, run.failure ?? 'project failed')
      if (this.projects.get(run.id) !== run) return answer(LeaseStatus.NO_WORK, 'the researcher is stopping', this.noWorkRetryMs)
      pick = run.pickChunk(volunteer, Date.now(), held)
      // Still the same round (its last chunks take longer than the wait): ask again at once, to be held again.
      if (pick == null && !run.hasQueuedWork()) return answer(LeaseStatus.NO_WORK, 'the round\'s last chunks are still being computed', 0)
    }
    if (pick == null) {
      if (tally.leases.size === 0) tally.status = 'idle'
      return answer(LeaseStatus.NO_WORK, 'every chunk is leased; ask again soon', this.noWorkRetryMs)
    }
    const first = await this.grantLease(run, tally, volunteer, pick, now, held)
    // A fast volunteer asks for several chunks at once; extras are fresh chunks only (a backup copy is never queued
    // behind other work) and stop at the per-peer cap and half the lease frame, so the answer always fits.
    const more: ChunkLease[] = []
    const wanted = Math.min(request.count ?? 1, MAX_LEASES_PER_RESPONSE) - 1
    let bytes = first.rows.byteLength
    while (more.length < wanted && tally.leases.size < this.maxLeasesPerPeer && bytes < MAX_LEASE_BYTES / 2) {
      const extra = run.pickChunk(volunteer, now, held)
      if (extra == null || extra.backup || run.status !== 'running') break
      const lease = await this.grantLease(run, tally, volunteer, extra, now, held)
      bytes += lease.rows.byteLength
      more.push(lease)
    }
    run.sample(performance.now() - started + context.readMs)
    return { status: LeaseStatus.LEASED, message: '', retryAfterMs: 0, lease: first, more }
  }

  /**
   * Leases one picked chunk to a volunteer. Its deadline counts the leases the
   * volunteer already holds, which it computes first.
   */
  private async grantLease (
    run: ProjectRun, tally: VolunteerTally, volunteer: string, { chunk, backup }: { chunk: ChunkRun, backup: boolean }, now: number, held?: ReadonlySet<number>
  ): Promise<ChunkLease> {
    const ahead = tally.leases.size
    const lease: Lease = {
      id: randomUUID(),
      projectId: run.id,
      chunk: chunk.index,
      volunteer,
      issuedAt: now,
      deadline: now + (ahead + 1) * leaseDurationMs(chunk.flops, tally.observedGflops ?? tally.declaredGflops, this.leaseDuration),
      backup,
      lastSeen: now,
      expired: false,
      payloadBytes: 0
    }
    chunk.leases.set(lease.id, lease)
    if (run.rounds != null) run.rounds.run.startedAt ??= now
    chunk.attempts++
    if (backup) chunk.backups++
    chunk.leasedAt = now
    tally.leases.add(lease.id)
    this.leases.set(lease.id, { run, lease })
    const resultBytes = chunkOutputRows(run.kernel, run.params, chunk.range) * run.manifest.outputCols * 4
    if (resultBytes > (this.resultAllowance.get(volunteer) ?? 0)) this.resultAllowance.set(volunteer, resultBytes)
    const rowsHeld = held?.has(chunk.index - (run.rounds?.run.base ?? 0)) === true
    let rows: Uint8Array
    try {
      rows = rowsHeld ? new Uint8Array(0) : await run.inputs.rows(chunk.range.rowStart, chunk.range.rowEnd)
    } catch (err: any) {
      this.log.error('cannot read the rows of chunk %d of %s - %e', chunk.index, run.id, err)
      this.endLease(run, lease, { reason: 'input unreadable', failure: true, requeue: false })
      throw err
    }
    lease.payloadBytes = rows.byteLength
    emit(this.events, 'chunk:leased', { projectId: run.id, chunk: chunk.index, volunteer, ...(run.rounds != null ? { round: run.rounds.run.round, rowsHeld } : {}) })
    run.note('leased', `chunk ${chunk.index} leased to ${short(volunteer)}${backup ? ' (backup copy)' : ''}`, now)
    return this.leaseMessage(run, chunk, lease, rows, rowsHeld)
  }

  async acceptResult (peer: PeerId, submission: ResultSubmission, context: WorkRequestContext): Promise<ResultResponse> {
    const volunteer = peer.toString()
    const found = this.leases.get(submission.leaseId) ?? this.endedLeaseOf(submission.leaseId)
    if (found == null || found.lease.volunteer !== volunteer) {
      return reject(RejectCode.UNKNOWN_LEASE, 'no such lease was given to you')
    }
    const { run, lease } = found
    for (;;) {
      // Verification is one result at a time per project; the write of a verified chunk is awaited outside, so that
      // the results verified while one batch is in flight share the next (group commit).
      const verdict = await run.serial(async () => await this.handleResult(run, lease, volunteer, submission, context))
      if ('busy' in verdict) {
        await verdict.busy
        continue
      }
      return 'answer' in verdict ? await verdict.answer : verdict
    }
  }

  /**
   * One result, in the project's serial section: checks, then verification.
   * `busy` when its chunk's verified write is in flight: the result waits for
   * it and is handled again (the chunk is verified by then, or open again).
   */
  private async handleResult (run: ProjectRun, lease: Lease, volunteer: string, submission: ResultSubmission, context: WorkRequestContext): Promise<Verdict | { busy: Promise<unknown> }> {
    if (run.status !== 'running' || this.projects.get(run.id) !== run) return reject(RejectCode.NOT_ACCEPTING, `project is ${run.status}`)
    if (run.banned.has(volunteer)) return reject(RejectCode.BANNED, 'a result of yours was wrong')
    const chunk = run.chunkAt(lease.chunk)
    if (chunk == null) return reject(RejectCode.NOT_ACCEPTING, `chunk ${lease.chunk} belongs to a round that has closed`)
    if (chunk.verified) {
      this.endLease(run, lease, DONE_ELSEWHERE)
      return reject(RejectCode.ALREADY_DONE, `chunk ${chunk.index} was verified from another copy first`)
    }
    if (chunk.commit != null) return { busy: chunk.commit }
    if (chunk.submitted.has(volunteer)) return reject(RejectCode.DUPLICATE, `you already returned chunk ${chunk.index}`)
    const expectedBytes = chunkOutputRows(run.kernel, run.params, chunk.range) * run.manifest.outputCols * 4
    if (submission.result.byteLength !== expectedBytes) {
      this.endLease(run, lease, { reason: 'result of the wrong size', failure: true, requeue: true })
      return reject(RejectCode.WRONG_SIZE, `chunk ${chunk.index} has ${expectedBytes} result bytes, got ${submission.result.byteLength}`)
    }
    const now = Date.now()
    this.endLease(run, lease, RETURNED)
    const pending: PendingResult = {
      volunteer,
      leaseId: lease.id,
      output: ownFloatsOf(submission.result),
      computeMs: submission.computeMs,
      transferMs: submission.fetchMs + context.readMs,
      bytesMoved: lease.payloadBytes + submission.blobBytes + context.requestBytes,
      receivedAt: now
    }
    chunk.results.push(pending)
    chunk.submitted.add(volunteer)
    const tally = run.tally(volunteer, now)
    tally.lastSeen = now
    if (submission.computeMs > 0) tally.observedGflops = movingAverage(tally.observedGflops, chunk.flops / submission.computeMs / 1e6)
    run.leaseToResultMs = movingAverage(run.leaseToResultMs, now - lease.issuedAt)
    try {
      return await verifyChunk(this.verifyContext(), run, chunk, pending)
    } catch (err: any) {
      // Not verified (a spot check that cannot run, say): the result is dropped, so the chunk is computed again rather than wedged on it.
      return this.resultNotStored(run, chunk, pending, err)
    }
  }

  renewLeases (peer: PeerId, heartbeat: Heartbeat): HeartbeatResponse {
    const volunteer = peer.toString()
    const now = Date.now()
    const dropped: string[] = []
    for (const id of heartbeat.leaseIds) {
      const found = this.leases.get(id)
      if (found == null || found.lease.volunteer !== volunteer) {
        dropped.push(id)
        continue
      }
      found.lease.lastSeen = now
      const tally = found.run.tally(volunteer, now)
      tally.lastSeen = now
      if (heartbeat.gflops > 0) tally.declaredGflops = heartbeat.gflops
    }
    return { dropped }
  }

  releaseLeases (peer: PeerId, release: Release): ReleaseResponse {
    const volunteer = peer.toString()
    // A reason means the volunteer's device cannot compute the project: shown to the researcher, not held against the volunteer.
    const reason = (release.reason ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, defaults.MAX_RELEASE_REASON_LENGTH)
    let released = 0
    for (const id of release.leaseIds) {
      const found = this.leases.get(id)
      if (found == null || found.lease.volunteer !== volunteer) continue
      if (reason === KERNEL_TIME_LIMIT_REASON) {
        this.countKernelTimeout(found.run, volunteer, found.lease.chunk)
      } else if (reason !== '' && !found.run.deviceRefusals.has(volunteer)) {
        found.run.deviceRefusals.set(volunteer, reason)
        found.run.note('requeued', `${short(volunteer)} cannot run it: ${reason}`, Date.now())
      }
      this.endLease(found.run, found.lease, { reason: reason !== '' ? reason : 'released by the volunteer', failure: false, requeue: true })
      released++
    }
    return { released }
  }

  /**
   * A chunk ran past its time limit on a volunteer: held against the project,
   * which fails once it happened on maxKernelTimeouts volunteers (one slow
   * machine is not enough to condemn a kernel; two are).
   */
  private countKernelTimeout (run: ProjectRun, volunteer: string, chunk: number): void {
    if (run.kernelTimeouts.has(volunteer)) return
    run.kernelTimeouts.set(volunteer, chunk)
    run.note('requeued', `chunk ${chunk}: ${KERNEL_TIME_LIMIT_REASON} on ${short(volunteer)}`, Date.now())
    if (run.kernelTimeouts.size >= this.maxKernelTimeouts) {
      const chunks = [...new Set(run.kernelTimeouts.values())].sort((a, b) => a - b)
      this.failProject(run, `${KERNEL_TIME_LIMIT_REASON} on ${run.kernelTimeouts.size} volunteers (chunk${chunks.length === 1 ? '' : 's'} ${chunks.join(', ')})`)
    }
  }

  /** The largest result `peer` may hand in: the output of the largest chunk it was leased (0 before its first lease). */
  resultBytesAllowed (peer: PeerId): number {
    return this.resultAllowance.get(peer.toString()) ?? 0
  }

  takeReceipts (peer: PeerId, max: number): SignedReceipt[] {
    const key = peer.toString()
    const pending = this.pendingReceipts.get(key)
    if (pending == null) return []
    const taken = pending.splice(0, max)
    if (pending.length === 0) this.pendingReceipts.delete(key)
    return taken
  }

  // --- internals ---

  private async loadProject (manifest: ProjectManifest): Promise<ProjectRun> {
    const run = await loadProjectRun(manifest, {
      selfId: this.selfId, store: this.store, blobs: this.blobs, getKernel: this.getKernel, random: this.random, limits: this.limits, log: this.log
    })
    if (run.status === 'running' && run.open.size === 0) {
      // Every chunk is verified but the end was not recorded (a crash between the writes): record it now.
      if (run.rounds != null && !run.rounds.run.over) await closeRound(this.roundContext(), run, { loading: true })
      else await this.finishProject(run, Date.now())
    }
    return run
  }

  private leaseMessage (run: ProjectRun, chunk: ChunkRun, lease: Lease, rows: Uint8Array, rowsHeld: boolean): ChunkLease {
    const rounds = run.rounds?.run
    return {
      leaseId: lease.id,
      projectId: run.id,
      chunk: chunk.index,
      rowStart: chunk.range.rowStart,
      rowEnd: chunk.range.rowEnd,
      rowCols: run.inputs.split.cols,
      rows: rows as Uint8Array<ArrayBuffer>,
      // A rounds project's state is the current round's blob.
      shared: run.inputs.shared.map(input => ({
        name: input.name, hash: rounds != null && input.name === STATE_INPUT ? rounds.stateHash : input.hash, size: input.size, rows: input.rows, cols: input.cols
      })),
      deadlineMs: lease.deadline - lease.issuedAt,
      heartbeatMs: this.heartbeatIntervalMs,
      outputCols: run.manifest.outputCols,
      ...(rounds != null ? { round: rounds.round } : {}),
      ...(rowsHeld ? { rowsHeld: true } : {})
    }
  }

  private endedLeaseOf (id: string): { run: ProjectRun, lease: Lease } | undefined {
    const ended = this.ended.get(id)
    if (ended == null) return undefined
    const run = this.projects.get(ended.lease.projectId)
    return run == null ? undefined : { run, lease: ended.lease }
  }

  /** Ends a live lease; requeues its chunk when asked and counts failures toward the cap. */
  private endLease (run: ProjectRun, lease: Lease, end: LeaseEnd): void {
    if (this.leases.get(lease.id)?.lease !== lease) return
    this.leases.delete(lease.id)
    this.ended.set(lease.id, { lease, reason: end.reason })
    if (this.ended.size > defaults.MAX_ENDED_LEASES) this.ended.delete(this.ended.keys().next().value!)
    run.volunteers.get(lease.volunteer)?.leases.delete(lease.id)
    // A lease of a round that has closed has no chunk left to requeue.
    const chunk = run.chunkAt(lease.chunk)
    if (chunk == null) return
    chunk.leases.delete(lease.id)
    if (end.failure && !lease.expired) this.countFailure(run, chunk, end.reason)
    if (end.requeue && !lease.expired) this.announceRequeue(run, chunk, lease.volunteer, end.reason)
  }

  /** A result that could not be verified or stored (a full disk, say) is dropped: the chunk is computed again. */
  private resultNotStored (run: ProjectRun, chunk: ChunkRun, pending: PendingResult, err: unknown): ResultResponse {
    chunk.results = chunk.results.filter(r => r !== pending)
    chunk.submitted.delete(pending.volunteer)
    const reason = `result not stored: ${dataDirProblem(err)?.message ?? (err as Error)?.message ?? String(err)}`
    this.log.error('chunk %d of %s: %s', chunk.index, run.id, reason)
    this.countFailure(run, chunk, reason)
    this.announceRequeue(run, chunk, pending.volunteer, reason)
    return reject(RejectCode.NOT_ACCEPTING, 'the researcher could not store your result; the chunk is queued again')
  }

  private countFailure (run: ProjectRun, chunk: ChunkRun, reason: string): void {
    chunk.failures++
    chunk.lastFailure = reason
    if (chunk.failures >= this.maxChunkFailures && run.status === 'running') {
      this.failProject(run, `chunk ${chunk.index} failed ${chunk.failures} times (last: ${reason})`)
    }
  }

  private announceRequeue (run: ProjectRun, chunk: ChunkRun, volunteer: string, reason: string): void {
    // A chunk whose verified write is in flight is not queued again, unless that write fails (resultNotStored says so then).
    if (chunk.verified || chunk.commit != null || run.status !== 'running') return
    emit(this.events, 'chunk:requeued', { projectId: run.id, chunk: chunk.index, volunteer, reason })
    run.note('requeued', `chunk ${chunk.index} requeued from ${short(volunteer)}: ${reason}`, Date.now())
  }

  /** A volunteer's connection closed or it went silent: every lease it holds is requeued at once. */
  private volunteerGone (volunteer: string, reason: string): void {
    const started = performance.now()
    const now = Date.now()
    for (const run of this.projects.values()) {
      const tally = run.volunteers.get(volunteer)
      if (tally == null) continue
      const chunks: number[] = []
      for (const id of [...tally.leases]) {
        const found = this.leases.get(id)
        if (found == null) continue
        chunks.push(found.lease.chunk)
        this.endLease(run, found.lease, { reason, failure: true, requeue: true })
      }
      if (tally.status !== 'banned') tally.status = 'lost'
      if (chunks.length > 0) {
        emit(this.events, 'volunteer:lost', { projectId: run.id, volunteer, chunks })
        run.note('lost', `${short(volunteer)} lost (${reason}); requeued chunks ${chunks.join(', ')}`, now)
        this.log('%s lost (%s): requeued %d chunks of %s in %s ms', volunteer, reason, chunks.length, run.id, (performance.now() - started).toFixed(2))
      }
    }
  }

  /** Leases silent for longer than the heartbeat timeout end; leases past their deadline expire (their chunk is requeued). */
  private sweep (now: number): void {
    const silent = new Set<string>()
    for (const { run, lease } of [...this.leases.values()]) {
      if (now - lease.lastSeen > this.heartbeatTimeoutMs) {
        silent.add(lease.volunteer)
      } else if (!lease.expired && now > lease.deadline) {
        const chunk = run.chunkAt(lease.chunk)
        if (chunk == null) continue
        this.countFailure(run, chunk, 'lease deadline passed')
        lease.expired = true
        this.announceRequeue(run, chunk, lease.volunteer, 'lease deadline passed')
      }
    }
    for (const volunteer of silent) this.volunteerGone(volunteer, 'no heartbeat')
    for (const run of this.projects.values()) closeRoundOnQuorum(this.roundContext(), run, now)
  }

  private roundContext (): RoundContext {
    return {
      store: this.store,
      blobs: this.blobs,
      events: this.events,
      log: this.log,
      limits: this.limits,
      isCurrent: run => this.projects.get(run.id) === run,
      endDroppedLease: (run, lease) => { this.endLease(run, lease, ROUND_OVER) },
      finishProject: async (run, at, persisted) => { await this.finishProject(run, at, persisted) }
    }
  }

  private verifyContext (): VerifyContext {
    return {
      store: this.store,
      privateKey: this.privateKey,
      selfId: this.selfId,
      events: this.events,
      log: this.log,
      maxExtraReplicas: this.maxExtraReplicas,
      endLease: (run, lease) => { this.endLease(run, lease, DONE_ELSEWHERE) },
      liveLease: id => this.leases.get(id)?.lease,
      ban: (run, volunteer, reason) => { this.ban(run, volunteer, reason) },
      deliverLater: (volunteer, receipt) => {
        const pending = this.pendingReceipts.get(volunteer) ?? []
        pending.push(receipt)
        this.pendingReceipts.set(volunteer, pending)
      },
      roundClosed: async (run, closing) => { await enterNextRound(this.roundContext(), run, closing) },
      closeRound: async (run) => { await closeRound(this.roundContext(), run) },
      finishProject: async (run, at, persisted) => {
        // A write that lands after stop() finishes nothing: the store may be closing, and the next start reads the chunks.
        if (this.projects.get(run.id) === run) await this.finishProject(run, at, persisted)
      },
      notStored: (run, chunk, pending, err) => this.resultNotStored(run, chunk, pending, err),
      failProject: (run, reason) => { this.failProject(run, reason) },
      tally: (run, volunteer) => run.tally(volunteer, Date.now()),
      spotCheckDevice: async (kind) => await this.spotDevice(kind)
    }
  }

  /** A volunteer caught with a wrong result: its unverified results go, its leases end, it gets no more work here. */
  private ban (run: ProjectRun, volunteer: string, reason: string): void {
    if (run.banned.has(volunteer)) return
    run.banned.add(volunteer)
    const tally: VolunteerTally = run.tally(volunteer, Date.now())
    tally.status = 'banned'
    let discarded = 0
    for (const index of run.open) {
      const chunk = run.chunkAt(index)!
      const before = chunk.results.length
      chunk.results = chunk.results.filter(r => r.volunteer !== volunteer)
      discarded += before - chunk.results.length
    }
    for (const id of [...tally.leases]) {
      const found = this.leases.get(id)
      if (found != null) this.endLease(run, found.lease, { reason: 'volunteer banned', failure: false, requeue: true })
    }
    emit(this.events, 'volunteer:banned', { projectId: run.id, volunteer, reason })
    run.note('banned', `${short(volunteer)} banned: ${reason}; ${discarded} unverified results discarded`, Date.now())
    this.log('banned %s from %s: %s (%d unverified results discarded)', volunteer, run.id, reason, discarded)
  }

  /** Marks a project done; `persisted` when its done record was already written with the last result. */
  private async finishProject (run: ProjectRun, at: number, persisted = false): Promise<void> {
    run.status = 'done'
    run.finishedAt ??= at
    for (const chunk of run.chunks) for (const lease of [...chunk.leases.values()]) this.endLease(run, lease, PROJECT_OVER)
    if (!persisted) await this.store.projectState.put(run.id, run.record())
    emit(this.events, 'project:done', { projectId: run.id })
    run.note('done', run.rounds == null ? `all ${run.chunks.length} chunks verified` : `${run.rounds.run.closed.length} rounds closed${run.rounds.run.closed.at(-1)?.converged === true ? ' (converged)' : ''}`, at)
    this.wakeWaiters()
  }

  private failProject (run: ProjectRun, reason: string): void {
    if (run.status !== 'running') return
    const now = Date.now()
    run.status = 'failed'
    run.failure = reason
    run.finishedAt = now
    for (const chunk of run.chunks) for (const lease of [...chunk.leases.values()]) this.endLease(run, lease, PROJECT_OVER)
    this.store.projectState.put(run.id, run.record()).catch(err => { this.log.error('cannot record the failure of %s - %e', run.id, err) })
    emit(this.events, 'project:failed', { projectId: run.id, reason })
    run.note('failed', reason, now)
    this.log.error('project %s failed: %s', run.id, reason)
    this.wakeWaiters()
  }

  /** A spot-check device, opened once per kind and reused; a failed open is tried again next time. */
  private async spotDevice (kind: SpotCheckDeviceKind): Promise<ComputeDevice> {
    let device = this.spotCheckDevices.get(kind)
    if (device == null) {
      device = this.openSpotCheckDevice(kind)
      this.spotCheckDevices.set(kind, device)
    }
    try {
      return await device
    } catch (err) {
      this.spotCheckDevices.delete(kind)
      throw err
    }
  }

  private wakeWaiters (): void {
    for (const wake of [...this.finishWaiters]) wake()
    for (const run of this.projects.values()) run.wakeRoundWaiters()
  }
}

function reject (code: RejectCode, message: string): ResultResponse {
  return { status: ResultStatus.REJECTED, code, message }
}

function short (peer: string): string {
  return peer.slice(-8)
}
