import type { CompareResult, InputShape } from '../../kernel.ts'
import { MAX_POINTS_PER_WORKGROUP, tieShrink, UNIT_ROUNDOFF } from './layout.ts'

/**
 * How far two results of the same k-means chunk may differ (never bitwise).
 *
 * Two honest devices differ in two ways:
 *
 * 1. Rounding. The GPU sums a workgroup's points in fp32, at most
 *    MAX_POINTS_PER_WORKGROUP of them in one run, and folds the workgroups in
 *    f64; the CPU reference sums in f64. A run of m fp32 additions errs by at
 *    most (m - 1) u times the sum of its terms' magnitudes, so a sum differs
 *    by at most ROUNDING_REL (both copies' bound, a few units over) times
 *    sum |x_j|, which is known without the data: over centroid c's n_c
 *    points, sum |x_jd| <= |sum_c,d| + sqrt(n_c x inertia) (Cauchy-Schwarz,
 *    and the points' mean is nearer to them than the centroid). The inertia
 *    is a sum of positive terms: relative error only.
 *
 * 2. A point whose two nearest centroids are at nearly the same distance may
 *    be assigned differently by the two devices (see the tie rule in
 *    layout.ts, which makes this rare but not impossible). Each such point
 *    moves a count of 1 and its coordinates from one centroid to another and
 *    changes the inertia by a factor within the tie rule's tau. So: counts
 *    must be whole, total the chunk's points exactly, and differ in at most
 *    movesAllowed(n) points; a centroid's sums may differ by as many points
 *    as its count moved (plus one point in and one out, for a chain a -> c
 *    -> b, once any point moved at all), each point bounded by the largest
 *    centroid mean's coordinate plus 2 sqrt(inertia) (no point is farther
 *    than sqrt(inertia) from its centroid, nor its centroid from the mean of
 *    its points); and each coordinate's total over all centroids, which no
 *    assignment changes, must agree to rounding.
 *
 * A volunteer returning garbage fails: random or skipped values are not
 * whole counts totalling the chunk's points; results for other points or
 * centroids move far more than a few points between clusters, or change
 * sums whose counts did not move; sums accumulated at lower precision (fp16,
 * bf16) miss the rounding bound, which is 1.2e-4 of the magnitudes summed.
 * What passes beyond rounding is a few points' worth of the sums of
 * centroids whose counts moved (and of others only once some count moved).
 * Two honest copies that differ only by a pure swap (one point a -> b,
 * another b -> a, no count changed) are refused: that needs two near ties
 * on the same pair of centroids in one chunk, in opposite directions. This
 * trades a very rare false alarm (another replica under redundancy, a
 * failed spot check otherwise) for sums held to rounding whenever no count
 * moved.
 */
export const ROUNDING_REL = 2 * (MAX_POINTS_PER_WORKGROUP + 2) * UNIT_ROUNDOFF

/** Points two honest copies of an n-point chunk may assign differently: near ties are about one in a million points. */
export function movesAllowed (points: number): number {
  return 2 + Math.floor(points / 50_000)
}

/** Flushed subnormals (some GPUs) change each value by at most this. */
const SUBNORMAL = 2 ** -126

