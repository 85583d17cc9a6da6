import { randomFillSync } from 'node:crypto'
import { connect, startPeer, stopPeers, type BenchPeer } from './lib/peers.ts'
import { nowMs } from './lib/stats.ts'
import { tcpTransfer } from './lib/tcp-reference.ts'
import type { BlobSink } from '../src/protocols/blob/index.ts'
import type { BlobWriter } from '../src/store/blob-store.ts'

export interface TransferOptions {
  readonly bytes: number
  /** Transfers of each kind; the best is kept, as for the TCP reference. */
  readonly repeats: number
}

export interface TransferFigures {
  /** Blob protocol over libp2p (noise + yamux), received and discarded. */
  readonly transferMBps: number
  /** One libp2p stream on the same connection moving the same bytes: what noise + yamux allow. */
  readonly libp2pStreamMBps: number
  /** The blob protocol over the bare stream: what the protocol itself costs. */
  readonly transferOverStream: number
  /** The same bytes over a raw TCP socket in 1 MiB frames. */
  readonly tcpTransferMBps: number
  readonly transferRatio: number
  /** Into the fetcher's blob store (sha256 check, LevelDB writes): what a volunteer sees. */
  readonly transferStoreMBps: number
  readonly transferBytes: number
}

/**
 * Blob protocol throughput between two peers on loopback against a raw TCP
 * socket moving the same bytes in the same run, and against one bare libp2p
 * stream on the same connection (what noise and yamux allow, without the
 * protocol). The researcher serves the blob from its LevelDB blob store, as
 * it serves matmul's B. Each figure is the best of `repeats`.
 */
export async function benchTransfer (options: TransferOptions): Promise<TransferFigures> {
  let server: BenchPeer | undefined
  let client: BenchPeer | undefined
  try {
    server = await startPeer()
    client = await startPeer()
    const bytes = randomFillSync(new Uint8Array(options.bytes))
    const { hash } = await server.blobs.put(bytes, { own: true })
    await serveBulk(server, options.bytes)
    await connect(client, server)
    const blob = client.node.services.blob
    let mesh = 0
    let stream = 0
    let store = 0
    let tcp = 0
    for (let i = 0; i < options.repeats; i++) {
      stream = Math.max(stream, await receiveBulk(client, server, options.bytes))
      const discard = discardingSink()
      let started = nowMs()
      const fetched = await blob.fetch(server.node.peerId, hash, discard)
      mesh = Math.max(mesh, fetched.bytes / 1e6 / ((nowMs() - started) / 1000))
      started = nowMs()
      const stored = await blob.fetch(server.node.peerId, hash, client.blobs)
      store = Math.max(store, stored.bytes / 1e6 / ((nowMs() - started) / 1000))
      if (stored.cached) throw new Error('the blob was already in the client store')
      await client.blobs.evict({ maxCachedBytes: 0 })
      tcp = Math.max(tcp, (await tcpTransfer({ totalBytes: options.bytes, pieceSize: 1024 * 1024 })).mbps)
    }
    return {
      transferMBps: mesh,
      libp2pStreamMBps: stream,
      transferOverStream: mesh / stream,
      tcpTransferMBps: tcp,
      transferRatio: mesh / tcp,
      transferStoreMBps: store,
      transferBytes: options.bytes
    }
  } finally {
    await stopPeers([client, server])
  }
}

const BULK_PROTOCOL = '/mesh-bench/bulk/1.0.0'
const PIECE = new Uint8Array(1024 * 1024)

/** Answers any byte on a bulk stream with `bytes` bytes in 1 MiB sends, then closes. */
async function serveBulk (server: BenchPeer, bytes: number): Promise<void> {
  await server.node.handle(BULK_PROTOCOL, async stream => {
    try {
      for await (const _ of stream) break
      for (let sent = 0; sent < bytes; sent += PIECE.byteLength) {
        if (!stream.send(PIECE.subarray(0, Math.min(PIECE.byteLength, bytes - sent)))) await stream.onDrain()
      }
      await stream.close()
    } catch (err: any) {
      stream.abort(err)
    }
  })
}

/** MB/s of one bulk stream from `server`. */
async function receiveBulk (client: BenchPeer, server: BenchPeer, bytes: number): Promise<number> {
  const stream = await client.node.dialProtocol(server.node.peerId, BULK_PROTOCOL)
  const started = nowMs()
  stream.send(new Uint8Array(1))
  let received = 0
  for await (const data of stream) {
    received += data.byteLength
    if (received >= bytes) break
  }
  const mbps = received / 1e6 / ((nowMs() - started) / 1000)
  await stream.close().catch(err => { stream.abort(err) })
  return mbps
}

/** A sink that keeps nothing: measures the protocol, not the fetcher's disk. */
function discardingSink (): BlobSink {
  return {
    info: async () => undefined,
    createWriter: async (hash, size): Promise<BlobWriter> => {
      let received = 0
      return {
        write: async (piece) => { received += piece.byteLength },
        finish: async () => {
          if (received !== size) throw new Error(`received ${received} of ${size} bytes`)
          return { hash, size, pieces: 0, pieceSize: 0, own: false, lastUsed: Date.now() }
        },
        abort: async () => {}
      }
    }
  }
}
