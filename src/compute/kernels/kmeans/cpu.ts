import { centroidCols, rowValues, tieShrink } from './layout.ts'

/**
 * One chunk's row on the CPU: each point goes to its nearest centroid by the
 * tie rule of layout.ts, with the squared distances computed in fp32 exactly
 * as the GPU program does (Math.fround after every operation: an f64
 * result rounded to f32 is the correctly rounded f32 result for + - x), so
 * both assign the same points. Sums, counts and inertia accumulate in f64.
 */
export function kmeansChunkCpu (points: Float32Array, count: number, dims: number, centroids: Float32Array, k: number): Float32Array {
  const cols = centroidCols(dims)
  const shrink = tieShrink(dims)
  const acc = new Float64Array(rowValues(k, dims))
  const inertiaAt = k * cols
  for (let i = 0; i < count; i++) {
    const base = i * dims
    let best = 0
    let bestDistance = squaredDistanceF32(points, base, centroids, 0, dims)
    for (let c = 1; c < k; c++) {
      const distance = squaredDistanceF32(points, base, centroids, c * dims, dims)
      if (distance < Math.fround(bestDistance * shrink)) {
        best = c
        bestDistance = distance
      }
    }
    const out = best * cols
    for (let j = 0; j < dims; j++) acc[out + j] = acc[out + j]! + points[base + j]!
    acc[out + dims] = acc[out + dims]! + 1
    acc[inertiaAt] = acc[inertiaAt]! + bestDistance
  }
  return Float32Array.from(acc)
}

/** Sum over j of (x_j - c_j)^2, rounded to fp32 after each operation in the GPU's order. */
function squaredDistanceF32 (points: Float32Array, pointBase: number, centroids: Float32Array, centroidBase: number, dims: number): number {
  let sum = 0
  for (let j = 0; j < dims; j++) {
    const diff = Math.fround(points[pointBase + j]! - centroids[centroidBase + j]!)
    sum = Math.fround(sum + Math.fround(diff * diff))
  }
  return sum
}
