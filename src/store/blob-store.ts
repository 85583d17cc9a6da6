import { createHash, type Hash } from 'node:crypto'
import type { MeshStore } from './store.ts'

/**
 * Content-addressed input blobs (matmul's B, a dataset), own and cached.
 *
 * A blob is stored in pieces of `pieceSize` bytes under `${hash}/${piece}`
 * (piece zero-padded so keys sort in order) in the `blobs` sublevel; its
 * metadata under `hash` in `blobMeta` is the commit marker: pieces without
 * metadata are an interrupted write and are never served.
 */

export const BLOB_PIECE_SIZE = 1024 * 1024

export interface BlobInfo {
  /** sha256 of the whole blob, lowercase hex. */
  readonly hash: string
  readonly size: number
  readonly pieces: number
  readonly pieceSize: number
  /** Own inputs are never evicted; cached copies of others' inputs are. */
  readonly own: boolean
  /** ms since epoch */
  readonly lastUsed: number
}

export interface BlobWriter {
  /** Appends bytes (any length; re-cut into pieces here). */
  write (bytes: Uint8Array): Promise<void>
  /** Verifies the size and sha256 and commits the blob; throws BlobHashMismatchError. */
  finish (): Promise<BlobInfo>
  /** Drops what was written. */
  abort (): Promise<void>
}

export interface EvictLimits {
  /** Cached blobs unused for longer than this are evicted. */
  readonly maxAgeMs?: number
  /** Then the least recently used cached blobs go until the cache is at most this size. */
  readonly maxCachedBytes?: number
  readonly now?: number
}

export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError'
  constructor (readonly hash: string) {
    super(`blob ${hash} is not in the store`)
  }
}

export class BlobHashMismatchError extends Error {
  override name = 'BlobHashMismatchError'
  constructor (readonly expected: string, readonly actual: string) {
    super(`blob content hashes to ${actual}, expected ${expected}`)
  }
}

export class BlobSizeError extends Error {
  override name = 'BlobSizeError'
}

export class BlobWriteInProgressError extends Error {
  override name = 'BlobWriteInProgressError'
  constructor (readonly hash: string) {
    super(`blob ${hash} is already being written`)
  }
}

const HASH_PATTERN = /^[0-9a-f]{64}$/
/** Refresh lastUsed at most this often, so reads do not turn into a write each. */
const LAST_USED_RESOLUTION_MS = 60_000

export function isBlobHash (value: string): boolean {
  return HASH_PATTERN.test(value)
}

export function sha256Hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function pieceKey (hash: string, piece: number): string {
  return `${hash}/${piece.toString().padStart(8, '0')}`
}

function pieceCount (size: number, pieceSize: number): number {
  return Math.ceil(size / pieceSize)
}

function isBlobInfo (value: any): value is BlobInfo {
  return value != null && typeof value.hash === 'string' && Number.isSafeInteger(value.size) &&
    Number.isSafeInteger(value.pieces) && Number.isSafeInteger(value.pieceSize) &&
    typeof value.own === 'boolean' && typeof value.lastUsed === 'number'
}

export class BlobStore {
  private readonly writing = new Set<string>()

  constructor (private readonly store: Pick<MeshStore, 'db' | 'blobs' | 'blobMeta'>, private readonly pieceSize = BLOB_PIECE_SIZE) {}

  /** Stores bytes (or marks an existing copy as own); returns its info. */
  async put (bytes: Uint8Array, options: { own: boolean }): Promise<BlobInfo> {
    const hash = sha256Hex(bytes)
    const existing = await this.info(hash)
    if (existing != null) {
      const updated: BlobInfo = { ...existing, own: existing.own || options.own, lastUsed: Date.now() }
      await this.store.blobMeta.put(hash, updated)
      return updated
    }
    const info: BlobInfo = {
      hash,
      size: bytes.byteLength,
      pieces: pieceCount(bytes.byteLength, this.pieceSize),
      pieceSize: this.pieceSize,
      own: options.own,
      lastUsed: Date.now()
    }
    const ops: any[] = []
    for (let piece = 0; piece < info.pieces; piece++) {
      const start = piece * this.pieceSize
      ops.push({ type: 'put', sublevel: this.store.blobs, key: pieceKey(hash, piece), value: bytes.subarray(start, Math.min(bytes.byteLength, start + this.pieceSize)) })
    }
    ops.push({ type: 'put', sublevel: this.store.blobMeta, key: hash, value: info })
    await this.store.db.batch(ops)
    return info
  }

