import { randomInt } from 'node:crypto'
import { chunkOutputRows, type ChunkWork, type CompareResult, type Kernel } from './kernel.ts'
import type { ComputeDevice } from './device.ts'
import { KernelUnsupportedError } from './errors.ts'

/** fp32 machine epsilon (2^-23). */
export const FLOAT32_EPSILON = 2 ** -23

export interface Tolerance {
  /** Allowed error relative to each expected element's magnitude. */
  readonly rel: number
  /** Allowed error regardless of magnitude. */
  readonly abs: number
  /**
   * Also allow `rel` times the largest expected magnitude: right for sums of
   * many products, where an element near zero comes from cancellation and
   * carries the rounding error of the large terms that cancelled.
   */
  readonly normwise?: boolean
}

/**
 * Tolerance compare, never bitwise: element i passes when
 * |actual - expected| <= abs + rel * (normwise ? max|expected| : |expected_i|).
 * NaN matches only NaN, an infinity only the same infinity. maxRelError is
 * normwise (max error over the largest expected magnitude), which stays
 * meaningful when single elements are near zero.
 */
export function compareWithin (expected: Float32Array, actual: Float32Array, tolerance: Tolerance): CompareResult {
  if (expected.length !== actual.length) {
    return { ok: false, maxAbsError: Infinity, maxRelError: Infinity, firstMismatch: Math.min(expected.length, actual.length) }
  }
  let scale = 0
  for (let i = 0; i < expected.length; i++) {
    const magnitude = Math.abs(expected[i]!)
    if (magnitude > scale && magnitude !== Infinity) scale = magnitude
  }
  let maxAbsError = 0
  let firstMismatch: number | undefined
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!
    const a = actual[i]!
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      const same = e === a || (Number.isNaN(e) && Number.isNaN(a))
      if (!same) {
        maxAbsError = Infinity
        firstMismatch ??= i
      }
      continue
    }
    const error = Math.abs(a - e)
    if (error === 0) continue
    if (error > maxAbsError) maxAbsError = error
    const allowed = tolerance.abs + tolerance.rel * (tolerance.normwise === true ? scale : Math.abs(e))
    if (firstMismatch === undefined && !(error <= allowed)) firstMismatch = i
  }
  const maxRelError = maxAbsError === 0 ? 0 : scale === 0 ? Infinity : maxAbsError / scale
  return firstMismatch === undefined
    ? { ok: true, maxAbsError, maxRelError }
    : { ok: false, maxAbsError, maxRelError, firstMismatch }
}

/**
 * The tolerance for dot products of length k: rounding error grows about
 * like sqrt(k) epsilon times the magnitude of the partial sums when two
 * devices sum in different orders; 4 sqrt(k) epsilon of the largest element
 * leaves an order of magnitude of headroom while still catching results
 * computed at lower precision (TF32, fp16) or with wrong values.
 */
export function dotProductTolerance (k: number): Tolerance {
  return { rel: 4 * Math.sqrt(Math.max(1, k)) * FLOAT32_EPSILON + 1e-6, abs: 1e-30, normwise: true }
}

/**
 * The most a spot check recomputes: about 0.3 s of the CPU reference. A
 * chunk sized for a GPU (a 128-row chunk of a 4096^3 matmul is 4.3 GFLOP,
 * 5 s of CPU) is checked on a random sample of its rows instead: a result
 * computed wrongly throughout (skipped, guessed, or at lower precision)
 * fails on any row, and which rows are checked cannot be known in advance.
 * A few corrupted rows may pass a sampled check; redundancy catches those.
 */
export const SPOT_CHECK_MAX_FLOPS = 256e6

export interface SpotCheckOptions {
  /** @default SPOT_CHECK_MAX_FLOPS */
  readonly maxFlops?: number
  /** Chooses `count` distinct rows of `rows` (chunk-relative); default: uniformly at random. */
  readonly pickRows?: (rows: number, count: number) => number[]
  readonly signal?: AbortSignal
}

/** Recomputes a chunk (or a sample of its rows) with the kernel's CPU reference and compares, in this thread. */
export function spotCheck<P> (kernel: Kernel<P>, work: ChunkWork<P>, result: Float32Array, options: SpotCheckOptions = {}): CompareResult {
  return compareParts(kernel, work, result, spotCheckParts(kernel, work, options).map(part => ({ ...part, expected: kernel.cpuReference(part.work) })))
}

/**
 * The spot check without stalling this thread, on `device`: for a kernel
 * with a CPU reference, a device from openComputeDevice({ prefer: 'cpu' })
 * (another process, which keeps the shared inputs between calls); for
 * researcher-written WGSL, which has none, the researcher's own WebGPU
 * device, which the researcher trusts. A device that cuts the kernel's loops
 * throws LoopBudgetError: such a check proves nothing.
 */
