import type { ChunkRecord } from './records.ts'
import { creditedVolunteers } from './volunteers.ts'

export interface Speedup {
  /** Sum of the verified chunks' compute times over wall time (1 peer computing alone = 1x). */
  readonly factor: number
  /** Distinct volunteers credited with a verified chunk (every agreeing one under redundancy). */
  readonly volunteers: number
  readonly computeMs: number
  readonly wallMs: number
}

export interface Efficiency {
  readonly computeMs: number
  readonly transferMs: number
  readonly bytesMoved: number
  /** compute / (compute + transfer); 0 until something was measured. */
  readonly ratio: number
}

/**
 * How many times faster the mesh ran the verified chunks than one peer
 * computing them back to back: their summed compute time over the wall time
 * the project has been running. Under redundancy each chunk counts once
 * (one peer alone would compute it once), with its accepted copy's time.
 */
export function speedup (chunks: readonly ChunkRecord[], wallMs: number): Speedup {
  let computeMs = 0
  const volunteers = new Set<string>()
  for (const c of chunks) {
    if (c.state !== 'verified') continue
    computeMs += c.computeMs ?? 0
    for (const peer of creditedVolunteers(c)) volunteers.add(peer)
  }
  return { factor: wallMs > 0 ? computeMs / wallMs : 0, volunteers: volunteers.size, computeMs, wallMs }
}

/** Time spent computing against time spent moving data, over every chunk that reported either. */
export function efficiency (chunks: readonly ChunkRecord[]): Efficiency {
  let computeMs = 0
  let transferMs = 0
  let bytesMoved = 0
  for (const c of chunks) {
    computeMs += c.computeMs ?? 0
    transferMs += c.transferMs ?? 0
    bytesMoved += c.bytesMoved ?? 0
  }
  const total = computeMs + transferMs
  return { computeMs, transferMs, bytesMoved, ratio: total > 0 ? computeMs / total : 0 }
}

/** Wall time from the start of work to the finish, or to `now` while running. */
export function wallTime (startedAt: number | undefined, finishedAt: number | undefined, now: number): number {
  if (startedAt == null) return 0
  return Math.max(0, (finishedAt ?? now) - startedAt)
}
