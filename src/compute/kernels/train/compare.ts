import type { CompareResult } from '../../kernel.ts'
import { compareWithin, type Tolerance } from '../../verify.ts'
import { stateShape, type ModelShape } from './model.ts'

/**
 * Two results of one chunk agree when their example counts are equal
 * (integers, exact in f32) and their weighted weights and loss sums agree
 * within the tolerance: rel of the largest weighted weight (normwise: one
 * weight is an SGD trajectory, so its error is that of the whole model) plus
 * abs per example, since the weights carry n.
 */
export function compareTrainRows (shape: ModelShape, tolerance: Tolerance, expected: Float32Array, actual: Float32Array): CompareResult {
  const { rows, cols } = stateShape(shape)
  const width = rows * (cols + 1)
  if (expected.length !== width + 2 || actual.length !== expected.length) {
    return { ok: false, maxAbsError: Infinity, maxRelError: Infinity, firstMismatch: Math.min(expected.length, actual.length, width + 2) }
  }
  const counts = [...Array.from({ length: rows }, (_, r) => r * (cols + 1) + cols), width + 1]
  const differentCount = counts.find(i => expected[i] !== actual[i])
  if (differentCount !== undefined) return { ok: false, maxAbsError: Math.abs(expected[differentCount]! - actual[differentCount]!), maxRelError: Infinity, firstMismatch: differentCount }
  const n = expected[width + 1]!
  const weightsOf = (row: Float32Array): Float32Array => {
    const values = new Float32Array(rows * cols)
    for (let r = 0; r < rows; r++) values.set(row.subarray(r * (cols + 1), r * (cols + 1) + cols), r * cols)
    return values
  }
  const weights = compareWithin(weightsOf(expected), weightsOf(actual), { rel: tolerance.rel, abs: tolerance.abs * n, normwise: true })
  const loss = compareWithin(expected.subarray(width, width + 1), actual.subarray(width, width + 1), { rel: tolerance.rel, abs: tolerance.abs * n })
  const maxAbsError = Math.max(weights.maxAbsError, loss.maxAbsError)
  const maxRelError = Math.max(weights.maxRelError, loss.maxRelError)
  if (!weights.ok) {
    const i = weights.firstMismatch ?? 0
    return { ok: false, maxAbsError, maxRelError, firstMismatch: Math.floor(i / cols) * (cols + 1) + i % cols }
  }
  if (!loss.ok) return { ok: false, maxAbsError, maxRelError, firstMismatch: width }
  return { ok: true, maxAbsError, maxRelError }
}
