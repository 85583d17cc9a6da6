import { rm } from 'node:fs/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { verifiedChunkOps, type StoredChunkRecord } from '../src/node/coordinator/records.ts'
import { SignedReceipt, signReceipt } from '../src/protocols/work/index.ts'
import { openStore, type MeshStore } from '../src/store/store.ts'
import { makeTempDir } from './lib/peers.ts'
import { nowMs } from './lib/stats.ts'

export interface StoreWritesOptions {
  readonly results: number
  /** Results in flight at once in the group-commit figure (volunteers' results being written). */
  readonly submitters: number
  /** Results written both ways first, on throwaway stores, untimed: a researcher is a long-running process, so its write path is warm. */
  readonly warmup: number
  /** Timed passes of each way, interleaved; the best of each is kept (other work on the machine only ever slows a pass down). */
  readonly passes: number
}

export interface StoreWritesFigures {
  /** Verified results written the way the coordinator writes them: `submitters` at once, each awaiting its own write through the store's group commit (best pass). */
  readonly storeWritesPerSec: number
  /** Reference: one batch per verified result, each awaited before the next (how the coordinator wrote them before group commit; best pass). */
  readonly storeWritesSerialPerSec: number
  /** Verified results per batch the group commit wrote, on average. */
  readonly storeResultsPerBatch: number
  readonly storeSubmitters: number
  readonly storeResultBytes: number
}

const RESULT_BYTES = 1024

/**
 * Verified results written to a peer's LevelDB store as the coordinator
 * writes them (records.ts verifiedChunkOps: the 1 KiB result, the chunk
 * record and the volunteer's signed receipt, together): `submitters` results
 * in flight at once, each awaiting its own `store.writer.write(ops)` (the
 * group commit batches whatever is queued while the last batch is being
 * written); then, on a fresh store, one awaited `db.batch` per result after
 * another. Both run once untimed first (`warmup`), then `passes` times
 * each, interleaved, keeping the best. Receipts are signed once and their
 * bytes reused: signing is not a write.
 */
export async function benchStoreWrites (options: StoreWritesOptions): Promise<StoreWritesFigures> {
  const key = await generateKeyPair('Ed25519')
  const researcher = peerIdFromPrivateKey(key).toString()
  const volunteer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const projectId = 'b'.repeat(64)
  const receipt = SignedReceipt.encode(await signReceipt(key, { projectId, chunk: 0, volunteer, researcher, flops: 2e9, computeMs: 50, issuedAt: Date.now() }))
  const result = new Uint8Array(RESULT_BYTES).fill(7)
  const opsOf = (store: MeshStore, index: number): any[] => {
    const now = Date.now()
    const record: StoredChunkRecord = {
      index, state: 'verified', attempts: 1, leasedAt: now, verifiedAt: now, volunteer, computeMs: 50, transferMs: 2, bytesMoved: 2 * RESULT_BYTES, flops: 2e9, agreed: [volunteer], spotChecked: false
    }
    return verifiedChunkOps(store, projectId, record, result, [{ volunteer, signed: receipt }])
  }

  const groupCommit = async (results: number): Promise<{ perSec: number, batches: number }> => await withStore(async store => {
    let next = 0
    const batchesBefore = store.writer.batches
    const started = nowMs()
    await Promise.all(Array.from({ length: options.submitters }, async () => {
      while (next < results) await store.writer.write(opsOf(store, next++))
    }))
    const seconds = (nowMs() - started) / 1000
    return { perSec: results / seconds, batches: store.writer.batches - batchesBefore }
  })
  const serial = async (results: number): Promise<number> => await withStore(async store => {
    const started = nowMs()
    for (let i = 0; i < results; i++) await store.db.batch(opsOf(store, i))
    return results / ((nowMs() - started) / 1000)
  })
  if (options.warmup > 0) {
    await groupCommit(options.warmup)
    await serial(options.warmup)
  }
  let grouped = { perSec: 0, batches: 0 }
  let serialPerSec = 0
  for (let pass = 0; pass < options.passes; pass++) {
    const measured = await groupCommit(options.results)
    if (measured.perSec > grouped.perSec) grouped = measured
    serialPerSec = Math.max(serialPerSec, await serial(options.results))
  }
  return {
    storeWritesPerSec: grouped.perSec,
    storeWritesSerialPerSec: serialPerSec,
    storeResultsPerBatch: options.results / grouped.batches,
    storeSubmitters: options.submitters,
    storeResultBytes: RESULT_BYTES
  }
}

async function withStore<T> (use: (store: MeshStore) => Promise<T>): Promise<T> {
  const dir = await makeTempDir()
  let store: MeshStore | undefined
  try {
    store = await openStore(dir)
    return await use(store)
  } finally {
    await store?.close()
    await rm(dir, { recursive: true, force: true })
  }
}
