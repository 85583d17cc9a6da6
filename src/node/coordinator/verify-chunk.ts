import { spotCheck, spotCheckOn } from '../../compute/verify.ts'
import { RejectCode, ResultStatus, SignedReceipt, signReceipt, type ResultResponse } from '../../protocols/work/index.ts'
import type { MeshStore } from '../../store/store.ts'
import { decide, groupByAgreement } from './agreement.ts'
import { emit, type MeshEventSink } from './events.ts'
import { bytesOf, floatsOf } from './floats.ts'
import { verifiedChunkOps, type StoredChunkRecord } from './records.ts'
import { closedRoundOps } from './round-records.ts'
import type { ClosingRound } from './round-run.ts'
import type { ChunkRun, Lease, PendingResult } from './chunk-run.ts'
import type { ProjectRun, VolunteerTally } from './project-run.ts'
import type { ChunkWork, CompareResult, InputShape } from '../../compute/kernel.ts'
import type { ComputeDevice } from '../../compute/device.ts'
import { LoopBudgetError } from '../../compute/errors.ts'

/** Spot checks of kernels with a CPU reference run on it; researcher WGSL's on this peer's WebGPU device. */
export type SpotCheckDeviceKind = 'cpu' | 'gpu'
import type { Logger, PrivateKey } from '@libp2p/interface'

/** What verification needs from the coordinator. */
export interface VerifyContext {
  readonly store: MeshStore
  readonly privateKey: PrivateKey
  readonly selfId: string
  readonly events: MeshEventSink
  readonly log: Logger
  readonly maxExtraReplicas: number
  liveLease (id: string): Lease | undefined
  endLease (run: ProjectRun, lease: Lease): void
  ban (run: ProjectRun, volunteer: string, reason: string): void
  deliverLater (volunteer: string, receipt: SignedReceipt): void
  /** A rounds project's round closed with its last chunk (the checkpoint is written): the next round starts. */
  roundClosed (run: ProjectRun, closing: ClosingRound): Promise<void>
  /** Closes a rounds project's current round on its own (its last chunk's write did not carry the close). */
  closeRound (run: ProjectRun): Promise<void>
  /** Marks the project done; `persisted` when its done record was written with the last chunk. */
  finishProject (run: ProjectRun, at: number, persisted: boolean): Promise<void>
  /** The verified chunk's write failed: drops `submitted` (the chunk is computed again) and answers its volunteer. */
  notStored (run: ProjectRun, chunk: ChunkRun, submitted: PendingResult, err: unknown): ResultResponse
  failProject (run: ProjectRun, reason: string): void
  tally (run: ProjectRun, volunteer: string): VolunteerTally
  /** The device spot checks run on: the CPU reference (another process), or this peer's WebGPU device for researcher WGSL. */
  spotCheckDevice (kind: SpotCheckDeviceKind): Promise<ComputeDevice>
}

/** The chunk's input shapes: the split input cut to the chunk's rows (what the kernel's compare expects). */
function chunkShapes (run: ProjectRun, chunk: ChunkRun): InputShape[] {
  return run.shapes.map(shape => shape.name === run.kernel.splitInput ? { ...shape, rows: chunk.range.rowEnd - chunk.range.rowStart } : shape)
}

/**
 * A chunk verified in memory whose write is in flight: `answer` settles, to
 * the submitter's answer, once the write is committed (the chunk is verified
 * then) or failed (the result is dropped). It never rejects.
 */
export interface Committing {
  readonly answer: Promise<ResultResponse>
}

export type Verdict = ResultResponse | Committing

const pending = (): ResultResponse => ({ status: ResultStatus.PENDING, code: RejectCode.NONE, message: 'accepted; waiting for agreeing copies' })
const mismatch = (message: string): ResultResponse => ({ status: ResultStatus.REJECTED, code: RejectCode.MISMATCH, message })

/**
 * Applies the project's verification policy after `submitted` joined the
 * chunk's results (called one result at a time per project): agreement of
 * `redundancy` distinct volunteers in a strict majority, a mismatch adding a
 * replica, dissenters banned, and an optional spot check with the CPU
 * reference. A verified chunk is written with its receipts in one batch;
 * its answer then comes once that batch is committed (a Committing), which
 * the caller awaits after leaving the project's serial section.
 */
