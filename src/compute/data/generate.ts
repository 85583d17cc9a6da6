import type { Matrix } from './matrix.ts'

/**
 * A deterministic matrix with values in [-1, 1): the same (rows, cols, seed)
 * gives the same bits on every peer, so generated projects are reproducible.
 * Values are multiples of 2^-23, exact in float32.
 */
export function generateMatrix (rows: number, cols: number, seed: number): Matrix {
  const next = splitMix32(seed)
  const data = new Float32Array(rows * cols)
  for (let i = 0; i < data.length; i++) {
    data[i] = (next() >>> 8) / 0x800000 - 1
  }
  return { rows, cols, data }
}

/** SplitMix32: a tiny, well-distributed PRNG (not for cryptography). */
function splitMix32 (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}
