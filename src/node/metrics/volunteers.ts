import type { VolunteerRow } from '../types.ts'
import type { ChunkRecord, VolunteerInfo } from './records.ts'

/**
 * The volunteers credited with a verified chunk: every one whose copy agreed
 * (redundancy 2 or more), else the one whose result was accepted.
 */
export function creditedVolunteers (chunk: ChunkRecord): readonly string[] {
  if (chunk.state !== 'verified') return []
  if (chunk.agreed != null && chunk.agreed.length > 0) return [...new Set(chunk.agreed)]
  return chunk.volunteer != null ? [chunk.volunteer] : []
}

/**
 * The volunteers computing a chunk not verified yet: those holding a lease of
 * it, else (records without lease holders) its volunteer while it is leased
 * or verifying.
 */
export function chunkHolders (chunk: ChunkRecord): readonly string[] {
  if (chunk.state === 'verified' || chunk.state === 'failed') return []
  if (chunk.holders != null) return [...new Set(chunk.holders)]
  return (chunk.state === 'leased' || chunk.state === 'verifying') && chunk.volunteer != null ? [chunk.volunteer] : []
}

interface Tally {
  verified: number
  inFlight: number
  /** FLOPs and compute time of the accepted results that were this volunteer's. */
  acceptedFlops: number
  acceptedMs: number
}

/**
 * One row per volunteer: chunks verified (every agreeing volunteer of a chunk
 * is credited with it) and in flight (every lease holder) from the chunk
 * records, and the GFLOPS its device reached while computing: verified FLOPs
 * over its reported compute time, from the coordinator's tally of its copies
 * when given, else from the chunks whose accepted result was its own. Most
 * verified first.
 */
export function volunteerRows (chunks: readonly ChunkRecord[], volunteers: readonly VolunteerInfo[]): VolunteerRow[] {
  const tallies = new Map<string, Tally>()
  const tally = (peer: string): Tally => {
    let t = tallies.get(peer)
    if (t == null) {
      t = { verified: 0, inFlight: 0, acceptedFlops: 0, acceptedMs: 0 }
      tallies.set(peer, t)
    }
    return t
  }
  for (const c of chunks) {
    for (const peer of creditedVolunteers(c)) {
      const t = tally(peer)
      t.verified++
      if (peer === c.volunteer && c.computeMs != null && c.computeMs > 0) {
        t.acceptedFlops += c.flops
        t.acceptedMs += c.computeMs
      }
    }
    for (const peer of chunkHolders(c)) tally(peer).inFlight++
  }
  const info = new Map(volunteers.map(v => [v.peer, v]))
  const peers = new Set([...info.keys(), ...tallies.keys()])
  const rows: VolunteerRow[] = [...peers].map(peer => {
    const t = tallies.get(peer) ?? { verified: 0, inFlight: 0, acceptedFlops: 0, acceptedMs: 0 }
    const v = info.get(peer)
    return {
      peer,
      name: v?.name,
      chunksVerified: t.verified,
      chunksInFlight: t.inFlight,
      gflops: v?.computeMs != null && v.computeMs > 0
        ? (v.flops ?? 0) / (v.computeMs / 1000) / 1e9
        : t.acceptedMs > 0 ? t.acceptedFlops / (t.acceptedMs / 1000) / 1e9 : 0,
      status: v?.status ?? (t.inFlight > 0 ? 'active' : 'idle')
    }
  })
  return rows.sort((a, b) => b.chunksVerified - a.chunksVerified || (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0))
}
