import type { ChunkWork, CompareResult, Kernel } from './kernel.ts'
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

/** Recomputes a chunk with the kernel's CPU reference and compares (the researcher's spot check), in this thread. */
export function spotCheck<P> (kernel: Kernel<P>, work: ChunkWork<P>, result: Float32Array): CompareResult {
  const expected = kernel.cpuReference(work)
  return kernel.compare(work.params, inputShapesOf(kernel, work), expected, result)
}

/**
 * The spot check without stalling this thread: the reference runs on `cpu`,
 * a device from openComputeDevice({ prefer: 'cpu' }) (a worker thread).
 */
export async function spotCheckOn<P> (cpu: ComputeDevice, kernel: Kernel<P>, work: ChunkWork<P>, result: Float32Array, signal?: AbortSignal): Promise<CompareResult> {
  if (cpu.info.backend !== 'cpu') throw new RangeError('spotCheckOn needs the CPU reference device (prefer: cpu)')
  if (kernel.hasCpuReference === false) throw new KernelUnsupportedError(`kernel ${kernel.id} has no CPU reference to spot-check against`)
  const expected = await cpu.run(work, { signal })
  return kernel.compare(work.params, inputShapesOf(kernel, work), expected, result)
}

/** The input shapes a chunk's work implies (split input with the chunk's rows, shared inputs as given). */
export function inputShapesOf<P> (kernel: Kernel<P>, work: ChunkWork<P>): Array<{ name: string, rows: number, cols: number }> {
  const rows = work.range.rowEnd - work.range.rowStart
  return [
    { name: kernel.splitInput, rows, cols: work.rowCols },
    ...Object.entries(work.shared).map(([name, m]) => ({ name, rows: m.rows, cols: m.cols }))
  ]
}
