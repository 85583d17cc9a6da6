import type { ChunkRun } from './chunk-run.ts'
import type { ClosingRound, RoundRun } from './round-run.ts'
import type { ProjectInputs } from './project-inputs.ts'
import type { WorkProjectRecord, WorkProjectStatus } from './records.ts'
import type { CoordinatorSnapshot, VolunteerSnapshot } from './snapshot.ts'
import type { InputShape, Kernel, SharedMatrix } from '../../compute/kernel.ts'
import { STATE_INPUT } from '../../compute/rounds.ts'
import type { ProjectManifest } from '../../protocols/manifest-codec.ts'
import type { Receipt } from '../metrics.ts'
import type { TimelineEntry } from '../types.ts'

/** What the coordinator knows about one volunteer of one project. */
export interface VolunteerTally {
  readonly peer: string
  device: string
  declaredGflops?: number
  observedGflops?: number
  status: 'active' | 'idle' | 'lost' | 'banned'
  readonly leases: Set<string>
  readonly firstSeen: number
  lastSeen: number
  verified: number
  flops: number
  computeMs: number
}

export interface ProjectRunLimits {
  readonly maxTimelineEntries: number
  readonly maxResponseSamples: number
  readonly maxBackupsPerChunk: number
  readonly backupAgeFactor: number
  readonly backupMinAgeMs: number
}

/** In-memory state of one own project being coordinated. */
export class ProjectRun {
  status: WorkProjectStatus
  failure?: string
  finishedAt?: number
  mismatches: number
  spotChecks: number
  /** Why this peer cannot spot-check the project (its device cuts the kernel's loops); its chunks then rely on redundancy. */
  spotCheckUnavailable?: string
  /** Volunteers whose devices cannot compute the project, with their reason (see Release.reason). */
  readonly deviceRefusals = new Map<string, string>()
  /** Volunteers on which a chunk ran past its time limit, with the chunk (see KERNEL_TIME_LIMIT_REASON). */
  readonly kernelTimeouts = new Map<string, number>()
  readonly startedAt: number
  /** Chunks not verified yet, in index order. */
  readonly open = new Set<number>()
  readonly volunteers = new Map<string, VolunteerTally>()
  readonly banned = new Set<string>()
  readonly timeline: TimelineEntry[] = []
  readonly receipts: Receipt[] = []
  readonly responseSamples: number[] = []
  /** Typical time from lease to result on this project (moving average), ms. */
  leaseToResultMs?: number
  private tail: Promise<unknown> = Promise.resolve()
  private readonly roundWaiters = new Set<() => void>()

  constructor (
    readonly manifest: ProjectManifest,
    readonly kernel: Kernel,
    readonly params: unknown,
    readonly shapes: readonly InputShape[],
    readonly inputs: ProjectInputs,
    /** The chunks being computed: all of them, or in a rounds project the current round's. */
    public chunks: readonly ChunkRun[],
    record: WorkProjectRecord,
    private readonly limits: ProjectRunLimits,
    /** An iterative project's rounds, with how to plan a round's chunks from its first index. */
    readonly rounds?: { readonly run: RoundRun, readonly plan: (base: number) => ChunkRun[] }
  ) {
    this.status = record.status
    this.failure = record.failure
    this.finishedAt = record.finishedAt
    this.mismatches = record.mismatches
    this.spotChecks = record.spotChecks
    this.startedAt = record.startedAt
    for (const chunk of chunks) if (!chunk.verified) this.open.add(chunk.index)
  }

  get id (): string {
    return this.manifest.id
  }

  /** The chunk with this project-wide index, if it is being computed (a chunk of a closed round is not). */
  chunkAt (index: number): ChunkRun | undefined {
    return this.chunks[index - (this.rounds?.run.base ?? 0)]
  }

  /** Chunks the project computes in all: a rounds project's every round (the rounds it ran, once over). */
  get totalChunks (): number {
    const rounds = this.rounds?.run
    if (rounds == null) return this.chunks.length
    return this.chunks.length * (rounds.over ? rounds.closed.length : rounds.plan.count)
  }

  /** Chunks done so far: a rounds project counts every chunk of a closed round (those a quorum dropped too). */
  get doneChunks (): number {
    const rounds = this.rounds?.run
    if (rounds == null) return this.chunks.length - this.open.size
    return rounds.closed.length * this.chunks.length + (rounds.over ? 0 : this.chunks.length - this.open.size)
  }

