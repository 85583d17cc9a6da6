/**
 * Group commit over the store's root database. Every awaited LevelDB batch
 * costs a thread-pool round trip, so writing one small batch after another
 * caps a busy researcher at a few ten thousand verified results a second.
 * Here the writes of concurrent callers queue up while one batch is being
 * written, and the next batch holds everything queued by then:
 *
 * - one caller's ops are never split: they land in one batch, together or
 *   not at all (a verified chunk's result, record and receipts);
 * - batches are written one at a time, in the order their callers called;
 * - a caller's promise resolves once its batch is committed, or rejects
 *   with that batch's error; the next batch is tried all the same;
 * - an op the database cannot encode rejects only its own caller;
 * - a batch stops taking callers at `maxOps` ops or about `maxBytes` bytes
 *   (a caller larger than that gets a batch of its own).
 *
 * Ops go into a chained batch as they are handed in, while the batch before
 * is being written, so preparing a batch overlaps writing the last one.
 *
 * Over a database without prewrite hooks or write listeners (the store's),
 * an op in one of its sublevels is encoded here, as the batch would encode
 * it with `{ sublevel }`: the key by the sublevel's key encoding and
 * prefixed with the sublevel's prefix, the value by its value encoding (the
 * same bytes land). The batch's first op goes in through put(), which checks
 * the batch and counts the op, so that write() writes it; the others go
 * straight to the implementation's _put() and _del() (abstract-level's
 * private API, which the public put() ends in), skipping per op the
 * lookups of encodings, the copying of options and the checks that the
 * first op already made: most of the main thread's cost of an op that is
 * not LevelDB's own.
 */

/** A put or a del, in the root database or (with `sublevel`) one of its sublevels: the ops `db.batch([...])` takes. */
export type WriteOp =
  | { readonly type: 'put', readonly key: string, readonly value: unknown, readonly sublevel?: unknown }
  | { readonly type: 'del', readonly key: string, readonly sublevel?: unknown }

/** The part of abstract-level's chained batch used here. */
export interface ChainedBatchLike {
  put: (key: any, value: any, options?: { sublevel?: any, keyEncoding?: string, valueEncoding?: string }) => unknown
  del: (key: any, options?: { sublevel?: any, keyEncoding?: string }) => unknown
  /** abstract-level's private API: an op already encoded, for the root database (see the note at the top). */
  _put?: (key: string | Uint8Array, value: string | Uint8Array, options: { keyEncoding: string, valueEncoding: string }) => unknown
  _del?: (key: string | Uint8Array, options: { keyEncoding: string }) => unknown
  clear: () => unknown
  write: () => Promise<void>
  close: () => Promise<void>
}

/** A database that makes chained batches (a `Level` instance). */
export interface BatchTarget {
  batch: () => ChainedBatchLike
}

/** The parts of an abstract-level encoding used here. */
interface EncodingLike {
  readonly format: 'utf8' | 'view' | 'buffer'
  encode: (data: any) => any
}

/** The parts of an abstract-level sublevel (or database) used to encode its ops for the root database. */
interface SublevelLike {
  readonly db: unknown
  readonly parent: SublevelLike | null
  readonly prefix: string
  prefixKey: (key: any, keyFormat: string, local: boolean) => any
  keyEncoding: () => EncodingLike
  valueEncoding: () => EncodingLike
  _assertValidKey: (key: unknown) => void
  _assertValidValue: (value: unknown) => void
}

/** How the ops of one sublevel are encoded for the root database's batch. */
interface Codec {
  readonly sublevel: SublevelLike
  readonly keyEncoding: EncodingLike
  readonly valueEncoding: EncodingLike
  /** The whole prefix, where keys are strings. */
  readonly prefix: string | undefined
  readonly putOptions: { readonly keyEncoding: string, readonly valueEncoding: string }
  readonly delOptions: { readonly keyEncoding: string }
}

export interface GroupCommitOptions {
  /** Most ops in one batch (default 256). */
  readonly maxOps?: number
  /** Most bytes of keys and binary or string values in one batch, roughly (default 1 MiB). */
  readonly maxBytes?: number
}

/** Writes after close() are refused. */
export class WriterClosedError extends Error {
  override name = 'WriterClosedError'
  readonly code = 'LEVEL_DATABASE_NOT_OPEN'
  constructor () {
    super('the store is closing: no more writes')
  }
}

interface Writer {
  readonly ops: readonly WriteOp[]
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
}

interface Group {
  readonly batch: ChainedBatchLike
  /** Whether ops in sublevels of the database are encoded here (see Codec). */
  readonly encoded: boolean
  /** An op went in through put() or del() since the batch was made or cleared: write() will write it, so encoded ops may go to _put() and _del(). */
  counted: boolean
  readonly writers: Writer[]
  ops: number
  bytes: number
}