  async has (hash: string): Promise<boolean> {
    return (await this.info(hash)) != null
  }

  async info (hash: string): Promise<BlobInfo | undefined> {
    if (!isBlobHash(hash)) return undefined
    const value = await this.store.blobMeta.get(hash)
    return isBlobInfo(value) ? value : undefined
  }

  /** The whole blob in memory; prefer `pieces()` for large blobs. */
  async get (hash: string): Promise<Uint8Array> {
    const info = await this.requireInfo(hash)
    const bytes = new Uint8Array(info.size)
    let offset = 0
    for await (const piece of this.readPieces(info, 0)) {
      bytes.set(piece, offset)
      offset += piece.byteLength
    }
    return bytes
  }

  /** The blob's pieces in order, from `fromPiece` on (to resume a transfer). */
  async * pieces (hash: string, fromPiece = 0): AsyncGenerator<Uint8Array> {
    const info = await this.requireInfo(hash)
    if (!Number.isInteger(fromPiece) || fromPiece < 0 || fromPiece > info.pieces) {
      throw new RangeError(`piece ${fromPiece} is out of range for blob ${hash} (${info.pieces} pieces)`)
    }
    yield * this.readPieces(info, fromPiece)
  }

  /**
   * A writer for a blob received from another peer. Pieces go under their
   * final keys and the metadata is written last, after the hash is verified,
   * so a half-written blob is never visible. One writer per hash at a time.
   */
  async createWriter (hash: string, size: number): Promise<BlobWriter> {
    if (!isBlobHash(hash)) throw new TypeError(`not a sha256 hex hash: ${hash}`)
    if (!Number.isSafeInteger(size) || size < 0) throw new BlobSizeError(`blob size must be a non-negative integer (got ${size})`)
    if (this.writing.has(hash)) throw new BlobWriteInProgressError(hash)
    const existing = await this.info(hash)
    this.writing.add(hash)
    return new PieceWriter(this.store, hash, size, this.pieceSize, existing, () => this.writing.delete(hash))
  }

  /** Every blob's info. */
  async list (): Promise<BlobInfo[]> {
    const infos: BlobInfo[] = []
    for await (const value of this.store.blobMeta.values()) {
      if (isBlobInfo(value)) infos.push(value)
    }
    return infos
  }

  /**
   * Evicts cached (not own) blobs: first those unused for longer than
   * maxAgeMs, then the least recently used until the cache fits maxCachedBytes.
   * Blobs being written are left alone. Returns what was evicted.
   */
  async evict (limits: EvictLimits): Promise<BlobInfo[]> {
    const now = limits.now ?? Date.now()
    const cached = (await this.list())
      .filter(info => !info.own && !this.writing.has(info.hash))
      .sort((a, b) => a.lastUsed - b.lastUsed)
    let cachedBytes = cached.reduce((sum, info) => sum + info.size, 0)
    const evicted: BlobInfo[] = []
    for (const info of cached) {
      const tooOld = limits.maxAgeMs != null && now - info.lastUsed > limits.maxAgeMs
      const overSize = limits.maxCachedBytes != null && cachedBytes > limits.maxCachedBytes
      if (!tooOld && !overSize) continue
      await this.delete(info)
      cachedBytes -= info.size
      evicted.push(info)
    }
    return evicted
  }

  /** Removes pieces left by writes that never finished (a crash mid-transfer). */
  async removeIncomplete (): Promise<number> {
    const complete = new Set((await this.list()).map(info => info.hash))
    const orphans: string[] = []
    for await (const key of this.store.blobs.keys()) {
      const hash = key.slice(0, 64)
      if (!complete.has(hash) && !this.writing.has(hash)) orphans.push(key)
    }
    if (orphans.length > 0) await this.store.blobs.batch(orphans.map(key => ({ type: 'del' as const, key })))
    return orphans.length
  }

