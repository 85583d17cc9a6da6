/** Rows of B's columns processed together, so a block of B stays in cache across rows of A. */
const COLUMN_BLOCK = 256

/**
 * C = A x B on the CPU, fp32 accumulation in k order (the order every GPU
 * invocation sums in too), blocked over C's columns for cache reuse.
 * a: m x k, b: k x n, both row-major.
 */
export function matmulCpu (a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n)
  for (let j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
    const j1 = Math.min(n, j0 + COLUMN_BLOCK)
    for (let i = 0; i < m; i++) {
      const cRow = i * n
      const aRow = i * k
      for (let p = 0; p < k; p++) {
        const aValue = a[aRow + p]!
        const bRow = p * n
        for (let j = j0; j < j1; j++) c[cRow + j]! += aValue * b[bRow + j]!
      }
    }
  }
  return c
}
