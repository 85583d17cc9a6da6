/**
 * Folding rows into one: a project with `--reduce` returns one row per
 * chunk (its items folded on the GPU), and the researcher folds the chunks'
 * rows into the project's result. Sums accumulate in f64, so a fold of
 * millions of partial sums loses nothing to f32 rounding.
 */
export type ReduceOp = 'sum' | 'min' | 'max'
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'min', 'max']

/** The running fold of rows of `cols` values. */
export class RowFold {
  private readonly acc: Float64Array
  private count = 0

  constructor (readonly op: ReduceOp, readonly cols: number) {
    this.acc = new Float64Array(cols).fill(op === 'sum' ? 0 : op === 'min' ? Infinity : -Infinity)
  }

  /** Folds in every row of `rows` (row-major, a multiple of cols long). */
  add (rows: Float32Array): void {
    const { acc, cols, op } = this
    if (rows.length % cols !== 0) throw new RangeError(`${rows.length} values are not whole rows of ${cols}`)
    for (let base = 0; base < rows.length; base += cols) {
      for (let j = 0; j < cols; j++) {
        const v = rows[base + j]!
        acc[j] = op === 'sum' ? acc[j]! + v : op === 'min' ? (v < acc[j]! || Number.isNaN(v) ? v : acc[j]!) : (v > acc[j]! || Number.isNaN(v) ? v : acc[j]!)
      }
    }
    this.count += rows.length / cols
  }

  /** Rows folded so far. */
  get rows (): number {
    return this.count
  }

  result (): Float32Array {
    return Float32Array.from(this.acc)
  }
}

/** Folds the rows of `rows` (row-major, `cols` wide) into one row. */
export function foldRows (op: ReduceOp, rows: Float32Array, cols: number): Float32Array {
  const fold = new RowFold(op, cols)
  fold.add(rows)
  return fold.result()
}

/** A folded row for a person: six significant digits a value, at most `max` values shown. */
export function formatFoldedRow (row: readonly number[], max = 8): string {
  const shown = row.slice(0, max).map(v => Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : v.toPrecision(6))
  return row.length > max ? `${shown.join(', ')}, … (${row.length} values)` : shown.join(', ')
}
