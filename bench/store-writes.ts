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
  /** Results per batch in the grouped figure. */
  readonly group: number
}

export interface StoreWritesFigures {
  /** One batch per verified result, each awaited before the next: how the coordinator writes them. */
  readonly storeWritesPerSec: number
  /** `group` verified results per batch: the same writes with group commit. */
  readonly storeWritesGroupedPerSec: number
  readonly storeResultBytes: number
}

const RESULT_BYTES = 1024

/**
 * Verified results written to a peer's LevelDB store exactly as the
 * coordinator writes them (records.ts verifiedChunkOps: the 1 KiB result,
 * the chunk record and the volunteer's signed receipt in one batch), one
 * after another; then the same writes grouped `group` results per batch.
 * Receipts are signed once and their bytes reused: signing is not a write.
 */
export async function benchStoreWrites (options: StoreWritesOptions): Promise<StoreWritesFigures> {
  const dir = await makeTempDir()
  let store: MeshStore | undefined
  try {
    store = await openStore(dir)
    const key = await generateKeyPair('Ed25519')
    const researcher = peerIdFromPrivateKey(key).toString()
    const volunteer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const projectId = 'b'.repeat(64)
    const receipt = SignedReceipt.encode(await signReceipt(key, { projectId, chunk: 0, volunteer, researcher, flops: 2e9, computeMs: 50, issuedAt: Date.now() }))
    const result = new Uint8Array(RESULT_BYTES).fill(7)
    const now = Date.now()
    const ops = (index: number): any[] => {
      const record: StoredChunkRecord = {
        index, state: 'verified', attempts: 1, leasedAt: now, verifiedAt: now, volunteer, computeMs: 50, transferMs: 2, bytesMoved: 2 * RESULT_BYTES, flops: 2e9, agreed: [volunteer], spotChecked: false
      }
      return verifiedChunkOps(store!, projectId, record, result, [{ volunteer, signed: receipt }])
    }
    let started = nowMs()
    for (let i = 0; i < options.results; i++) await store.db.batch(ops(i))
    const serialSeconds = (nowMs() - started) / 1000
    started = nowMs()
    for (let i = 0; i < options.results; i += options.group) {
      const batch: any[] = []
      for (let j = i; j < Math.min(options.results, i + options.group); j++) batch.push(...ops(options.results + j))
      await store.db.batch(batch)
    }
    const groupedSeconds = (nowMs() - started) / 1000
    return {
      storeWritesPerSec: options.results / serialSeconds,
      storeWritesGroupedPerSec: options.results / groupedSeconds,
      storeResultBytes: RESULT_BYTES
    }
  } finally {
    await store?.close()
    await rm(dir, { recursive: true, force: true })
  }
}