export async function verifyChunk (ctx: VerifyContext, run: ProjectRun, chunk: ChunkRun, submitted: PendingResult): Promise<Verdict> {
  const shapes = chunkShapes(run, chunk)
  const agree = (a: Float32Array, b: Float32Array): boolean => run.kernel.compare(run.params, shapes, a, b).ok
  const decision = decide(groupByAgreement(chunk.results, agree), chunk.redundancy)
  const now = Date.now()

  if (decision.winner == null) {
    if (decision.undecided) {
      run.mismatches++
      chunk.replicas = Math.max(chunk.replicas, chunk.results.length + 1)
      run.note('mismatch', `chunk ${chunk.index}: ${chunk.results.length} results disagree; asking for replica ${chunk.replicas}`, now)
      if (chunk.replicas > chunk.redundancy + ctx.maxExtraReplicas) {
        ctx.failProject(run, `chunk ${chunk.index}: ${chunk.results.length} results disagree with no majority`)
      }
    }
    return pending()
  }

  for (const volunteer of decision.dissenters) {
    run.mismatches++
    ctx.ban(run, volunteer, `chunk ${chunk.index}: result disagrees with ${decision.winner.length} agreeing volunteers`)
  }

  if (chunk.spotCheck && !chunk.spotChecked) {
    const passed = run.spotCheckUnavailable == null ? await spotCheckChunk(ctx, run, chunk, decision.winner[0]) : 'unavailable'
    if (passed === 'unavailable') {
      // This peer cannot check it (its device cuts the kernel's loops): distinct volunteers' copies must agree instead.
      chunk.spotCheck = false
      chunk.redundancy = Math.max(chunk.redundancy, 2)
      chunk.replicas = Math.max(chunk.replicas, chunk.redundancy)
      return await verifyChunk(ctx, run, chunk, submitted)
    }
    if (!passed) {
      run.mismatches++
      for (const r of decision.winner) ctx.ban(run, r.volunteer, `chunk ${chunk.index}: result fails the researcher's spot check`)
      return decision.winner.includes(submitted) ? mismatch('your result fails the spot check') : pending()
    }
  }

  if (decision.dissenters.includes(submitted.volunteer)) {
    return await acceptChunk(ctx, run, chunk, decision.winner, submitted, () => mismatch(`your result of chunk ${chunk.index} disagrees with the majority`))
  }
  return await acceptChunk(ctx, run, chunk, decision.winner, submitted, receipt => ({ status: ResultStatus.VERIFIED, code: RejectCode.NONE, message: '', receipt }))
}

async function spotCheckChunk (ctx: VerifyContext, run: ProjectRun, chunk: ChunkRun, result: PendingResult): Promise<boolean | 'unavailable'> {
  chunk.verifying = true
  try {
    const work: ChunkWork = {
      kernel: run.manifest.kernel,
      params: run.params,
      range: chunk.range,
      rows: floatsOf(await run.inputs.rows(chunk.range.rowStart, chunk.range.rowEnd)),
      rowCols: run.inputs.split.cols,
      shared: await run.chunkShared(),
      round: run.rounds?.run.round ?? 0
    }
    const started = performance.now()
    let compared: CompareResult
    try {
      compared = await spotCheckOffThread(ctx, run, work, result.output)
    } catch (err) {
      if (!(err instanceof LoopBudgetError)) throw err
      run.spotCheckUnavailable = `this peer's device cannot spot-check the project (${err.message}); chunks need ${Math.max(2, run.manifest.verification.redundancy)} agreeing volunteers instead`
      run.note('spot-check', run.spotCheckUnavailable, Date.now())
      ctx.log('%s: %s', run.id, run.spotCheckUnavailable)
      return 'unavailable'
    }
    // Only a passed check settles the chunk: after a failed one, the next copy is checked again.
    chunk.spotChecked = compared.ok
    run.spotChecks++
    ctx.log('spot check of chunk %d of %s: %s (max rel error %s, %s ms)', chunk.index, run.id, compared.ok ? 'ok' : 'MISMATCH', compared.maxRelError, (performance.now() - started).toFixed(1))
    return compared.ok
  } finally {
    chunk.verifying = false
  }
}

/**
 * The CPU reference of a large chunk takes seconds: computed on this thread
 * it would hold up every heartbeat, and the researcher would count all its
 * volunteers lost. A device that fails to open falls back to this thread.
 */
async function spotCheckOffThread (ctx: VerifyContext, run: ProjectRun, work: ChunkWork, output: Float32Array): Promise<CompareResult> {
  let device: ComputeDevice
  try {
    device = await ctx.spotCheckDevice(run.kernel.hasCpuReference === false ? 'gpu' : 'cpu')
  } catch (err: any) {
    if (run.kernel.hasCpuReference === false) throw err
    ctx.log.error('no CPU worker for spot checks; checking on this thread - %e', err)
    return spotCheck(run.kernel, work, output)
  }
  return await spotCheckOn(device, run.kernel, work, output)
}