/**
 * A batch's fixed cost (a thread-pool round trip, about 50 us) is spread
 * over about 64 verified chunks (3 or 4 ops each), and a cap lets callers
 * past it fill the next batches while this one is written: with every
 * caller in one batch, preparing and writing take turns instead (256
 * callers at once: about 70,000 results a second without the cap). The
 * main thread hears of a written batch only between callers' turns, so
 * smaller batches keep LevelDB's thread busier: 64 chunks a batch did about
 * 10% better than 128 (median of 6 interleaved quick store benchmarks,
 * 94,000 against 81,000 to 86,000 a second, with other work on the 2-core
 * machine of bench/RESULTS.md), 32 no better.
 */
const DEFAULT_MAX_OPS = 256
const DEFAULT_MAX_BYTES = 1024 * 1024
/** What an op counts for when its value is neither bytes nor a string (JSON records are small). */
const OTHER_VALUE_BYTES = 256

export class GroupCommit {
  private readonly maxOps: number
  private readonly maxBytes: number
  /** Groups in commit order; the first one is being written while `writing`. */
  private readonly groups: Group[] = []
  private writing = false
  private scheduled = false
  private closed = false
  private readonly drained: Array<() => void> = []
  private written = 0
  /** By sublevel; null for one whose ops go in with `{ sublevel }`. */
  private readonly codecs = new WeakMap<object, Codec | null>()

  constructor (private readonly db: BatchTarget, options: GroupCommitOptions = {}) {
    this.maxOps = options.maxOps ?? DEFAULT_MAX_OPS
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  }

  /** Batches written so far (committed or failed). */
  get batches (): number {
    return this.written
  }

  /**
   * Writes `ops` together, in a batch with whatever else is queued. Resolves
   * when that batch is committed; `write([])` resolves once every write handed
   * in before it is settled.
   */
  write (ops: readonly WriteOp[]): Promise<void> {
    // Not an async function: one promise per write rather than two (tens of thousands of writes a second).
    if (this.closed) return Promise.reject(new WriterClosedError())
    return new Promise<void>((resolve, reject) => { this.enqueue({ ops, resolve, reject }) })
  }

  /** Refuses new writes and resolves once every queued one is settled. Idempotent. */
  async close (): Promise<void> {
    this.closed = true
    if (this.groups.length === 0) return
    await new Promise<void>(resolve => { this.drained.push(resolve) })
  }

  private enqueue (writer: Writer): void {
    let bytes = 0
    for (const op of writer.ops) bytes += sizeOf(op)
    let group: Group
    try {
      group = this.groupFor(writer.ops.length, bytes)
    } catch (err) {
      writer.reject(err)
      return
    }
    let added = 0
    try {
      for (const op of writer.ops) {
        this.addOp(group, op)
        added++
      }
    } catch (err) {
      if (added > 0) this.rebuild(group)
      writer.reject(err)
      return
    }
    group.writers.push(writer)
    group.ops += writer.ops.length
    group.bytes += bytes
    this.schedule()
  }

  /** The group still open to a caller of `ops` ops and `bytes` bytes: the last one, unless it is being written or would grow past the caps. */
  private groupFor (ops: number, bytes: number): Group {
    const last = this.groups.at(-1)
    const inFlight = this.writing && this.groups.length === 1
    if (last != null && !inFlight && (last.ops === 0 || (last.ops + ops <= this.maxOps && last.bytes + bytes <= this.maxBytes))) return last
    const group: Group = { batch: this.db.batch(), encoded: this.passesEncodedOps(), counted: false, writers: [], ops: 0, bytes: 0 }
    this.groups.push(group)
    return group
  }

  /** After a caller's op failed part way: the group's batch again with only the callers already in it. */
  private rebuild (group: Group): void {
    try {
      group.batch.clear()
      group.counted = false
      for (const writer of group.writers) for (const op of writer.ops) this.addOp(group, op)
    } catch (err) {
      // Ops that went in once go in again; should they not, the group fails as a whole rather than half.
      this.groups.splice(this.groups.indexOf(group), 1)
      group.batch.close().catch(() => {})
      for (const writer of group.writers) writer.reject(err)
      if (this.groups.length === 0 && !this.writing) this.wakeDrained()
    }
  }

  /**
   * Whether a batch of the database made now may take ops encoded here: it
   * runs no prewrite hooks (they would see the encoded op, not the
   * sublevel's) and emits no write events (they would name the root
   * database instead of the sublevel).
   */
  private passesEncodedOps (): boolean {
    const db = this.db as { hooks?: { prewrite?: { noop?: boolean } }, listenerCount?: (event: string) => number }
    return db.hooks?.prewrite?.noop === true && typeof db.listenerCount === 'function' && db.listenerCount('write') === 0
  }