export function compareKmeans (k: number, inputs: readonly InputShape[], expected: Float32Array, actual: Float32Array): CompareResult {
  const fail = (at: number): CompareResult => ({ ok: false, maxAbsError: Infinity, maxRelError: Infinity, firstMismatch: at })
  if (expected.length !== actual.length) return fail(Math.min(expected.length, actual.length))
  const cols = (expected.length - 1) / k
  const dims = cols - 1
  const data = inputs.find(input => input.name === 'data')
  if (!Number.isInteger(cols) || dims < 1 || (data != null && data.cols !== dims)) return fail(0)
  const countAt = (c: number): number => c * cols + dims
  const inertiaAt = k * cols

  // Non-finite values (overflowing data) must be the same in both; they take no part in the bounds below.
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!
    const a = actual[i]!
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!(e === a || (Number.isNaN(e) && Number.isNaN(a)))) return fail(i)
    }
  }

  let points = 0
  let moved = 0
  for (let c = 0; c < k; c++) {
    const e = expected[countAt(c)]!
    const a = actual[countAt(c)]!
    if (!isCount(e) || !isCount(a)) return fail(countAt(c))
    points += e
    moved += Math.abs(a - e)
  }
  let actualPoints = 0
  for (let c = 0; c < k; c++) actualPoints += actual[countAt(c)]!
  if (actualPoints !== points) return fail(countAt(0))
  // Each moved point changes two counts by one.
  moved /= 2
  if (moved > movesAllowed(points)) return fail(firstDifference(expected, actual, k, cols, dims))

  const inertia = Math.max(finiteOr0(expected[inertiaAt]!), finiteOr0(actual[inertiaAt]!))
  if (!(expected[inertiaAt]! >= 0) && Number.isFinite(expected[inertiaAt]!)) return fail(inertiaAt)
  const spreadOf = (c: number): number => Math.sqrt(Math.max(expected[countAt(c)]!, actual[countAt(c)]!) * inertia)

  let maxAbsError = 0
  let scale = 0
  let firstMismatch: number | undefined
  const check = (i: number, allowed: number): void => {
    const e = expected[i]!
    const a = actual[i]!
    if (Math.abs(e) > scale && Number.isFinite(e)) scale = Math.abs(e)
    if (!Number.isFinite(e)) return
    const error = Math.abs(a - e)
    if (error > maxAbsError) maxAbsError = error
    if (firstMismatch === undefined && !(error <= allowed)) firstMismatch = i
  }

  // How far one moved point's coordinate d can be from 0.
  const pointBound = new Float64Array(dims)
  for (let d = 0; d < dims; d++) {
    let largestMean = 0
    for (let c = 0; c < k; c++) {
      const n = expected[countAt(c)]!
      if (n > 0) largestMean = Math.max(largestMean, Math.abs(expected[c * cols + d]! / n))
    }
    pointBound[d] = largestMean + 2 * Math.sqrt(inertia)
  }

  for (let c = 0; c < k; c++) {
    const countMoved = Math.abs(actual[countAt(c)]! - expected[countAt(c)]!)
    const pointsMoved = countMoved + (moved > 0 ? 2 : 0)
    const spread = spreadOf(c)
    const floor = (expected[countAt(c)]! + actual[countAt(c)]!) * SUBNORMAL
    for (let d = 0; d < dims; d++) {
      const i = c * cols + d
      const rounding = ROUNDING_REL * (Math.max(Math.abs(expected[i]!), Math.abs(actual[i]!)) + spread) + floor
      check(i, rounding + (pointsMoved > 0 ? pointsMoved * pointBound[d]! : 0))
    }
    check(countAt(c), countMoved)
  }

  // No assignment changes a coordinate's total over the centroids.
  for (let d = 0; d < dims; d++) {
    let expectedTotal = 0
    let actualTotal = 0
    let magnitude = 0
    for (let c = 0; c < k; c++) {
      const i = c * cols + d
      expectedTotal += expected[i]!
      actualTotal += actual[i]!
      magnitude += Math.max(Math.abs(expected[i]!), Math.abs(actual[i]!)) + spreadOf(c)
    }
    if (!Number.isFinite(expectedTotal) || !Number.isFinite(actualTotal)) continue
    const allowed = ROUNDING_REL * magnitude + 2 * points * SUBNORMAL
    if (firstMismatch === undefined && !(Math.abs(actualTotal - expectedTotal) <= allowed)) firstMismatch = d
  }

  // A moved point changes the inertia by less than the tie rule's factor; every distance rounds by (D + 2) u.
  const tau = 1 - tieShrink(dims)
  check(inertiaAt, (ROUNDING_REL + 4 * (dims + 2) * UNIT_ROUNDOFF + tau) * inertia + 2 * points * SUBNORMAL)

  const maxRelError = maxAbsError === 0 ? 0 : scale === 0 ? Infinity : maxAbsError / scale
  return firstMismatch === undefined ? { ok: true, maxAbsError, maxRelError } : { ok: false, maxAbsError, maxRelError, firstMismatch }
}

function isCount (value: number): boolean {
  return Number.isInteger(value) && value >= 0
}

function finiteOr0 (value: number): number {
  return Number.isFinite(value) ? value : 0
}

/** The first count that differs (where the report points when too many points moved). */
function firstDifference (expected: Float32Array, actual: Float32Array, k: number, cols: number, dims: number): number {
  for (let c = 0; c < k; c++) if (expected[c * cols + dims] !== actual[c * cols + dims]) return c * cols + dims
  return 0
}
