import { spawn } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { startPeer, stopPeers, type BenchPeer } from './lib/peers.ts'
import { runOnShapedLink } from './lib/shaped-link.ts'
import { tcpSource } from './lib/tcp-reference.ts'
import { BULK_PROTOCOL, type FetcherFigures } from './lib/transfer-fetcher.ts'

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
  /** The same bytes over a raw TCP socket in 1 MiB frames, between the same two processes. */
  readonly tcpTransferMBps: number
  readonly transferRatio: number
  /** Into the fetcher's blob store (sha256 check, LevelDB writes): what a volunteer sees. */
  readonly transferStoreMBps: number
  readonly transferBytes: number
}

const FETCHER = fileURLToPath(new URL('./lib/transfer-fetcher.ts', import.meta.url))
const ON_LINK = fileURLToPath(new URL('./lib/transfer-on-link.ts', import.meta.url))

/**
 * Blob protocol throughput from a researcher (this process, serving the
 * blob from its LevelDB blob store, as it serves matmul's B) to a volunteer
 * in another process, against a raw TCP socket between the same two
 * processes and one bare libp2p stream on the same connection, measured
 * interleaved in the same run. Each figure is the best of `repeats`.
 */
export async function benchTransfer (options: TransferOptions): Promise<TransferFigures> {
  let server: BenchPeer | undefined
  const tcp = await tcpSource({ totalBytes: options.bytes, pieceSize: 1024 * 1024 })
  try {
    server = await startPeer()
    const bytes = randomFillSync(new Uint8Array(options.bytes))
    const { hash } = await server.blobs.put(bytes, { own: true })
    await serveBulk(server, options.bytes)
    const figures = await runFetcher({
      researcher: server.node.getMultiaddrs()[0].toString(), hash, bytes: options.bytes, repeats: options.repeats, tcpPort: tcp.port
    })
    return {
      transferMBps: figures.mesh,
      libp2pStreamMBps: figures.stream,
      transferOverStream: figures.mesh / figures.stream,
      tcpTransferMBps: figures.tcp,
      transferRatio: figures.mesh / figures.tcp,
      transferStoreMBps: figures.store,
      transferBytes: options.bytes
    }
  } finally {
    await stopPeers([server])
    await tcp.close()
  }
}

export interface LinkTransferFigures {
  /** The link's rate: a lab's wired Ethernet. */
  readonly linkMbit: number
  readonly transferLinkMBps: number
  readonly tcpLinkMBps: number
  readonly transferLinkRatio: number
}

/**
 * The same measurement with both processes on a loopback shaped to
 * `linkMbit` (shaped-link.ts): on loopback the figure is the CPU cost of
 * noise and yamux; on a link of a lab's speed it is what a volunteer gets.
 * Undefined, with the reason on stderr, where the link cannot be made.
 */
export async function benchTransferOnLink (options: TransferOptions, linkMbit: number): Promise<LinkTransferFigures | undefined> {
  let figures: TransferFigures
  try {
    figures = await runOnShapedLink<TransferFigures>(linkMbit, ON_LINK, [JSON.stringify(options)])
  } catch (err: any) {
    console.error(`  transfer: no ${linkMbit} Mbit/s link figure: ${err?.message ?? err}`)
    return undefined
  }
  return { linkMbit, transferLinkMBps: figures.transferMBps, tcpLinkMBps: figures.tcpTransferMBps, transferLinkRatio: figures.transferRatio }
}

async function runFetcher (config: object): Promise<FetcherFigures> {
  const child = spawn(process.execPath, ['--import', 'tsx', FETCHER, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (data: Buffer) => { out += data.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  const line = out.trim().split('\n').at(-1) ?? ''
  if (code !== 0 || !line.startsWith('{')) throw new Error(`the transfer fetcher exited with ${code}: ${out.trim().slice(-300)}`)
  return JSON.parse(line) as FetcherFigures
}

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
