/**
 * A rounds project's shard rows that a volunteer keeps from one round to the
 * next (DESIGN.md section 4, "Rounds"): the researcher leases a held shard
 * again with its rows left out, so only the state travels each round. Kept
 * in memory, least recently used first out once over `maxBytes`.
 */
export class ShardCache {
  private readonly rows = new Map<number, Float32Array>()
  private bytes = 0

  constructor (private readonly maxBytes: number) {}

  has (chunk: number): boolean {
    return this.rows.has(chunk)
  }

  /** Chunk indexes (within a round) held, most recently used last. */
  chunks (): number[] {
    return [...this.rows.keys()]
  }

  get (chunk: number): Float32Array | undefined {
    const rows = this.rows.get(chunk)
    if (rows != null) {
      this.rows.delete(chunk)
      this.rows.set(chunk, rows)
    }
    return rows
  }

  /** Keeps a copy (the rows may be a view into a whole received frame). */
  keep (chunk: number, rows: Float32Array): void {
    if (rows.byteLength > this.maxBytes) return
    const old = this.rows.get(chunk)
    if (old != null) {
      this.bytes -= old.byteLength
      this.rows.delete(chunk)
    }
    this.rows.set(chunk, rows.slice())
    this.bytes += rows.byteLength
    for (const [oldest, kept] of this.rows) {
      if (this.bytes <= this.maxBytes) break
      this.rows.delete(oldest)
      this.bytes -= kept.byteLength
    }
  }
}
