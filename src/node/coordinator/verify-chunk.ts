import { spotCheck, spotCheckOn } from '../../compute/verify.ts'
import { RejectCode, ResultStatus, SignedReceipt, signReceipt, type ResultResponse } from '../../protocols/work/index.ts'
import type { MeshStore } from '../../store/store.ts'
import { decide, groupByAgreement } from './agreement.ts'
import { emit, type MeshEventSink } from './events.ts'
import { bytesOf, floatsOf } from './floats.ts'
import { verifiedChunkOps, type StoredChunkRecord } from './records.ts'
import type { ChunkRun, Lease, PendingResult } from './chunk-run.ts'
import type { ProjectRun, VolunteerTally } from './project-run.ts'
import type { ChunkWork, CompareResult, InputShape } from '../../compute/kernel.ts'
import type { ComputeDevice } from '../../compute/device.ts'
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
  finishProject (run: ProjectRun, at: number): Promise<void>
  failProject (run: ProjectRun, reason: string): void
  tally (run: ProjectRun, volunteer: string): VolunteerTally
  /** The CPU reference device spot checks run on (a worker thread). */
  spotCheckDevice (): Promise<ComputeDevice>
}

/** The chunk's input shapes: the split input cut to the chunk's rows (what the kernel's compare expects). */
function chunkShapes (run: ProjectRun, chunk: ChunkRun): InputShape[] {
  return run.shapes.map(shape => shape.name === run.kernel.splitInput ? { ...shape, rows: chunk.range.rowEnd - chunk.range.rowStart } : shape)
}

const pending = (): ResultResponse => ({ status: ResultStatus.PENDING, code: RejectCode.NONE, message: 'accepted; waiting for agreeing copies' })
const mismatch = (message: string): ResultResponse => ({ status: ResultStatus.REJECTED, code: RejectCode.MISMATCH, message })

/**
 * Applies the project's verification policy after `submitted` joined the
 * chunk's results (called one result at a time per project): agreement of
 * `redundancy` distinct volunteers in a strict majority, a mismatch adding a
 * replica, dissenters banned, and an optional spot check with the CPU
 * reference. A verified chunk is written with its receipts in one batch.
 */
export async function verifyChunk (ctx: VerifyContext, run: ProjectRun, chunk: ChunkRun, submitted: PendingResult): Promise<ResultResponse> {
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
    const passed = await spotCheckChunk(ctx, run, chunk, decision.winner[0])
    if (!passed) {
      run.mismatches++
      for (const r of decision.winner) ctx.ban(run, r.volunteer, `chunk ${chunk.index}: result fails the researcher's spot check`)
      return decision.winner.includes(submitted) ? mismatch('your result fails the spot check') : pending()
    }
  }

  if (decision.dissenters.includes(submitted.volunteer)) {
    await acceptChunk(ctx, run, chunk, decision.winner, undefined)
    return mismatch(`your result of chunk ${chunk.index} disagrees with the majority`)
  }
  const receipt = await acceptChunk(ctx, run, chunk, decision.winner, submitted)
  return { status: ResultStatus.VERIFIED, code: RejectCode.NONE, message: '', receipt }
}

async function spotCheckChunk (ctx: VerifyContext, run: ProjectRun, chunk: ChunkRun, result: PendingResult): Promise<boolean> {
  chunk.verifying = true
  try {
    const work: ChunkWork = {
      kernel: run.manifest.kernel,
      params: run.params,
      range: chunk.range,
      rows: floatsOf(await run.inputs.rows(chunk.range.rowStart, chunk.range.rowEnd)),
      rowCols: run.inputs.split.cols,
      shared: await run.inputs.sharedMatrices()
    }
    const started = performance.now()
    const compared = await spotCheckOffThread(ctx, run, work, result.output)
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
    device = await ctx.spotCheckDevice()
  } catch (err: any) {
    ctx.log.error('no CPU worker for spot checks; checking on this thread - %e', err)
    return spotCheck(run.kernel, work, output)
  }
  return await spotCheckOn(device, run.kernel, work, output)
}

/**
 * Writes the accepted result, the chunk's record, a signed receipt for every
 * agreeing volunteer (and the project's done record with the last chunk) in
 * one batch, then updates memory and emits chunk:verified. Returns the
 * receipt of `submitter`; the others' are delivered on their next exchange.
 */
async function acceptChunk (ctx: VerifyContext, run: ProjectRun, chunk: ChunkRun, winner: readonly PendingResult[], submitter: PendingResult | undefined): Promise<SignedReceipt | undefined> {
  const at = Date.now()
  const accepted = winner[0]
  const receipts = await Promise.all(winner.map(async r => await signReceipt(ctx.privateKey, {
    projectId: run.id, chunk: chunk.index, volunteer: r.volunteer, researcher: ctx.selfId, flops: chunk.flops, computeMs: r.computeMs, issuedAt: at
  })))
  const finishing = run.open.size === 1 && run.open.has(chunk.index)
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
    finishing ? { ...run.record(), status: 'done', finishedAt: at } : undefined)
  chunk.verifying = true
  try {
    await ctx.store.db.batch(ops)
  } finally {
    chunk.verifying = false
  }

  chunk.restore(record)
  chunk.results = []
  run.open.delete(chunk.index)
  for (const [i, r] of winner.entries()) {
    const tally = ctx.tally(run, r.volunteer)
    tally.verified++
    tally.flops += chunk.flops
    tally.computeMs += r.computeMs
    run.receipts.push({ projectId: run.id, chunk: chunk.index, volunteer: r.volunteer, flops: chunk.flops, computeMs: r.computeMs, issuedAt: at })
    if (r !== submitter) ctx.deliverLater(r.volunteer, receipts[i])
  }
  for (const lease of [...chunk.leases.values()]) ctx.endLease(run, lease)
  emit(ctx.events, 'chunk:verified', { projectId: run.id, chunk: chunk.index, volunteer: accepted.volunteer, computeMs: accepted.computeMs, flops: chunk.flops })
  run.note('verified', `chunk ${chunk.index} verified (${winner.map(r => r.volunteer.slice(-8)).join(' + ')})`, at)
  if (finishing) await ctx.finishProject(run, at)
  return submitter == null ? undefined : receipts[winner.indexOf(submitter)]
}
