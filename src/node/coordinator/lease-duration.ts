export interface LeaseDurationOptions {
  readonly unknownSpeedLeaseMs: number
  readonly minLeaseMs: number
  readonly maxLeaseMs: number
  readonly slackFactor: number
}

/**
 * How long a volunteer of `gflops` speed may hold a chunk of `flops`: the
 * expected compute time times a slack factor, plus the minimum (transfer,
 * scheduling). Unknown speed gets a generous fixed lease; heartbeats catch
 * a dead volunteer long before either runs out.
 */
export function leaseDurationMs (flops: number, gflops: number | undefined, options: LeaseDurationOptions): number {
  if (gflops == null || !(gflops > 0)) return options.unknownSpeedLeaseMs
  const expectedMs = flops / (gflops * 1e9) * 1000
  return Math.round(Math.min(options.maxLeaseMs, Math.max(options.minLeaseMs, expectedMs * options.slackFactor + options.minLeaseMs)))
}

/** Exponentially weighted moving average (speeds, lease times): recent samples count most. */
export function movingAverage (previous: number | undefined, sample: number, weight = 0.3): number {
  return previous == null ? sample : previous * (1 - weight) + sample * weight
}