export async function spotCheckOn<P> (device: ComputeDevice, kernel: Kernel<P>, work: ChunkWork<P>, result: Float32Array, options: SpotCheckOptions = {}): Promise<CompareResult> {
  const onCpu = device.info.backend === 'cpu'
  if (kernel.hasCpuReference === false && onCpu) throw new KernelUnsupportedError(`kernel ${kernel.id} has no CPU reference: its spot checks need a WebGPU device`)
  if (kernel.hasCpuReference !== false && !onCpu) throw new RangeError('spotCheckOn needs the CPU reference device (prefer: cpu) for a kernel with a CPU reference')
  const computed: Array<SpotCheckPart<P> & { expected: Float32Array }> = []
  for (const part of spotCheckParts(kernel, work, options)) computed.push({ ...part, expected: await device.run(part.work, { signal: options.signal }) })
  return compareParts(kernel, work, result, computed)
}

/**
 * The share of a chunk's items a device spot check recomputes, as one run
 * at a random offset: a chunk is sized for seconds on the researcher's own
 * device, so this keeps a check to a fraction of that.
 */
export const DEVICE_SPOT_CHECK_SHARE = 1 / 8

interface SpotCheckPart<P> {
  /** First row of the part within the chunk. */
  readonly offset: number
  readonly work: ChunkWork<P>
}

/**
 * CPU reference: the whole chunk when it is within the budget, else single
 * rows picked at random. Device (no CPU reference): a run of items at a
 * random offset, or the whole chunk when its items fold into one row.
 */
function spotCheckParts<P> (kernel: Kernel<P>, work: ChunkWork<P>, options: SpotCheckOptions): Array<SpotCheckPart<P>> {
  const rows = work.range.rowEnd - work.range.rowStart
  if (kernel.hasCpuReference === false) {
    if (rows <= 1 || kernel.reduce?.(work.params) != null) return [{ offset: 0, work }]
    const count = Math.max(1, Math.ceil(rows * DEVICE_SPOT_CHECK_SHARE))
    const offset = options.pickRows != null ? options.pickRows(rows - count + 1, 1)[0] ?? 0 : randomInt(0, rows - count + 1)
    return [{ offset, work: subWork(work, offset, count) }]
  }
  const flops = kernel.flops(work.params, inputShapesOf(kernel, work), work.range)
  const maxFlops = options.maxFlops ?? SPOT_CHECK_MAX_FLOPS
  // A chunk that folds its rows into one (a reduction, a round's sums or model) has no rows to sample: it is checked whole.
  if (rows <= 1 || chunkOutputRows(kernel, work.params, work.range) === 1 || !(flops > maxFlops)) return [{ offset: 0, work }]
  const count = Math.max(1, Math.min(rows, Math.floor(maxFlops / (flops / rows))))
  const picked = (options.pickRows ?? pickRandomRows)(rows, count)
  return [...new Set(picked)].filter(row => Number.isInteger(row) && row >= 0 && row < rows).sort((a, b) => a - b).map(offset => ({
    offset,
    work: subWork(work, offset, 1)
  }))
}

/** Rows [offset, offset + count) of a chunk's work, as work of their own. */
function subWork<P> (work: ChunkWork<P>, offset: number, count: number): ChunkWork<P> {
  return {
    ...work,
    range: { ...work.range, rowStart: work.range.rowStart + offset, rowEnd: work.range.rowStart + offset + count },
    rows: work.rows.subarray(offset * work.rowCols, (offset + count) * work.rowCols)
  }
}

function pickRandomRows (rows: number, count: number): number[] {
  const order = Array.from({ length: rows }, (_, i) => i)
  for (let i = 0; i < count; i++) {
    const j = randomInt(i, rows)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order.slice(0, count)
}

/** Compares each part with its rows of `result`; the worst error over the parts, the first mismatch as a chunk index. */
function compareParts<P> (kernel: Kernel<P>, work: ChunkWork<P>, result: Float32Array, parts: ReadonlyArray<SpotCheckPart<P> & { expected: Float32Array }>): CompareResult {
  const rows = work.range.rowEnd - work.range.rowStart
  const outCols = rows > 0 ? result.length / rows : 0
  if (parts.length === 1 && parts[0]!.work === work) return kernel.compare(work.params, inputShapesOf(kernel, work), parts[0]!.expected, result)
  if (!Number.isInteger(outCols)) return { ok: false, maxAbsError: Infinity, maxRelError: Infinity, firstMismatch: 0 }
  let maxAbsError = 0
  let maxRelError = 0
  for (const part of parts) {
    const partRows = part.work.range.rowEnd - part.work.range.rowStart
    const actual = result.subarray(part.offset * outCols, (part.offset + partRows) * outCols)
    const compared = kernel.compare(work.params, inputShapesOf(kernel, part.work), part.expected, actual)
    maxAbsError = Math.max(maxAbsError, compared.maxAbsError)
    maxRelError = Math.max(maxRelError, compared.maxRelError)
    if (!compared.ok) return { ok: false, maxAbsError, maxRelError, firstMismatch: part.offset * outCols + (compared.firstMismatch ?? 0) }
  }
  return { ok: true, maxAbsError, maxRelError }
}

/** The input shapes a chunk's work implies (split input with the chunk's rows, shared inputs as given). */
export function inputShapesOf<P> (kernel: Kernel<P>, work: ChunkWork<P>): Array<{ name: string, rows: number, cols: number }> {
  const rows = work.range.rowEnd - work.range.rowStart
  return [
    { name: kernel.splitInput, rows, cols: work.rowCols },
    ...Object.entries(work.shared).map(([name, m]) => ({ name, rows: m.rows, cols: m.cols }))
  ]
}
