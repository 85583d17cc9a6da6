/** Small statistics helpers for benchmarks: percentiles over samples in ms. */

export function percentile (samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}

export function mean (samples: readonly number[]): number {
  return samples.length === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / samples.length
}

/** Milliseconds since an arbitrary origin, sub-microsecond resolution. */
export function nowMs (): number {
  return Number(process.hrtime.bigint()) / 1e6
}

export function round (value: number, digits = 3): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