  private async delete (info: BlobInfo): Promise<void> {
    const ops: any[] = [{ type: 'del', sublevel: this.store.blobMeta, key: info.hash }]
    for (let piece = 0; piece < info.pieces; piece++) {
      ops.push({ type: 'del', sublevel: this.store.blobs, key: pieceKey(info.hash, piece) })
    }
    await this.store.db.batch(ops)
  }

  private async requireInfo (hash: string): Promise<BlobInfo> {
    const info = await this.info(hash)
    if (info == null) throw new BlobNotFoundError(hash)
    if (Date.now() - info.lastUsed > LAST_USED_RESOLUTION_MS) {
      await this.store.blobMeta.put(hash, { ...info, lastUsed: Date.now() })
    }
    return info
  }

  private async * readPieces (info: BlobInfo, fromPiece: number): AsyncGenerator<Uint8Array> {
    for (let piece = fromPiece; piece < info.pieces; piece++) {
      const bytes = await this.store.blobs.get(pieceKey(info.hash, piece))
      if (bytes == null) throw new BlobNotFoundError(info.hash)
      yield bytes
    }
  }
}

class PieceWriter implements BlobWriter {
  private readonly hasher: Hash = createHash('sha256')
  private pending: Uint8Array[] = []
  private pendingBytes = 0
  private written = 0
  private nextPiece = 0
  private closed = false

  constructor (
    private readonly store: Pick<MeshStore, 'db' | 'blobs' | 'blobMeta'>,
    private readonly hash: string,
    private readonly size: number,
    private readonly pieceSize: number,
    /** Already complete: bytes are verified but not stored again. */
    private readonly existing: BlobInfo | undefined,
    private readonly release: () => void
  ) {}

  async write (bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('blob writer is closed')
    if (this.written + bytes.byteLength > this.size) {
      await this.abort()
      throw new BlobSizeError(`blob ${this.hash} is larger than the announced ${this.size} bytes`)
    }
    this.hasher.update(bytes)
    this.written += bytes.byteLength
    if (this.existing != null) return
    this.pending.push(bytes)
    this.pendingBytes += bytes.byteLength
    while (this.pendingBytes >= this.pieceSize) await this.flushPiece(this.pieceSize)
  }

  async finish (): Promise<BlobInfo> {
    if (this.closed) throw new Error('blob writer is closed')
    if (this.written !== this.size) {
      await this.abort()
      throw new BlobSizeError(`blob ${this.hash} ended after ${this.written} of ${this.size} bytes`)
    }
    const actual = this.hasher.digest('hex')
    if (actual !== this.hash) {
      await this.abort()
      throw new BlobHashMismatchError(this.hash, actual)
    }
    if (this.pendingBytes > 0) await this.flushPiece(this.pendingBytes)
    const info: BlobInfo = this.existing != null
      ? { ...this.existing, lastUsed: Date.now() }
      : { hash: this.hash, size: this.size, pieces: this.nextPiece, pieceSize: this.pieceSize, own: false, lastUsed: Date.now() }
    await this.store.blobMeta.put(this.hash, info)
    this.close()
    return info
  }

  async abort (): Promise<void> {
    if (this.closed) return
    this.close()
    if (this.existing != null || this.nextPiece === 0) return
    const keys = Array.from({ length: this.nextPiece }, (_, piece) => pieceKey(this.hash, piece))
    await this.store.blobs.batch(keys.map(key => ({ type: 'del' as const, key })))
  }

  private close (): void {
    this.closed = true
    this.pending = []
    this.pendingBytes = 0
    this.release()
  }

  private async flushPiece (length: number): Promise<void> {
    const piece = new Uint8Array(length)
    let offset = 0
    while (offset < length) {
      const head = this.pending[0]
      const take = Math.min(head.byteLength, length - offset)
      piece.set(head.subarray(0, take), offset)
      offset += take
      if (take === head.byteLength) this.pending.shift()
      else this.pending[0] = head.subarray(take)
    }
    this.pendingBytes -= length
    await this.store.blobs.put(pieceKey(this.hash, this.nextPiece), piece)
    this.nextPiece++
  }
}
