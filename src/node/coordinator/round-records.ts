import { chunkKey, chunkPrefixRange, type MeshStore } from '../../store/store.ts'
import type { RoundSummary } from '../types.ts'

/**
 * A rounds project's checkpoints (DESIGN.md section 4, "Rounds"): after
 * round r closes, `checkpoints[chunkKey(project, r)]` holds state r+1 (fp32
 * bytes) and `rounds[chunkKey(project, r)]` the round's figures, written in
 * one batch, with the round's last verified chunk when it closed on one. A
 * restarted researcher resumes at the round after its last checkpoint.
 */
export interface RoundRecord extends RoundSummary {
  /** sha256 of the state the round produced (the next round's `state` blob). */
  readonly stateHash: string
  /** The project ends with this round: its last, or the state moved less than until-change. */
  readonly final: boolean
  readonly converged: boolean
}

type RoundStore = Pick<MeshStore, 'checkpoints' | 'rounds'>

/** The writes of one closed round, for a batch. */
export function closedRoundOps (store: RoundStore, projectId: string, record: RoundRecord, state: Uint8Array): any[] {
  const key = chunkKey(projectId, record.round)
  return [
    { type: 'put', sublevel: store.checkpoints, key, value: state },
    { type: 'put', sublevel: store.rounds, key, value: record }
  ]
}

function isRoundRecord (value: any): value is RoundRecord {
  return value != null && Number.isSafeInteger(value.round) && value.round >= 0 && typeof value.stateHash === 'string' &&
    typeof value.change === 'number' && Number.isSafeInteger(value.chunks) && Number.isSafeInteger(value.dropped) &&
    typeof value.final === 'boolean' && value.figures != null && typeof value.figures === 'object'
}

/** Every closed round of a project, in round order. */
export async function loadRoundRecords (store: Pick<MeshStore, 'rounds'>, projectId: string): Promise<RoundRecord[]> {
  const records: RoundRecord[] = []
  for await (const value of store.rounds.values(chunkPrefixRange(projectId))) {
    if (isRoundRecord(value)) records.push(value)
  }
  return records.sort((a, b) => a.round - b.round)
}

/** The state round `round` produced; undefined when that round has no checkpoint. */
export async function loadCheckpoint (store: Pick<MeshStore, 'checkpoints'>, projectId: string, round: number): Promise<Uint8Array | undefined> {
  return await store.checkpoints.get(chunkKey(projectId, round))
}

/** The mesh's own columns of a round record, apart from the kernel's figures (for the status JSON). */
export function roundSummaryOf (record: RoundRecord): RoundSummary {
  return { round: record.round, change: record.change, chunks: record.chunks, dropped: record.dropped, closedAt: record.closedAt, figures: record.figures }
}