  /** The shared inputs a chunk reads now: a rounds project's `state` is the current round's. */
  async chunkShared (): Promise<Record<string, SharedMatrix>> {
    const shared = await this.inputs.sharedMatrices()
    const rounds = this.rounds?.run
    if (rounds == null) return shared
    return { ...shared, [STATE_INPUT]: { data: rounds.state, rows: rounds.stateShape.rows, cols: rounds.stateShape.cols } }
  }

  /** A closed round is written: its state is the next round's, whose chunks are all queued. */
  enterRound (closing: ClosingRound): void {
    if (this.rounds == null) throw new Error(`project ${this.id} has no rounds`)
    const work = this.rounds.run.closedWork
    for (const chunk of this.chunks) {
      if (!chunk.verified) continue
      work.computeMs += chunk.computeMs ?? 0
      work.transferMs += chunk.transferMs ?? 0
      work.bytesMoved += chunk.bytesMoved ?? 0
    }
    this.rounds.run.enter(closing)
    this.chunks = this.rounds.plan(this.rounds.run.base)
    this.open.clear()
    for (const chunk of this.chunks) if (!chunk.verified) this.open.add(chunk.index)
    this.wakeRoundWaiters()
  }

  /**
   * Resolves once the next round's chunks are queued, the project is over
   * (wakeRoundWaiters), or after `ms`: a lease request that finds a round's
   * last chunks all in flight waits for the next round instead of sending its
   * volunteer to sleep through the round's end.
   */
  async untilNextRound (ms: number): Promise<void> {
    await new Promise<void>(resolve => {
      const wake = (): void => {
        clearTimeout(timer)
        this.roundWaiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      timer.unref()
      this.roundWaiters.add(wake)
    })
  }

  wakeRoundWaiters (): void {
    for (const wake of [...this.roundWaiters]) wake()
  }

  /**
   * Runs `task` after every earlier one of this project: result handling is
   * one at a time. A verified chunk's write is only started in here, so that
   * results of several chunks can share a batch (see verify-chunk.ts).
   */
  async serial<T> (task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task)
    this.tail = run.catch(() => {})
    return await run
  }

  tally (peer: string, now: number): VolunteerTally {
    let tally = this.volunteers.get(peer)
    if (tally == null) {
      tally = { peer, device: '', status: 'active', leases: new Set(), firstSeen: now, lastSeen: now, verified: 0, flops: 0, computeMs: 0 }
      this.volunteers.set(peer, tally)
    }
    return tally
  }

  /** Whether any chunk still needs a copy handed out. */
  hasQueuedWork (): boolean {
    for (const index of this.open) if (this.chunkAt(index)!.need() > 0) return true
    return false
  }

  /**
   * The next chunk for `peer`: the lowest queued chunk it has not touched
   * (in a rounds project, one whose rows it says it `held` from an earlier
   * round first, so that only the state travels);
   * once nothing is queued, a backup copy of the in-flight chunk leased
   * longest ago (the slowest) if it is overdue, so a straggler does not hold
   * up the end.
   */
  pickChunk (peer: string, now: number, held?: ReadonlySet<number>): { chunk: ChunkRun, backup: boolean } | undefined {
    let queued = false
    let fresh: ChunkRun | undefined
    const base = this.rounds?.run.base ?? 0
    for (const index of this.open) {
      const chunk = this.chunkAt(index)!
      if (chunk.need() <= 0) continue
      queued = true
      if (chunk.touchedBy(peer)) continue
      if (held == null || held.size === 0 || held.has(index - base)) return { chunk, backup: false }
      fresh ??= chunk
    }
    if (fresh != null) return { chunk: fresh, backup: false }
    if (queued) return undefined
    const overdueMs = Math.max(this.limits.backupMinAgeMs, this.limits.backupAgeFactor * (this.leaseToResultMs ?? 0))
    let slowest: ChunkRun | undefined
    let slowestAge = overdueMs
    for (const index of this.open) {
      const chunk = this.chunkAt(index)!
      if (chunk.verifying || chunk.commit != null || chunk.leases.size === 0 || chunk.backups >= this.limits.maxBackupsPerChunk || chunk.touchedBy(peer)) continue
      const age = now - Math.min(...[...chunk.leases.values()].map(l => l.issuedAt))
      if (age > slowestAge) {
        slowest = chunk
        slowestAge = age
      }
    }
    return slowest == null ? undefined : { chunk: slowest, backup: true }
  }

