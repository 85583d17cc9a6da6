/**
 * `/mesh/blob/1.0.0`: fetch a content-addressed blob (an input matrix's fp32
 * bytes) streamed in pieces, verified against its sha256 and kept in the
 * fetcher's blob store, so a shared input crosses the network once per
 * volunteer (DESIGN.md sections 4 and 5).
 *
 * @example
 * ```ts
 * const node = await createLibp2p({ ..., services: { blob: blob({ source: blobStore }) } })
 * const fetched = await node.services.blob.fetch(owner, hash, blobStore, { signal })
 * // fetched.cached: true when the blob was already in blobStore (nothing crossed the network)
 * ```
 */
import { BlobService } from './blob-service.ts'
import type { BlobInfo, BlobWriter } from '../../store/blob-store.ts'
import type { AbortOptions, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { StreamServiceComponents } from '../stream-service-components.ts'

export { BLOB_PROTOCOL } from './constants.ts'
export { BlobUnavailableError, BlobProtocolError } from './errors.ts'
export * from '../blob.ts'

/** Where served blobs come from (a BlobStore). */
export interface BlobSource {
  info (hash: string): Promise<Pick<BlobInfo, 'size' | 'pieces' | 'pieceSize'> | undefined>
  pieces (hash: string, fromPiece?: number): AsyncIterable<Uint8Array>
}

/** Where fetched blobs go (a BlobStore): `createWriter(...).finish()` verifies the hash. */
export interface BlobSink {
  info (hash: string): Promise<Pick<BlobInfo, 'size'> | undefined>
  createWriter (hash: string, size: number): Promise<BlobWriter>
}

export interface BlobFetchResult {
  readonly hash: string
  readonly size: number
  /** True when the sink already had the blob: nothing was transferred. */
  readonly cached: boolean
  /** Bytes received over the network. */
  readonly bytes: number
  readonly ms: number
}

export interface BlobFetchOptions extends AbortOptions {
  /** Refuse a blob of another size (the size the manifest declares). */
  expectedSize?: number
}

export interface BlobRejection {
  readonly from?: string
  readonly what: string
  readonly reason: string
}

export interface BlobServiceEvents {
  rejected: CustomEvent<BlobRejection>
}

export interface BlobTransfer extends TypedEventTarget<BlobServiceEvents> {
  /** Serve blobs from `source` (replaces any earlier one); `undefined` stops serving. */
  serve (source: BlobSource | undefined): void
  /** Fetches `hash` from `peer` into `sink`, unless `sink` has it already. */
  fetch (peer: PeerId, hash: string, sink: BlobSink, options?: BlobFetchOptions): Promise<BlobFetchResult>
  /** Streams answered with pieces since start (for tests and figures). */
  readonly served: number
}

export interface BlobInit {
  source?: BlobSource
  /** @default STEP_TIMEOUT_MS */
  stepTimeoutMs?: number
  /** @default MAX_CONCURRENT_TRANSFERS */
  maxConcurrentTransfers?: number
  /** @default MAX_TRANSFERS_PER_PEER */
  maxTransfersPerPeer?: number
  /** @default MAX_INBOUND_STREAMS */
  maxInboundStreams?: number
  /** @default MAX_OUTBOUND_STREAMS */
  maxOutboundStreams?: number
  /** @default MAX_BLOB_BYTES */
  maxBlobBytes?: number
  /** Pieces a fetch asks for per request, at most MAX_PIECES_PER_REQUEST. @default PIECES_PER_REQUEST */
  piecesPerRequest?: number
}

export interface BlobComponents extends StreamServiceComponents {}

export function blob (init: BlobInit = {}): (components: BlobComponents) => BlobTransfer {
  return (components) => new BlobService(components, init)
}
