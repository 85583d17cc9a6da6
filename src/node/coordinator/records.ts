import { chunkKey, chunkPrefixRange, type MeshStore } from '../../store/store.ts'
import type { ChunkRecord } from '../metrics.ts'
import type { ChunkState } from '../types.ts'

/**
 * What the coordinator keeps in the store (DESIGN.md section 7):
 *
 * - `projectState[projectId]`: a WorkProjectRecord (JSON), the project's
 *   status and output shape, enough to export without the manifest;
 * - `chunks[chunkKey(projectId, i)]`: a StoredChunkRecord (JSON), written
 *   when chunk i is verified, in the same batch as its result and receipts;
 * - `results[chunkKey(projectId, i)]`: the verified fp32 result bytes;
 * - `ledger['issued/' + chunkKey(projectId, i) + '/' + volunteer]`: the
 *   encoded SignedReceipt the researcher issued to each agreeing volunteer.
 *
 * In-flight leases live in memory only: a restarted coordinator requeues them.
 */

export type WorkProjectStatus = 'running' | 'done' | 'failed'

export interface WorkProjectRecord {
  readonly projectId: string
  readonly status: WorkProjectStatus
  readonly failure?: string
  readonly kernel: string
  /** Output rows (the row-split input's rows) and columns. */
  readonly rows: number
  readonly outputCols: number
  readonly rowsPerChunk: number
  readonly chunkCount: number
  /** When this peer first coordinated the project (ms since epoch). */
  readonly startedAt: number
  readonly finishedAt?: number
  readonly mismatches: number
  readonly spotChecks: number
}

/** The metrics' ChunkRecord plus who agreed on the accepted result. */
export interface StoredChunkRecord extends ChunkRecord {
  /** Volunteers whose results agreed with the accepted one (credited with a receipt each). */
  readonly agreed?: readonly string[]
  readonly spotChecked?: boolean
}

const CHUNK_STATES: readonly ChunkState[] = ['queued', 'leased', 'verifying', 'verified', 'failed']

export function issuedReceiptKey (projectId: string, chunk: number, volunteer: string): string {
  return `issued/${chunkKey(projectId, chunk)}/${volunteer}`
}

export function issuedReceiptRange (projectId: string): { gt: string, lt: string } {
  const range = chunkPrefixRange(projectId)
  return { gt: `issued/${range.gt}`, lt: `issued/${range.lt}` }
}

/**
 * The writes of one verified chunk, for one batch: its result bytes, its
 * record, the encoded receipt of each agreeing volunteer, and with the
 * project's last chunk its done record.
 */
export function verifiedChunkOps (
  store: Pick<MeshStore, 'results' | 'chunks' | 'ledger' | 'projectState'>,
  projectId: string,
  record: StoredChunkRecord,
  result: Uint8Array,
  receipts: ReadonlyArray<{ readonly volunteer: string, readonly signed: Uint8Array }>,
  doneRecord?: WorkProjectRecord
): any[] {
  const key = chunkKey(projectId, record.index)
  const ops: any[] = [
    { type: 'put', sublevel: store.results, key, value: result },
    { type: 'put', sublevel: store.chunks, key, value: record }
  ]
  for (const { volunteer, signed } of receipts) ops.push({ type: 'put', sublevel: store.ledger, key: issuedReceiptKey(projectId, record.index, volunteer), value: signed })
  if (doneRecord != null) ops.push({ type: 'put', sublevel: store.projectState, key: projectId, value: doneRecord })
  return ops
}

function isProjectRecord (value: any): value is WorkProjectRecord {
  return value != null && typeof value.projectId === 'string' && ['running', 'done', 'failed'].includes(value.status) &&
    Number.isSafeInteger(value.rows) && Number.isSafeInteger(value.outputCols) &&
    Number.isSafeInteger(value.rowsPerChunk) && Number.isSafeInteger(value.chunkCount)
}

function isChunkRecord (value: any): value is StoredChunkRecord {
  return value != null && Number.isSafeInteger(value.index) && CHUNK_STATES.includes(value.state) && typeof value.flops === 'number'
}

export async function loadProjectRecord (store: Pick<MeshStore, 'projectState'>, projectId: string): Promise<WorkProjectRecord | undefined> {
  const value = await store.projectState.get(projectId)
  return isProjectRecord(value) ? value : undefined
}

/** Every project record in the store, own projects only (the coordinator writes them). */
export async function listProjectRecords (store: Pick<MeshStore, 'projectState'>): Promise<WorkProjectRecord[]> {
  const records: WorkProjectRecord[] = []
  for await (const value of store.projectState.values()) {
    if (isProjectRecord(value)) records.push(value)
  }
  return records
}

/** Chunk records by index; chunks never verified have none. */
export async function loadChunkRecords (store: Pick<MeshStore, 'chunks'>, projectId: string): Promise<Map<number, StoredChunkRecord>> {
  const records = new Map<number, StoredChunkRecord>()
  for await (const value of store.chunks.values(chunkPrefixRange(projectId))) {
    if (isChunkRecord(value)) records.set(value.index, value)
  }
  return records
}

export async function loadIssuedReceipts (store: Pick<MeshStore, 'ledger'>, projectId: string): Promise<Uint8Array[]> {
  const receipts: Uint8Array[] = []
  for await (const value of store.ledger.values(issuedReceiptRange(projectId))) receipts.push(value)
  return receipts
}
