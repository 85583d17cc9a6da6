import type { ChunkRecord } from './records.ts'

/** Throughput is measured over this trailing window while a project runs. */
export const DEFAULT_THROUGHPUT_WINDOW_MS = 10_000
/** Samples kept for the throughput sparkline (one per second). */
export const DEFAULT_THROUGHPUT_HISTORY_SECONDS = 60

export interface Progress {
  readonly done: number
  readonly total: number
  /** done / total, 1 for a project without chunks. */
  readonly ratio: number
}

export interface Throughput {
  readonly chunksPerSec: number
  readonly gflops: number
}

export function progress (chunks: readonly ChunkRecord[]): Progress {
  const done = chunks.filter(c => c.state === 'verified').length
  return { done, total: chunks.length, ratio: chunks.length === 0 ? 1 : done / chunks.length }
}

/** The earliest lease time of the chunks: when work on the project started. */
export function firstLeaseAt (chunks: readonly ChunkRecord[]): number | undefined {
  let first: number | undefined
  for (const c of chunks) {
    const at = c.firstLeasedAt ?? c.leasedAt
    if (at != null && (first == null || at < first)) first = at
  }
  return first
}

/**
 * Verified chunks per second and GFLOPS over the window ending at `endAt`,
 * shortened to the time since `startedAt` when work began more recently.
 */
export function throughput (
  chunks: readonly ChunkRecord[],
  startedAt: number | undefined,
  endAt: number,
  windowMs: number = DEFAULT_THROUGHPUT_WINDOW_MS
): Throughput {
  if (startedAt == null || endAt <= startedAt) return { chunksPerSec: 0, gflops: 0 }
  const spanMs = Math.min(windowMs, endAt - startedAt)
  const from = endAt - spanMs
  let count = 0
  let flops = 0
  for (const c of chunks) {
    if (c.state === 'verified' && c.verifiedAt != null && c.verifiedAt > from && c.verifiedAt <= endAt) {
      count++
      flops += c.flops
    }
  }
  const seconds = spanMs / 1000
  return { chunksPerSec: count / seconds, gflops: flops / seconds / 1e9 }
}

/** Seconds until the remaining chunks are done at `chunksPerSec`; undefined while the rate is unknown. */
export function etaSeconds (remaining: number, chunksPerSec: number): number | undefined {
  if (remaining <= 0) return 0
  if (chunksPerSec <= 0) return undefined
  return remaining / chunksPerSec
}

/**
 * Chunks verified in each whole second before `endAt`, oldest first and
 * newest last, going back at most `seconds` and never before `startedAt`.
 */
export function throughputHistory (
  chunks: readonly ChunkRecord[],
  startedAt: number | undefined,
  endAt: number,
  seconds: number = DEFAULT_THROUGHPUT_HISTORY_SECONDS
): number[] {
  if (startedAt == null || endAt <= startedAt) return []
  const buckets = Math.min(seconds, Math.ceil((endAt - startedAt) / 1000))
  const samples = new Array<number>(buckets).fill(0)
  const from = endAt - buckets * 1000
  for (const c of chunks) {
    if (c.state !== 'verified' || c.verifiedAt == null || c.verifiedAt < from || c.verifiedAt >= endAt) continue
    samples[Math.floor((c.verifiedAt - from) / 1000)]++
  }
  return samples
}
