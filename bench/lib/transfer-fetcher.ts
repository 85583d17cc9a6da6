/**
 * The fetching side of the transfer benchmark, in its own process as a
 * volunteer is: noise decrypts here while the researcher's process
 * encrypts, as on two machines. Configured by one JSON argument:
 * { researcher: multiaddr with /p2p/, hash, bytes, repeats, tcpPort }.
 * Prints one JSON line with the best of `repeats` of each figure (MB/s).
 */
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { startPeer, stopPeer } from './peers.ts'
import { nowMs } from './stats.ts'
import { tcpReceive } from './tcp-reference.ts'
import type { BlobSink } from '../../src/protocols/blob/index.ts'
import type { BlobWriter } from '../../src/store/blob-store.ts'
import type { Connection } from '@libp2p/interface'

export const BULK_PROTOCOL = '/mesh-bench/bulk/1.0.0'

interface FetcherConfig {
  readonly researcher: string
  readonly hash: string
  readonly bytes: number
  readonly repeats: number
  readonly tcpPort: number
}

export interface FetcherFigures {
  readonly mesh: number
  readonly stream: number
  readonly store: number
  readonly tcp: number
}

async function main (config: FetcherConfig): Promise<FetcherFigures> {
  const peer = await startPeer()
  try {
    const connection = await dialRetrying(peer, config.researcher)
    const server = connection.remotePeer
    const blob = peer.node.services.blob
    const best = { mesh: 0, stream: 0, store: 0, tcp: 0 }
    const mbps = (bytes: number, started: number): number => bytes / 1e6 / ((nowMs() - started) / 1000)
    for (let i = 0; i < config.repeats; i++) {
      best.stream = Math.max(best.stream, await receiveBulk(connection, config.bytes))
      let started = nowMs()
      const fetched = await blob.fetch(server, config.hash, discardingSink())
      best.mesh = Math.max(best.mesh, mbps(fetched.bytes, started))
      started = nowMs()
      const stored = await blob.fetch(server, config.hash, peer.blobs)
      if (stored.cached) throw new Error('the blob was already in the fetcher\'s store')
      best.store = Math.max(best.store, mbps(stored.bytes, started))
      await peer.blobs.evict({ maxCachedBytes: 0 })
      best.tcp = Math.max(best.tcp, (await tcpReceive({ port: config.tcpPort, totalBytes: config.bytes })).mbps)
    }
    return best
  } finally {
    await stopPeer(peer)
  }
}

// libp2p refuses more than a few connections per second from one host, and every peer here is 127.0.0.1.
async function dialRetrying (peer: Awaited<ReturnType<typeof startPeer>>, address: string): Promise<Connection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await peer.node.dial(multiaddr(address))
    } catch (err) {
      if (attempt >= 20) throw err
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  }
}

/** MB/s of one bare stream on the connection: what noise and yamux allow without the blob protocol. */
async function receiveBulk (connection: Connection, bytes: number): Promise<number> {
  const stream = await connection.newStream(BULK_PROTOCOL)
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

// Run as a script (the benchmark imports this module only for BULK_PROTOCOL and the types).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await main(JSON.parse(process.argv[2]) as FetcherConfig)
  process.stdout.write(JSON.stringify(figures) + '\n')
  process.exit(0)
}
