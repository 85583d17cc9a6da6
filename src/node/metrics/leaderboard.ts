import type { LeaderboardEntry } from '../types.ts'
import type { Receipt } from './records.ts'

export const DEFAULT_LEADERBOARD_SIZE = 10

const BADGES = ['gold', 'silver', 'bronze'] as const

export interface LeaderboardOptions {
  /** Display names by peer id. */
  readonly names?: ReadonlyMap<string, string>
  readonly limit?: number
}

/**
 * Volunteers ranked by verified FLOPs from receipts (then chunks, then peer
 * id, so ties rank the same way everywhere). A receipt seen twice for the
 * same project, chunk and volunteer counts once.
 */
export function leaderboard (receipts: readonly Receipt[], options: LeaderboardOptions = {}): LeaderboardEntry[] {
  const seen = new Set<string>()
  const totals = new Map<string, { flops: number, chunks: number, computeMs: number }>()
  for (const r of receipts) {
    const key = `${r.projectId}\n${r.chunk}\n${r.volunteer}`
    if (seen.has(key)) continue
    seen.add(key)
    const t = totals.get(r.volunteer) ?? { flops: 0, chunks: 0, computeMs: 0 }
    t.flops += r.flops
    t.chunks += 1
    t.computeMs += r.computeMs
    totals.set(r.volunteer, t)
  }
  const ranked = [...totals.entries()]
    .sort(([pa, a], [pb, b]) => b.flops - a.flops || b.chunks - a.chunks || (pa < pb ? -1 : pa > pb ? 1 : 0))
    .slice(0, options.limit ?? DEFAULT_LEADERBOARD_SIZE)
  return ranked.map(([peer, t], i) => ({
    rank: i + 1,
    peer,
    name: options.names?.get(peer),
    flops: t.flops,
    chunks: t.chunks,
    computeMs: t.computeMs,
    badge: BADGES[i]
  }))
}