/**
 * Starts writing the accepted result, the chunk's record and a signed
 * receipt for every agreeing volunteer (and the project's done record with
 * the last chunk) in one batch, through the store's group commit, so that
 * the chunks verified while an earlier batch is in flight share the next
 * one. The chunk is marked committing meanwhile (never handed out again,
 * and a late copy waits for the write). Once the batch is committed, memory
 * is updated, chunk:verified is emitted, the other volunteers' receipts are
 * queued for their next exchange, and `submitted` gets `answer` (with its
 * receipt when it is among the winners); if the write fails, the chunk is
 * open again and `submitted` is dropped as ctx.notStored does.
 */
async function acceptChunk (
  ctx: VerifyContext, run: ProjectRun, chunk: ChunkRun, winner: readonly PendingResult[], submitted: PendingResult,
  answer: (receipt: SignedReceipt | undefined) => ResultResponse
): Promise<Committing> {
  const at = Date.now()
  const accepted = winner[0]
  const receipts = await Promise.all(winner.map(async r => await signReceipt(ctx.privateKey, {
    projectId: run.id, chunk: chunk.index, volunteer: r.volunteer, researcher: ctx.selfId, flops: chunk.flops, computeMs: r.computeMs, issuedAt: at
  })))
  // Only when every other chunk is written already: with other chunks' writes
  // in flight, one of them may still fail, and the project is not done then.
  const finishing = run.open.size === 1 && run.open.has(chunk.index)
  // A rounds project's last chunk of a round carries the round's checkpoint; the project is done only with its last round.
  const rounds = run.rounds?.run
  const local = chunk.index - (rounds?.base ?? 0)
  const closing = finishing && rounds != null
    ? rounds.close(run.kernel, run.params, await run.inputs.researcherMatrices(), at, { local, row: accepted.output })
    : undefined
  const projectDone = finishing && (closing == null || closing.record.final)
  const record: StoredChunkRecord = {
    ...chunk.record(false),
    state: 'verified',
    verifiedAt: at,
    volunteer: accepted.volunteer,
    computeMs: accepted.computeMs,
    transferMs: accepted.transferMs,
    bytesMoved: chunk.results.reduce((sum, r) => sum + r.bytesMoved, 0),
    agreed: winner.map(r => r.volunteer)
  }
  const ops = verifiedChunkOps(ctx.store, run.id, record, bytesOf(accepted.output),
    receipts.map((receipt, i) => ({ volunteer: winner[i].volunteer, signed: SignedReceipt.encode(receipt) })),
    projectDone ? { ...run.record(), status: 'done', finishedAt: at } : undefined)
  if (closing != null) ops.push(...closedRoundOps(ctx.store, run.id, closing.record, closing.stateBytes))

  const committed = async (): Promise<ResultResponse> => {
    chunk.commit = undefined
    chunk.restore(record)
    chunk.results = []
    run.open.delete(chunk.index)
    rounds?.outputs.set(local, accepted.output)
    for (const [i, r] of winner.entries()) {
      const tally = ctx.tally(run, r.volunteer)
      tally.verified++
      tally.flops += chunk.flops
      tally.computeMs += r.computeMs
      run.receipts.push({ projectId: run.id, chunk: chunk.index, volunteer: r.volunteer, flops: chunk.flops, computeMs: r.computeMs, issuedAt: at })
      if (r !== submitted) ctx.deliverLater(r.volunteer, receipts[i])
    }
    for (const lease of [...chunk.leases.values()]) ctx.endLease(run, lease)
    emit(ctx.events, 'chunk:verified', { projectId: run.id, chunk: chunk.index, volunteer: accepted.volunteer, computeMs: accepted.computeMs, flops: chunk.flops })
    run.note('verified', `chunk ${chunk.index} verified (${winner.map(r => r.volunteer.slice(-8)).join(' + ')})`, at)
    // The last write of the project (or round) to land finishes it, whether or not it carried the done record (or checkpoint).
    try {
      if (closing != null) {
        await ctx.roundClosed(run, closing)
      } else if (run.open.size === 0 && run.status === 'running' && rounds != null && !rounds.closing) {
        rounds.closing = true
        try {
          await ctx.closeRound(run)
        } finally {
          rounds.closing = false
        }
      } else if (rounds == null && (finishing || (run.open.size === 0 && run.status === 'running'))) {
        await ctx.finishProject(run, at, finishing)
      }
    } catch (err: any) {
      // Every chunk is stored: a restarted researcher closes the round or finishes the project from them.
      ctx.log.error('cannot record the end of %s %s - %e', rounds == null ? 'project' : `round ${rounds.round} of`, run.id, err)
    }
    const index = winner.indexOf(submitted)
    return answer(index < 0 ? undefined : receipts[index])
  }
  const failed = (err: unknown): ResultResponse => {
    chunk.commit = undefined
    return ctx.notStored(run, chunk, submitted, err)
  }
  const settled = ctx.store.writer.write(ops).then(committed, failed)
  chunk.commit = settled
  return { answer: settled }
}
