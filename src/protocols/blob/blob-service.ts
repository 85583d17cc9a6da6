import { TypedEventEmitter, serviceCapabilities } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import { isBlobHash } from '../../store/blob-store.ts'
import { BlobHeader, BlobPiece, BlobRequest, BlobStatus } from '../blob.ts'
import {
  BLOB_PROTOCOL, MAX_BLOB_BYTES, MAX_CONCURRENT_TRANSFERS, MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS,
  MAX_PIECE_BYTES, MAX_PIECES_PER_REQUEST, MAX_REQUEST_BYTES, MAX_TRANSFERS_PER_PEER, PIECE_OVERHEAD_BYTES, PIECES_PER_REQUEST, STEP_TIMEOUT_MS
} from './constants.ts'
import { BlobProtocolError, BlobUnavailableError } from './errors.ts'
import { isRelayedConnection, openDirectStream, RelayedConnectionError } from '../direct-stream.ts'
import type { BlobInfo, BlobWriter } from '../../store/blob-store.ts'
import type { BlobComponents, BlobFetchOptions, BlobFetchResult, BlobInit, BlobRejection, BlobServiceEvents, BlobSink, BlobSource, BlobTransfer } from './index.ts'
import type { AbortOptions, Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

const LENGTH_PREFIX_BYTES = 10

/**
 * Reads one message from a server. Bytes that do not decode as the message
 * expected (protobuf's plain Error or RangeError) become a BlobProtocolError
 * naming the blob; stream failures (EOF, reset, timeout, overflow) pass as
 * they are.
 */
async function readFromServer<T> (messages: ReturnType<typeof pbStream>, codec: { decode: (data: Uint8Array | Uint8ArrayList) => T }, hash: string, what: string, signal: AbortSignal): Promise<T> {
  try {
    return await messages.read(codec, { signal })
  } catch (err: any) {
    if (err?.name !== 'Error' && err?.name !== 'RangeError') throw err
    throw new BlobProtocolError(`blob ${hash}: the server sent a malformed ${what} (${err.message})`)
  }
}

/** Where a fetch is: the layout the first header gave, the writer, the next piece wanted. */
interface FetchState {
  readonly hash: string
  readonly expectedSize: number | undefined
  layout?: BlobHeader
  writer?: BlobWriter
  next: number
  bytes: number
}

/**
 * The wire side of `/mesh/blob/1.0.0`. Serving never throws: a bad request
 * gets a MALFORMED header, an unknown hash NOT_FOUND, and a stalled reader
 * has its stream aborted after a step timeout.
 */
export class BlobService extends TypedEventEmitter<BlobServiceEvents> implements BlobTransfer, Startable {
  readonly [Symbol.toStringTag] = '@mesh/blob'
  readonly [serviceCapabilities] = ['@mesh/blob']

  private readonly components: BlobComponents
  private readonly log: Logger
  private readonly stepTimeoutMs: number
  private readonly maxConcurrentTransfers: number
  private readonly maxTransfersPerPeer: number
  private readonly maxInboundStreams: number
  private readonly maxOutboundStreams: number
  private readonly maxBlobBytes: number
  private readonly piecesPerRequest: number
  private source: BlobSource | undefined
  private transfers = 0
  private readonly transfersByPeer = new Map<string, number>()
  private servedCount = 0
  private started = false

  constructor (components: BlobComponents, init: BlobInit = {}) {
    super()
    this.components = components
    this.log = components.logger.forComponent('mesh:blob')
    this.source = init.source
    this.stepTimeoutMs = init.stepTimeoutMs ?? STEP_TIMEOUT_MS
    this.maxConcurrentTransfers = init.maxConcurrentTransfers ?? MAX_CONCURRENT_TRANSFERS
    this.maxTransfersPerPeer = init.maxTransfersPerPeer ?? MAX_TRANSFERS_PER_PEER
    this.maxInboundStreams = init.maxInboundStreams ?? MAX_INBOUND_STREAMS
    this.maxOutboundStreams = init.maxOutboundStreams ?? MAX_OUTBOUND_STREAMS
    this.maxBlobBytes = init.maxBlobBytes ?? MAX_BLOB_BYTES
    this.piecesPerRequest = Math.max(1, Math.min(init.piecesPerRequest ?? PIECES_PER_REQUEST, MAX_PIECES_PER_REQUEST))
  }

  get served (): number {
    return this.servedCount
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(BLOB_PROTOCOL, (stream, connection) => this.handleStream(stream, connection), {
      maxInboundStreams: this.maxInboundStreams,
      maxOutboundStreams: this.maxOutboundStreams
    })
    this.started = true
  }

  async stop (): Promise<void> {
    await this.components.registrar.unhandle(BLOB_PROTOCOL)
    this.started = false
  }

  isStarted (): boolean {
    return this.started
  }

  serve (source: BlobSource | undefined): void {
    this.source = source
  }

  async fetch (peer: PeerId, hash: string, sink: BlobSink, options: BlobFetchOptions = {}): Promise<BlobFetchResult> {
    const started = performance.now()
    const have = await sink.info(hash)
    if (have != null) {
      return { hash, size: have.size, cached: true, bytes: 0, ms: performance.now() - started }
    }
    const transfer: FetchState = { hash, expectedSize: options.expectedSize, next: 0, bytes: 0 }
    try {
      await this.fetchPieces(peer, transfer, sink, options)
      const info = await transfer.writer!.finish()
      transfer.writer = undefined
      return { hash, size: info.size, cached: false, bytes: transfer.bytes, ms: performance.now() - started }
    } catch (err) {
      await transfer.writer?.abort()
      throw err
    }
  }

  /**
   * One stream: requests of `piecesPerRequest` pieces from `transfer.next`,
   * at most two outstanding, each answered with a header (checked before any
   * piece is read) and its pieces, written to the sink as they arrive.
   * The next request goes out while the last one is still arriving, so the
   * flow never stops; only what was asked for can arrive, so the requester
   * never holds more than two requests' worth of pieces.
   */
  private async fetchPieces (peer: PeerId, transfer: FetchState, sink: BlobSink, options: BlobFetchOptions): Promise<void> {
    const { hash } = transfer
    const stream = await openDirectStream(this.components.connectionManager, peer, BLOB_PROTOCOL, { signal: this.stepSignal(options) })
    try {
      const frameBytes = MAX_PIECE_BYTES + PIECE_OVERHEAD_BYTES
      const messages = pbStream(stream, { maxDataLength: frameBytes, maxBufferSize: 2 * this.piecesPerRequest * (frameBytes + LENGTH_PREFIX_BYTES) + 1024 })
      const ask = async (fromPiece: number): Promise<void> => {
        await messages.write({ hash, fromPiece, maxPieces: this.piecesPerRequest }, BlobRequest, { signal: this.stepSignal(options) })
      }
      await ask(transfer.next)
      let asked = -1
      const outstanding: number[] = []
      while (true) {
        const header = await readFromServer(messages, BlobHeader, hash, 'header', this.stepSignal(options))
        if (header.status !== BlobStatus.FOUND) throw new BlobUnavailableError(hash, header.status, header.message)
        const layout = this.checkLayout(transfer, header)
        transfer.writer ??= await sink.createWriter(hash, layout.size)
        if (asked < 0) {
          asked = Math.min(transfer.next + this.piecesPerRequest, layout.pieces)
          outstanding.push(asked - transfer.next)
        }
        // Keep a second request in flight while this one's pieces arrive.
        if (outstanding.length < 2 && asked < layout.pieces) {
          await ask(asked)
          outstanding.push(Math.min(this.piecesPerRequest, layout.pieces - asked))
          asked += outstanding.at(-1)!
        }
        const count = outstanding.shift()!
        for (let i = 0; i < count; i++) await this.receivePiece(messages, transfer, layout, options)
        if (outstanding.length === 0) break
      }
      await stream.close({ signal: this.stepSignal(options) })
    } catch (err: any) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  private async receivePiece (messages: ReturnType<typeof pbStream>, transfer: FetchState, layout: BlobHeader, options: BlobFetchOptions): Promise<void> {
    const piece = await readFromServer(messages, BlobPiece, transfer.hash, 'piece', this.stepSignal(options))
    const expectedLength = Math.min(layout.pieceSize, layout.size - transfer.next * layout.pieceSize)
    if (piece.index !== transfer.next || piece.data.byteLength !== expectedLength) {
      throw new BlobProtocolError(`blob ${transfer.hash}: expected piece ${transfer.next} of ${expectedLength} bytes, got piece ${piece.index} of ${piece.data.byteLength}`)
    }
    await transfer.writer!.write(piece.data)
    transfer.bytes += piece.data.byteLength
    transfer.next++
  }

  /** The first header fixes the blob's layout; later ones (one per stream) must repeat it. */
  private checkLayout (transfer: FetchState, header: BlobHeader): BlobHeader {
    const { hash, next } = transfer
    if (transfer.layout == null) {
      this.checkHeader(hash, header, transfer.expectedSize)
      transfer.layout = header
    } else if (header.size !== transfer.layout.size || header.pieceSize !== transfer.layout.pieceSize) {
      throw new BlobProtocolError(`blob ${hash}: the server changed its size or piece size between requests`)
    }
    if (header.pieces > 0 && header.pieces <= next) throw new BlobProtocolError(`blob ${hash}: no piece ${next} in ${header.pieces} pieces`)
    return transfer.layout
  }

  private checkHeader (hash: string, header: BlobHeader, expectedSize: number | undefined): void {
    const { size, pieces, pieceSize } = header
    if (!Number.isSafeInteger(size) || size < 0 || size > this.maxBlobBytes) {
      throw new BlobProtocolError(`blob ${hash}: size ${size} is out of range (max ${this.maxBlobBytes})`)
    }
    if (expectedSize != null && size !== expectedSize) {
      throw new BlobProtocolError(`blob ${hash}: the server says ${size} bytes, expected ${expectedSize}`)
    }
    if (pieceSize < 1 || pieceSize > MAX_PIECE_BYTES || pieces !== Math.ceil(size / pieceSize)) {
      throw new BlobProtocolError(`blob ${hash}: ${pieces} pieces of ${pieceSize} bytes cannot hold ${size} bytes`)
    }
  }

  private stepSignal (options: AbortOptions): AbortSignal {
    const timeout = AbortSignal.timeout(this.stepTimeoutMs)
    return options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
  }

  private async handleStream (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    // libp2p refuses streams on limited (relayed) connections; a relay without limits gives one it does not.
    if (isRelayedConnection(connection)) {
      stream.abort(new RelayedConnectionError(from, BLOB_PROTOCOL))
      return
    }
    const messages = pbStream(stream, { maxDataLength: MAX_REQUEST_BYTES, maxBufferSize: MAX_REQUEST_BYTES + LENGTH_PREFIX_BYTES })
    let request: BlobRequest
    try {
      request = await messages.read(BlobRequest, { signal: AbortSignal.timeout(this.stepTimeoutMs) })
    } catch (err: any) {
      this.reject({ from, what: 'frame', reason: `${err?.name ?? 'Error'}: ${err?.message ?? err}` })
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      return
    }
    const mine = this.transfersByPeer.get(from) ?? 0
    if (this.transfers >= this.maxConcurrentTransfers || mine >= this.maxTransfersPerPeer) {
      await this.answer(stream, messages, { status: BlobStatus.BUSY, message: 'too many transfers, retry later' })
      return
    }
    this.transfers++
    this.transfersByPeer.set(from, mine + 1)
    try {
      await this.send(stream, messages, request, from)
    } catch (err: any) {
      this.log.error('sending blob %s to %s failed - %e', request.hash, from, err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      this.transfers--
      const left = (this.transfersByPeer.get(from) ?? 1) - 1
      if (left > 0) this.transfersByPeer.set(from, left)
      else this.transfersByPeer.delete(from)
    }
  }

  /**
   * Answers `first` and every later request on the stream, each with a
   * header and its pieces. A later request must continue where the last
   * one ended, so a stream never serves more than one pass over the blob.
   */
  private async send (stream: Stream, messages: ReturnType<typeof pbStream>, first: BlobRequest, from: string): Promise<void> {
    if (!isBlobHash(first.hash)) {
      this.reject({ from, what: 'request', reason: 'hash is not 64 lowercase hex characters' })
      await this.answer(stream, messages, { status: BlobStatus.MALFORMED, message: 'hash must be sha256 lowercase hex' })
      return
    }
    const info = await this.source?.info(first.hash)
    if (info == null) {
      await this.answer(stream, messages, { status: BlobStatus.NOT_FOUND, message: '' })
      return
    }
    let request: BlobRequest | undefined = first
    let expected = first.fromPiece
    while (request != null) {
      if (request.hash !== first.hash || request.fromPiece !== expected) {
        this.reject({ from, what: 'request', reason: `piece ${request.fromPiece} of ${request.hash.slice(0, 16)} asked after piece ${expected - 1} of ${first.hash.slice(0, 16)}` })
        await this.answer(stream, messages, { status: BlobStatus.MALFORMED, message: `a later request on a stream must ask for the same blob from piece ${expected}` })
        return
      }
      if (request.fromPiece > info.pieces) {
        this.reject({ from, what: 'request', reason: `fromPiece ${request.fromPiece} beyond ${info.pieces} pieces` })
        await this.answer(stream, messages, { status: BlobStatus.MALFORMED, message: `fromPiece must be at most ${info.pieces}` })
        return
      }
      expected = await this.sendPieces(messages, request, info)
      request = expected < info.pieces ? await this.nextRequest(stream, messages, from) : undefined
    }
    await stream.close({ signal: AbortSignal.timeout(this.stepTimeoutMs) })
    this.servedCount++
  }

  /** A header and the pieces `request` asks for; returns the piece after the last one sent. */
  private async sendPieces (messages: ReturnType<typeof pbStream>, request: BlobRequest, info: Pick<BlobInfo, 'size' | 'pieces' | 'pieceSize'>): Promise<number> {
    await messages.write({ status: BlobStatus.FOUND, size: info.size, pieces: info.pieces, pieceSize: info.pieceSize, message: '' }, BlobHeader, { signal: AbortSignal.timeout(this.stepTimeoutMs) })
    const wanted = request.maxPieces === 0 ? MAX_PIECES_PER_REQUEST : Math.min(request.maxPieces, MAX_PIECES_PER_REQUEST)
    const end = Math.min(info.pieces, request.fromPiece + wanted)
    let index = request.fromPiece
    for await (const data of this.source!.pieces(request.hash, request.fromPiece)) {
      if (index >= end) break
      // Stored pieces never live in shared memory; the codec's ArrayBuffer type is only stricter on paper.
      await messages.write({ index, data: data as Uint8Array<ArrayBuffer> }, BlobPiece, { signal: AbortSignal.timeout(this.stepTimeoutMs) })
      index++
    }
    return index
  }

  /** The requester's next request, or undefined once it has closed its side: it wants no more. */
  private async nextRequest (stream: Stream, messages: ReturnType<typeof pbStream>, from: string): Promise<BlobRequest | undefined> {
    try {
      return await messages.read(BlobRequest, { signal: AbortSignal.timeout(this.stepTimeoutMs) })
    } catch (err: any) {
      if (err?.name === 'UnexpectedEOFError' && stream.remoteWriteStatus === 'closed') return undefined
      this.reject({ from, what: 'frame', reason: `${err?.name ?? 'Error'}: ${err?.message ?? err}` })
      throw err
    }
  }

  private async answer (stream: Stream, messages: ReturnType<typeof pbStream>, header: Omit<BlobHeader, 'size' | 'pieces' | 'pieceSize'>): Promise<void> {
    try {
      const signal = AbortSignal.timeout(this.stepTimeoutMs)
      await messages.write({ size: 0, pieces: 0, pieceSize: 0, ...header }, BlobHeader, { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  private reject (rejection: BlobRejection): void {
    this.log('rejected %s from %s: %s', rejection.what, rejection.from, rejection.reason)
    this.safeDispatchEvent('rejected', { detail: rejection })
  }
}
