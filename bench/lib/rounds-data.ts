import type { Matrix } from '../../src/compute/data/matrix.ts'
import { planChunks } from '../../src/compute/kernel.ts'
import { kmeansChunkCpu } from '../../src/compute/kernels/kmeans/cpu.ts'
import { aggregateRound } from '../../src/compute/rounds.ts'
import { randomNormal4 } from '../../src/compute/random/philox.ts'

/** Data and references for the rounds benchmark (bench/rounds.ts). */

/** Philox stream of the blobs' centres: far from any point's item number. */
const CENTRE_ITEMS = 1 << 30

/**
 * `points` points in `dims` dimensions around `centres` seeded centres
 * (each coordinate spread x a standard normal), point i around centre
 * i % centres, with unit Gaussian noise: k-means' own problem, with an answer.
 */
export function gaussianBlobs (points: number, dims: number, centres: number, spread: number, seed: number): Matrix {
  const normal = (item: number, j: number): number => randomNormal4(seed, item, Math.floor(j / 4))[j % 4]
  const at = Array.from({ length: centres }, (_, c) => Array.from({ length: dims }, (_, j) => spread * normal(CENTRE_ITEMS + c, j)))
  const data = new Float32Array(points * dims)
  for (let i = 0; i < points; i++) {
    const centre = at[i % centres]!
    for (let j = 0; j < dims; j++) data[i * dims + j] = centre[j]! + normal(i, j)
  }
  return { rows: points, cols: dims, data }
}

/**
 * The centroids after `rounds` rounds as the mesh computes them, on the CPU:
 * each chunk of `rowsPerChunk` points by the kernel's CPU reference, the
 * round's rows folded in chunk order by the weighted-mean aggregator.
 */
export function kmeansOnCpu (data: Matrix, initial: Matrix, rowsPerChunk: number, rounds: number): Float32Array {
  let state = initial.data
  for (let round = 0; round < rounds; round++) {
    const rows = planChunks(data.rows, rowsPerChunk).map(range =>
      kmeansChunkCpu(data.data.subarray(range.rowStart * data.cols, range.rowEnd * data.cols), range.rowEnd - range.rowStart, data.cols, state, initial.rows))
    state = aggregateRound('weighted-mean', state, initial.rows, initial.cols, rows)
  }
  return state
}

/** The largest absolute difference of two equal-length arrays (Infinity when their lengths differ). */
export function maxAbsDiff (a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY
  let largest = 0
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i]! - b[i]!)
    if (!(diff <= largest)) largest = diff
  }
  return largest
}
