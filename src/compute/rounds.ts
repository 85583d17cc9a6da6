import { KernelInputError } from './kernel.ts'

/**
 * Iterative projects (DESIGN.md section 4, "Rounds"): every chunk of round r
 * reads the round's *state* (the shared input named `state`: centroids, model
 * weights) and returns one row; the researcher folds the round's verified
 * rows into state r+1 with the project's aggregator. A round chunk's row is
 * the aggregator's part, then the kernel's extra columns (summed over the
 * round's chunks for its figures: a loss, an example count).
 *
 * - `sum`: state' = the sum of the rows' state parts;
 * - `mean`: that sum over the number of rows folded;
 * - `weighted-mean`: each state row travels with its weight (STATE_COLS
 *   values, then the weight), already multiplied in: state row k' =
 *   sum(weighted values of k) / sum(weights of k). A row whose weights sum to
 *   0 keeps its previous value (a k-means centroid with no points). FedAvg is
 *   the case where every row of a chunk carries that chunk's example count.
 *
 * Rows fold in chunk order in f64, so a resumed researcher computes exactly
 * the state an uninterrupted one does.
 */
export type AggregateOp = 'sum' | 'mean' | 'weighted-mean'
export const AGGREGATE_OPS: readonly AggregateOp[] = ['sum', 'mean', 'weighted-mean']

export interface RoundsParams {
  /** Most rounds to run. */
  readonly count: number
  /** Stop early once no state value moves more than this between two rounds. */
  readonly untilChange?: number
  /** Fraction of a round's chunks that closes it once the rest are overdue (0 < quorum <= 1). */
  readonly quorum: number
  readonly aggregate: AggregateOp
}

export const MAX_ROUNDS = 100_000
/** The name of the shared input that changes each round. */
export const STATE_INPUT = 'state'

/** Validates rounds params from JSON (a manifest's, or a publish request's); throws KernelInputError. */
export function parseRoundsParams (value: unknown): RoundsParams {
  if (value == null || typeof value !== 'object') throw new KernelInputError('rounds must be an object with count, quorum and aggregate')
  const { count, untilChange, quorum, aggregate } = value as Record<string, unknown>
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_ROUNDS) {
    throw new KernelInputError(`rounds must be a positive integer of at most ${MAX_ROUNDS} (got ${String(count)})`)
  }
  if (untilChange != null && (typeof untilChange !== 'number' || !Number.isFinite(untilChange) || untilChange < 0)) {
    throw new KernelInputError(`until-change must be a number of at least 0 (got ${String(untilChange)})`)
  }
  const q = quorum ?? 1
  if (typeof q !== 'number' || !(q > 0 && q <= 1)) throw new KernelInputError(`round quorum must be a fraction with 0 < F <= 1 (got ${String(q)})`)
  if (typeof aggregate !== 'string' || !AGGREGATE_OPS.includes(aggregate as AggregateOp)) {
    throw new KernelInputError(`aggregate must be one of ${AGGREGATE_OPS.join(', ')} (got ${String(aggregate)})`)
  }
  return { count, ...(untilChange != null ? { untilChange: untilChange as number } : {}), quorum: q, aggregate: aggregate as AggregateOp }
}

/** Values of a round chunk's row that the aggregator reads (the extras follow them). */
export function aggregatedCols (op: AggregateOp, stateRows: number, stateCols: number): number {
  return op === 'weighted-mean' ? stateRows * (stateCols + 1) : stateRows * stateCols
}

/** The state after a round: `rows` (one per verified chunk, in chunk order) folded by `op` onto `previous`. */
export function aggregateRound (op: AggregateOp, previous: Float32Array, stateRows: number, stateCols: number, rows: readonly Float32Array[]): Float32Array {
  const size = stateRows * stateCols
  if (previous.length !== size) throw new RangeError(`the state holds ${previous.length} values, not ${stateRows}x${stateCols}`)
  const width = aggregatedCols(op, stateRows, stateCols)
  for (const row of rows) if (row.length < width) throw new RangeError(`a round row of ${row.length} values is shorter than the ${width} the aggregator reads`)
  if (rows.length === 0) return Float32Array.from(previous)
  if (op !== 'weighted-mean') {
    const acc = new Float64Array(size)
    for (const row of rows) for (let i = 0; i < size; i++) acc[i] = acc[i]! + row[i]!
    const scale = op === 'mean' ? 1 / rows.length : 1
    return Float32Array.from(acc, v => v * scale)
  }
  const next = new Float32Array(size)
  const values = new Float64Array(stateCols)
  for (let r = 0; r < stateRows; r++) {
    values.fill(0)
    let weight = 0
    const base = r * (stateCols + 1)
    for (const row of rows) {
      for (let c = 0; c < stateCols; c++) values[c] = values[c]! + row[base + c]!
      weight += row[base + stateCols]!
    }
    for (let c = 0; c < stateCols; c++) next[r * stateCols + c] = weight > 0 ? values[c]! / weight : previous[r * stateCols + c]!
  }
  return next
}

/** The extra columns (after the aggregator's part) summed over the rows, in f64. */
export function sumExtras (rows: readonly Float32Array[], from: number, count: number): Float64Array {
  const acc = new Float64Array(count)
  for (const row of rows) for (let i = 0; i < count; i++) acc[i] = acc[i]! + row[from + i]!
  return acc
}

/** How far the state moved: the largest absolute change of one value. */
export function stateChange (before: Float32Array, after: Float32Array): number {
  let largest = 0
  for (let i = 0; i < before.length; i++) {
    const change = Math.abs(after[i]! - before[i]!)
    if (!(change <= largest)) largest = change
  }
  return largest
}
