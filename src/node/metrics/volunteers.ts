import type { VolunteerRow } from '../types.ts'
import type { ChunkRecord, VolunteerInfo } from './records.ts'

/**
 * One row per volunteer: chunks accepted and in flight from the chunk
 * records, and the GFLOPS its device reached while computing (verified
 * FLOPs over its reported compute time). Most verified first.
 */
export function volunteerRows (chunks: readonly ChunkRecord[], volunteers: readonly VolunteerInfo[]): VolunteerRow[] {
  const tallies = new Map<string, { verified: number, inFlight: number, flops: number, computeMs: number }>()
  const tally = (peer: string): { verified: number, inFlight: number, flops: number, computeMs: number } => {
    let t = tallies.get(peer)
    if (t == null) {
      t = { verified: 0, inFlight: 0, flops: 0, computeMs: 0 }
      tallies.set(peer, t)
    }
    return t
  }
  for (const c of chunks) {
    if (c.volunteer == null) continue
    if (c.state === 'verified') {
      const t = tally(c.volunteer)
      t.verified++
      t.flops += c.flops
      t.computeMs += c.computeMs ?? 0
    } else if (c.state === 'leased' || c.state === 'verifying') {
      tally(c.volunteer).inFlight++
    }
  }
  const info = new Map(volunteers.map(v => [v.peer, v]))
  const peers = new Set([...info.keys(), ...tallies.keys()])
  const rows: VolunteerRow[] = [...peers].map(peer => {
    const t = tallies.get(peer) ?? { verified: 0, inFlight: 0, flops: 0, computeMs: 0 }
    const v = info.get(peer)
    return {
      peer,
      name: v?.name,
      chunksVerified: t.verified,
      chunksInFlight: t.inFlight,
      gflops: t.computeMs > 0 ? t.flops / (t.computeMs / 1000) / 1e9 : 0,
      status: v?.status ?? (t.inFlight > 0 ? 'active' : 'idle')
    }
  })
  return rows.sort((a, b) => b.chunksVerified - a.chunksVerified || (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0))
}
