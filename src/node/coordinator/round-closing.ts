import type { Logger } from '@libp2p/interface'
import type { MeshStore } from '../../store/store.ts'
import { emit, type MeshEventSink } from './events.ts'
import { closedRoundOps, roundSummaryOf } from './round-records.ts'
import type { Lease } from './chunk-run.ts'
import type { InputBlobs } from './project-inputs.ts'
import type { ProjectRun, ProjectRunLimits } from './project-run.ts'
import type { ClosingRound } from './round-run.ts'

/**
 * How a rounds project moves from one round to the next (DESIGN.md section
 * 4, "Rounds"), apart from the round that closes with its last verified
 * chunk (verify-chunk.ts writes that checkpoint in the chunk's batch).
 */
export interface RoundContext {
  readonly store: MeshStore
  readonly blobs: InputBlobs
  readonly events: MeshEventSink
  readonly log: Logger
  readonly limits: ProjectRunLimits
  /** False once the coordinator stopped coordinating `run` (a write that lands later moves nothing on). */
  isCurrent (run: ProjectRun): boolean
  /** Ends a lease of the closing round that no result will be needed for (a chunk a quorum dropped). */
  endDroppedLease (run: ProjectRun, lease: Lease): void
  finishProject (run: ProjectRun, at: number, persisted: boolean): Promise<void>
}

/** Folds the current round as it stands, writes its checkpoint (with the done record when it is the last) and moves on. */
export async function closeRound (ctx: RoundContext, run: ProjectRun, options: { loading?: boolean } = {}): Promise<void> {
  const at = Date.now()
  const closing = run.rounds!.run.close(run.kernel, run.params, await run.inputs.researcherMatrices(), at)
  const ops = closedRoundOps(ctx.store, run.id, closing.record, closing.stateBytes)
  if (closing.record.final) ops.push({ type: 'put', sublevel: ctx.store.projectState, key: run.id, value: { ...run.record(), status: 'done', finishedAt: at } })
  await ctx.store.writer.write(ops)
  await enterNextRound(ctx, run, closing, options)
}

/**
 * A closed round's checkpoint is written: its state becomes a blob that
 * volunteers can fetch, the round's remaining leases end (chunks a quorum
 * dropped), and the next round's chunks are queued, or the project is done.
 */
export async function enterNextRound (ctx: RoundContext, run: ProjectRun, closing: ClosingRound, options: { loading?: boolean } = {}): Promise<void> {
  if (options.loading !== true && !ctx.isCurrent(run)) return
  const { record } = closing
  await ctx.blobs.put(closing.stateBytes, { own: true })
  for (const chunk of run.chunks) for (const lease of [...chunk.leases.values()]) ctx.endDroppedLease(run, lease)
  const rounds = run.rounds!.run
  const figures = Object.entries(record.figures).map(([name, value]) => `${name} ${value.toPrecision(4)}`).join(', ')
  run.note('round', `round ${record.round + 1} of ${rounds.plan.count} closed: change ${record.change.toPrecision(3)}${record.dropped > 0 ? `, ${record.dropped} chunks dropped` : ''}${figures !== '' ? `, ${figures}` : ''}`, record.closedAt)
  emit(ctx.events, 'round:closed', { projectId: run.id, ...roundSummaryOf(record), final: record.final, converged: record.converged })
  if (record.final) {
    rounds.enter(closing)
    await ctx.finishProject(run, record.closedAt, true)
  } else {
    run.enterRound(closing)
  }
}

/**
 * A round with a quorum below 1 closes without its stragglers: once the
 * quorum of its chunks is verified, the rest get as long as a backup copy
 * waits (BACKUP_AGE_FACTOR times the usual lease-to-result time, at least
 * backupMinAgeMs); then the round folds what arrived and its open chunks
 * are dropped (counted in the round's record). Called by the sweep.
 */
export function closeRoundOnQuorum (ctx: RoundContext, run: ProjectRun, now: number): void {
  const rounds = run.rounds?.run
  if (rounds == null || run.status !== 'running' || rounds.plan.quorum >= 1 || rounds.closing || run.open.size === 0) return
  if (run.chunks.length - run.open.size < rounds.quorumChunks) {
    rounds.quorumSince = undefined
    return
  }
  rounds.quorumSince ??= now
  const overdueMs = Math.max(ctx.limits.backupMinAgeMs, ctx.limits.backupAgeFactor * (run.leaseToResultMs ?? 0))
  if (now - rounds.quorumSince < overdueMs || run.chunks.some(c => c.commit != null || c.verifying)) return
  rounds.closing = true
  run.serial(async () => {
    if (run.status === 'running' && ctx.isCurrent(run)) await closeRound(ctx, run)
  }).catch(err => { ctx.log.error('cannot close round %d of %s - %e', rounds.round, run.id, err) })
    .finally(() => { rounds.closing = false })
}
