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
 */

/** A put or a del, in the root database or (with `sublevel`) one of its sublevels: the ops `db.batch([...])` takes. */
export type WriteOp =
  | { readonly type: 'put', readonly key: string, readonly value: unknown, readonly sublevel?: unknown }
  | { readonly type: 'del', readonly key: string, readonly sublevel?: unknown }

/** The part of abstract-level's chained batch used here. */
export interface ChainedBatchLike {
  put: (key: string, value: any, options?: { sublevel?: any }) => unknown
  del: (key: string, options?: { sublevel?: any }) => unknown
  clear: () => unknown
  write: () => Promise<void>
  close: () => Promise<void>
}

/** A database that makes chained batches (a `Level` instance). */
export interface BatchTarget {
  batch: () => ChainedBatchLike
}

export interface GroupCommitOptions {
  /** Most ops in one batch (default 512). */
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
  readonly writers: Writer[]
  ops: number
  bytes: number
}

/**
 * A batch's fixed cost (a thread-pool round trip, about 50 us) is spread
 * thin over about 128 verified chunks (3 or 4 ops each); larger batches gain
 * nothing, and a cap lets callers past it fill the next batch while this one
 * is written: with every caller in one batch, preparing and writing take
 * turns instead (256 callers at once: about 70,000 results a second without
 * the cap, 90,000 to 120,000 with it, on the 2-core machine of
 * bench/RESULTS.md).
 */
const DEFAULT_MAX_OPS = 512
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
  async write (ops: readonly WriteOp[]): Promise<void> {
    if (this.closed) throw new WriterClosedError()
    return await new Promise<void>((resolve, reject) => { this.enqueue({ ops, resolve, reject }) })
  }

  /** Refuses new writes and resolves once every queued one is settled. Idempotent. */
  async close (): Promise<void> {
    this.closed = true
    if (this.groups.length === 0) return
    await new Promise<void>(resolve => { this.drained.push(resolve) })
  }

  private enqueue (writer: Writer): void {
    const bytes = writer.ops.reduce((sum, op) => sum + sizeOf(op), 0)
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
        addOp(group.batch, op)
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
    const group: Group = { batch: this.db.batch(), writers: [], ops: 0, bytes: 0 }
    this.groups.push(group)
    return group
  }

  /** After a caller's op failed part way: the group's batch again with only the callers already in it. */
  private rebuild (group: Group): void {
    try {
      group.batch.clear()
      for (const writer of group.writers) for (const op of writer.ops) addOp(group.batch, op)
    } catch (err) {
      // Ops that went in once go in again; should they not, the group fails as a whole rather than half.
      this.groups.splice(this.groups.indexOf(group), 1)
      group.batch.close().catch(() => {})
      for (const writer of group.writers) writer.reject(err)
      if (this.groups.length === 0 && !this.writing) this.wakeDrained()
    }
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

function sizeOf (op: WriteOp): number {
  const key = typeof op.key === 'string' ? op.key.length : 0
  if (op.type !== 'put') return key
  const value = op.value
  if (value instanceof Uint8Array) return key + value.byteLength
  if (typeof value === 'string') return key + value.length
  return key + OTHER_VALUE_BYTES
}