  private addOp (group: Group, op: WriteOp): void {
    const codec = group.encoded && typeof op.sublevel === 'object' && op.sublevel !== null ? this.codecFor(op.sublevel) : null
    if (codec == null) {
      addOp(group.batch, op)
      group.counted = true
      return
    }
    const { sublevel } = codec
    const batch = group.batch
    sublevel._assertValidKey(op.key)
    let key = codec.keyEncoding.encode(op.key)
    if (codec.prefix !== undefined) key = codec.prefix + key
    else for (let level: SublevelLike | null = sublevel; level != null && level !== (this.db as unknown); level = level.parent) key = level.prefixKey(key, codec.keyEncoding.format, true)
    // put() and del() check what _put() and _del() take as it is (a LevelDB binding copies what is neither a string nor bytes as empty).
    const direct = group.counted && isEncoded(key)
    if (op.type === 'put') {
      sublevel._assertValidValue(op.value)
      const value = codec.valueEncoding.encode(op.value)
      if (direct && batch._put != null && isEncoded(value)) batch._put(key, value, codec.putOptions)
      else batch.put(key, value, codec.putOptions)
    } else if (op.type === 'del') {
      if (direct && batch._del != null) batch._del(key, codec.delOptions)
      else batch.del(key, codec.delOptions)
    } else {
      throw new TypeError(`unknown batch op type ${String((op as { type?: unknown }).type)}`)
    }
    group.counted = true
  }

  /** The codec of a sublevel of this database; null for anything else (its ops go in with `{ sublevel }`). */
  private codecFor (sublevel: object): Codec | null {
    let codec = this.codecs.get(sublevel)
    if (codec !== undefined) return codec
    codec = null
    const level = sublevel as SublevelLike
    const db: unknown = this.db
    if (level !== db && level.db === db && isDescendant(level, db) &&
        typeof level.prefixKey === 'function' && typeof level.keyEncoding === 'function' && typeof level.valueEncoding === 'function' &&
        typeof level._assertValidKey === 'function' && typeof level._assertValidValue === 'function') {
      const keyEncoding = level.keyEncoding()
      const valueEncoding = level.valueEncoding()
      codec = {
        sublevel: level,
        keyEncoding,
        valueEncoding,
        // A sublevel prefixes a string key by concatenation, each level up to the root in turn.
        prefix: keyEncoding.format === 'utf8' ? level.prefix : undefined,
        putOptions: { keyEncoding: keyEncoding.format, valueEncoding: valueEncoding.format },
        delOptions: { keyEncoding: keyEncoding.format }
      }
    }
    this.codecs.set(sublevel, codec)
    return codec
  }

  private schedule (): void {
    if (this.writing || this.scheduled) return
    this.scheduled = true
    // Callers in the same turn of the event loop share the first batch too.
    queueMicrotask(() => {
      this.scheduled = false
      this.next()
    })
  }

  private next (): void {
    if (this.writing) return
    const group = this.groups[0]
    if (group == null) {
      this.wakeDrained()
      return
    }
    this.writing = true
    this.written++
    const settle = (err?: unknown): void => {
      this.groups.shift()
      this.writing = false
      // The next batch starts before the callers of this one hear back.
      if (this.groups.length > 0) this.next()
      for (const writer of group.writers) {
        if (err === undefined) writer.resolve()
        else writer.reject(err)
      }
      if (this.groups.length === 0) this.wakeDrained()
    }
    let writing: Promise<void>
    try {
      writing = group.batch.write()
    } catch (err) {
      writing = Promise.reject(err)
    }
    writing.then(() => { settle() }, err => { settle(err ?? new Error('batch write failed')) })
  }

  private wakeDrained (): void {
    for (const wake of this.drained.splice(0)) wake()
  }
}

function addOp (batch: ChainedBatchLike, op: WriteOp): void {
  const options = op.sublevel == null ? undefined : { sublevel: op.sublevel }
  if (op.type === 'put') batch.put(op.key, op.value, options)
  else if (op.type === 'del') batch.del(op.key, options)
  else throw new TypeError(`unknown batch op type ${String((op as { type?: unknown }).type)}`)
}

function isEncoded (data: unknown): data is string | Uint8Array {
  return typeof data === 'string' || data instanceof Uint8Array
}

function isDescendant (level: SublevelLike, ancestor: unknown): boolean {
  for (let parent = level.parent; parent != null; parent = parent.parent) if (parent === ancestor) return true
  return false
}

function sizeOf (op: WriteOp): number {
  const key = typeof op.key === 'string' ? op.key.length : 0
  if (op.type !== 'put') return key
  const value = op.value
  if (value instanceof Uint8Array) return key + value.byteLength
  if (typeof value === 'string') return key + value.length
  return key + OTHER_VALUE_BYTES
}