  note (kind: TimelineEntry['kind'], text: string, at: number): void {
    this.timeline.push({ at, kind, text })
    if (this.timeline.length > this.limits.maxTimelineEntries) this.timeline.shift()
  }

  sample (ms: number): void {
    this.responseSamples.push(ms)
    if (this.responseSamples.length > this.limits.maxResponseSamples) this.responseSamples.shift()
  }

  record (): WorkProjectRecord {
    return {
      projectId: this.id,
      status: this.status,
      failure: this.failure,
      kernel: this.manifest.kernel,
      rows: this.inputs.split.rows,
      outputCols: this.manifest.outputCols,
      rowsPerChunk: this.manifest.rowsPerChunk,
      chunkCount: this.manifest.chunkCount,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      mismatches: this.mismatches,
      spotChecks: this.spotChecks
    }
  }

  snapshot (): CoordinatorSnapshot {
    const failed = this.status === 'failed'
    const volunteers: VolunteerSnapshot[] = [...this.volunteers.values()].map(t => ({
      peer: t.peer,
      // Nobody works on a project that is over, whatever they did last.
      status: t.status === 'active' && this.status !== 'running' ? 'idle' : t.status,
      device: t.device,
      declaredGflops: t.declaredGflops,
      observedGflops: t.observedGflops,
      leases: t.leases.size,
      chunksVerified: t.verified,
      flops: t.flops,
      computeMs: t.computeMs,
      firstSeen: t.firstSeen,
      lastSeen: t.lastSeen
    }))
    return {
      projectId: this.id,
      name: this.manifest.name,
      kernel: this.manifest.kernel,
      status: this.status,
      failure: this.failure,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      chunks: this.chunks.map(c => c.snapshot(failed)),
      volunteers,
      leases: this.chunks.flatMap(c => [...c.leases.values()].map(l => ({
        id: l.id, chunk: l.chunk, volunteer: l.volunteer, issuedAt: l.issuedAt, deadline: l.deadline, lastSeen: l.lastSeen, expired: l.expired, backup: l.backup
      }))),
      timeline: [...this.timeline],
      mismatches: this.mismatches,
      spotChecks: this.spotChecks,
      receipts: [...this.receipts],
      responseSamples: [...this.responseSamples],
      waiting: this.waitingReasons(),
      flopsKnown: this.kernel.flopsKnown?.(this.params) ?? true,
      ...(this.rounds != null
        ? { rounds: this.rounds.run.progress(this.chunks.length - this.open.size), roundsStartedAt: this.rounds.run.startedAt ?? this.startedAt, earlierRounds: { ...this.rounds.run.closedWork } }
        : {})
    }
  }

  /**
   * Why chunks wait, as a researcher and a volunteer should read it: a
   * verification policy the volunteers present cannot meet, devices that
   * refused the kernel, a spot check this peer cannot make.
   */
  waitingReasons (): string[] {
    if (this.status !== 'running') return []
    const reasons: string[] = []
    if (this.spotCheckUnavailable != null) reasons.push(this.spotCheckUnavailable)
    const able = [...this.volunteers.values()].filter(t => t.status !== 'banned' && t.status !== 'lost' && !this.deviceRefusals.has(t.peer)).length
    const needed = Math.max(0, ...[...this.open].map(i => this.chunkAt(i)!.replicas))
    if (needed > 1 && able < needed) {
      reasons.push(`chunks need ${needed} distinct volunteers whose results agree; ${able === 0 ? 'none has' : `only ${able} ${able === 1 ? 'has' : 'have'}`} joined (redundancy ${this.manifest.verification.redundancy}): waiting for more`)
    }
    const refusals = new Map<string, number>()
    for (const reason of this.deviceRefusals.values()) refusals.set(reason, (refusals.get(reason) ?? 0) + 1)
    for (const [reason, count] of refusals) reasons.push(`${count} volunteer${count === 1 ? '' : 's'} cannot run it: ${reason}`)
    return reasons
  }
}
