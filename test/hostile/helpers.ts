import vm from 'node:vm'
import v8 from 'node:v8'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Coordinator, type CoordinatorInit } from '../../src/node/coordinator/index.ts'
import { BlobStore } from '../../src/store/blob-store.ts'
import { openStore } from '../../src/store/store.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import { startWorkNode, type WorkNode } from '../work/helpers/nodes.ts'
import type { BlobInit } from '../../src/protocols/blob/index.ts'
import type { WorkInit } from '../../src/protocols/work/index.ts'
import type { TestResearcher } from '../work/helpers/mesh.ts'

/**
 * A researcher on bare libp2p (like test/work/helpers/mesh.ts) whose wire
 * timeouts the test chooses, so slow-loris streams are freed in CI time.
 */
export async function startHardenedResearcher (options: { work?: WorkInit, blob?: Omit<BlobInit, 'source'>, coordinator?: Partial<CoordinatorInit> } = {}): Promise<TestResearcher> {
  const dir = await makeTempDir('mesh-hostile-')
  const privateKey = await generateKeyPair('Ed25519')
  const store = await openStore(dir.path)
  const blobs = new BlobStore(store)
  const node = await startWorkNode({ privateKey, work: options.work, blob: { ...options.blob, source: blobs } })
  const coordinator = new Coordinator({ libp2p: node, store, blobs, privateKey, ...options.coordinator })
  coordinator.start()
  return { node, store, blobs, dir, privateKey, coordinator }
}

/** A hostile peer: a real libp2p node speaking our protocols, connected to `target`. */
export async function startHostile (target: { node: WorkNode }): Promise<WorkNode> {
  const node = await startWorkNode()
  await node.dial(target.node.getMultiaddrs()[0])
  return node
}

/** An unsigned LEB128 varint, the length prefix of our frames. */
export function varint (value: bigint | number): number[] {
  let rest = BigInt(value)
  const bytes: number[] = []
  do {
    let byte = Number(rest & 0x7fn)
    rest >>= 7n
    if (rest > 0n) byte |= 0x80
    bytes.push(byte)
  } while (rest > 0n)
  return bytes
}

export function framed (payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint(payload.byteLength), ...payload])
}

v8.setFlagsFromString('--expose-gc')
const collectGarbage = vm.runInNewContext('gc') as () => void

export interface MemorySample {
  readonly heapMiB: number
  readonly rssMiB: number
  readonly externalMiB: number
}

/** Heap, RSS and external (Buffer) memory after a full collection. */
export function memoryNow (): MemorySample {
  collectGarbage()
  collectGarbage()
  const usage = process.memoryUsage()
  const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024 * 10) / 10
  return { heapMiB: mib(usage.heapUsed), rssMiB: mib(usage.rss), externalMiB: mib(usage.external + usage.arrayBuffers) }
}

/** Open streams of `protocol` on the researcher's side of its connections to `peer`. */
export function openStreams (researcher: { node: WorkNode }, peer: WorkNode, protocol: string): number {
  return researcher.node.getConnections(peer.peerId).flatMap(c => c.streams).filter(s => s.protocol === protocol && s.status === 'open').length
}

export async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}
