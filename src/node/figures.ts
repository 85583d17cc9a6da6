import { planChunks } from '../compute/kernel.ts'
import { getKernel } from '../compute/kernels/index.ts'
import { Receipt as ReceiptMessage, SignedReceipt } from '../protocols/work/index.ts'
import { loadChunkRecords, loadIssuedReceipts, loadProjectRecord, type WorkProjectRecord } from './coordinator/records.ts'
import type { CoordinatorSnapshot } from './coordinator/index.ts'
import type { ChunkRecord, ProjectRecords, Receipt } from './metrics.ts'
import type { ProjectManifest } from '../protocols/manifest-codec.ts'
import type { MeshStore } from '../store/store.ts'
import type { ProjectSummary, RoundsProgress } from './types.ts'
import { roundsProgress } from './coordinator/round-run.ts'
import { loadRoundRecords } from './coordinator/round-records.ts'

/**
 * Adapters from what the coordinator and the store keep to the records the
 * figures (src/node/metrics.ts) are computed from: live from a coordinator
 * snapshot, or from the store alone when the project is not coordinated
 * (finished before this start, or no peer running).
 */

export type NameOf = (peer: string) => string | undefined

/**
 * A running project's records: the coordinator snapshot plus the summary
 * and volunteers' names. Work starts with the first lease (the figures find
 * it in the chunks), not when the project was published: speed-up and
 * throughput do not count the wait for the first volunteer.
 */
export function recordsFromSnapshot (project: ProjectSummary, snapshot: CoordinatorSnapshot, nameOf: NameOf): ProjectRecords {
  const { startedAt, roundsStartedAt, ...records } = snapshot
  return {
    ...records,
    ...(roundsStartedAt != null ? { startedAt: roundsStartedAt } : {}),
    project,
    volunteers: snapshot.volunteers.map(v => {
      const name = nameOf(v.peer)
      return name == null ? v : { ...v, name }
    })
  }
}

/**
 * An own project's records from the store: verified chunks as they were
 * written with their results, every other chunk queued (or failed, for a
 * failed project). Volunteers are known from the chunks they were credited
 * with; work starts with the first lease, as for a live project. Undefined
 * when the store has no work record of the project.
 */
export async function recordsFromStore (store: Pick<MeshStore, 'projectState' | 'chunks' | 'ledger' | 'rounds'>, manifest: ProjectManifest, project: ProjectSummary, nameOf: NameOf): Promise<ProjectRecords | undefined> {
  const record = await loadProjectRecord(store, manifest.id)
  if (record == null) return undefined
  const stored = await loadChunkRecords(store, manifest.id)
  const flopsOf = chunkFlops(manifest, record)
  const rounds = await storedRounds(store, manifest, record)
  // A rounds project shows its current round's chunks (the last round's, once over).
  const over = rounds != null && (rounds.converged === true || rounds.round >= rounds.of)
  const base = rounds == null ? 0 : (over ? rounds.round - 1 : rounds.round) * record.chunkCount
  const chunks: ChunkRecord[] = planChunks(record.rows, record.rowsPerChunk).map(local => {
    const range = { ...local, index: base + local.index }
    const chunk = stored.get(range.index)
    if (chunk?.state === 'verified') return chunk
    return { index: range.index, state: record.status === 'failed' ? 'failed' : 'queued', attempts: chunk?.attempts ?? 0, flops: flopsOf(range) }
  })
  const work = await issuedWork(store, manifest.id)
  const credited = new Set([...chunks.flatMap(c => c.state === 'verified' ? c.agreed ?? (c.volunteer != null ? [c.volunteer] : []) : []), ...work.keys()])
  return {
    project,
    chunks,
    volunteers: [...credited].map(peer => ({ peer, name: nameOf(peer), status: 'idle' as const, ...work.get(peer) })),
    timeline: [],
    mismatches: record.mismatches,
    spotChecks: record.spotChecks,
    ...(record.finishedAt != null ? { finishedAt: record.finishedAt } : {}),
    ...(record.failure != null ? { failure: record.failure } : {}),
    ...(rounds != null ? { rounds: { ...rounds, chunksDone: over ? rounds.chunksPerRound : chunks.filter(c => c.state === 'verified').length } } : {})
  }
}

/** A rounds project's closed rounds from the store; undefined for a one-pass project. */
async function storedRounds (store: Pick<MeshStore, 'rounds'>, manifest: ProjectManifest, record: WorkProjectRecord): Promise<RoundsProgress | undefined> {
  try {
    const kernel = getKernel(record.kernel)
    const plan = kernel.rounds?.(kernel.parseParams(manifest.params))
    if (plan == null) return undefined
    return roundsProgress(plan, record.chunkCount, await loadRoundRecords(store, manifest.id), 0)
  } catch {
    return undefined
  }
}

/**
 * Verified FLOPs and reported compute time per volunteer from the receipts
 * issued for the project: one per agreeing copy, so under redundancy every
 * volunteer's speed is known, not only the accepted copy's.
 */
async function issuedWork (store: Pick<MeshStore, 'ledger'>, projectId: string): Promise<Map<string, { flops: number, computeMs: number }>> {
  const work = new Map<string, { flops: number, computeMs: number }>()
  for (const bytes of await loadIssuedReceipts(store, projectId)) {
    const receipt = decodeReceipt(bytes)
    if (receipt == null || receipt.projectId !== projectId) continue
    const tally = work.get(receipt.volunteer) ?? { flops: 0, computeMs: 0 }
    tally.flops += receipt.flops
    tally.computeMs += receipt.computeMs
    work.set(receipt.volunteer, tally)
  }
  return work
}

/** FLOPs of a chunk by the project's kernel; 0 for a kernel this version does not know. */
function chunkFlops (manifest: ProjectManifest, record: WorkProjectRecord): (range: { index: number, rowStart: number, rowEnd: number }) => number {
  try {
    const kernel = getKernel(record.kernel)
    const params = kernel.parseParams(manifest.params)
    const shapes = manifest.inputs.map(({ name, rows, cols }) => ({ name, rows, cols }))
    return range => kernel.flops(params, shapes, range)
  } catch {
    return () => 0
  }
}

/**
 * Every receipt in the ledger: those this peer issued as a researcher
 * (`issued/...`) and those it earned as a volunteer (`earned/...`). The
 * leaderboard counts a receipt seen under both once.
 */
export async function ledgerReceipts (store: Pick<MeshStore, 'ledger'>): Promise<Receipt[]> {
  const receipts: Receipt[] = []
  for (const prefix of ['issued/', 'earned/']) {
    for await (const bytes of store.ledger.values({ gt: prefix, lt: `${prefix}\xff` })) {
      const receipt = decodeReceipt(bytes)
      if (receipt != null) receipts.push(receipt)
    }
  }
  return receipts
}

function decodeReceipt (bytes: Uint8Array): Receipt | undefined {
  try {
    const { projectId, chunk, volunteer, flops, computeMs, issuedAt } = ReceiptMessage.decode(SignedReceipt.decode(bytes).receipt)
    return { projectId, chunk, volunteer, flops, computeMs, issuedAt }
  } catch {
    // A record this version cannot read is skipped, not fatal.
    return undefined
  }
}
