import type { HistoryEntry, ProjectStats, RoundsProgress } from '../types.ts'
import { etaSeconds, firstLeaseAt, progress, throughput, throughputHistory } from './progress.ts'
import type { EarlierRoundsWork, ProjectRecords } from './records.ts'
import { efficiency, speedup, wallTime, type Efficiency, type Speedup } from './speedup.ts'
import { volunteerRows } from './volunteers.ts'

/**
 * Every figure of one own project at time `now`. While it runs, throughput
 * is over the last few seconds; once finished, over its whole wall time.
 */
export function computeProjectStats (records: ProjectRecords, now: number): ProjectStats {
  const { chunks, finishedAt } = records
  const startedAt = records.startedAt ?? firstLeaseAt(chunks)
  const endAt = finishedAt ?? now
  const wallMs = wallTime(startedAt, finishedAt, now)
  const prog = progress(chunks)
  const rate = throughput(chunks, startedAt, endAt, finishedAt != null ? Infinity : undefined)
  const speed = withEarlierRounds(speedup(chunks, wallMs), records.earlierRounds)
  const rows = volunteerRows(chunks, records.volunteers)
  return {
    project: records.project,
    chunkStates: chunks.map(c => c.state),
    // A rounds project's chunks are the current round's: its progress counts the rounds closed before it.
    progress: records.rounds == null ? prog.ratio : roundsProgress(records.rounds, prog.done),
    chunksPerSec: rate.chunksPerSec,
    gflops: rate.gflops,
    etaSeconds: prog.done === 0 ? undefined : etaSeconds(prog.total - prog.done, rate.chunksPerSec),
    speedup: speed.factor,
    activeVolunteers: rows.filter(r => r.status === 'active').length,
    contributors: speed.volunteers,
    efficiency: withEarlierWork(efficiency(chunks), records.earlierRounds),
    verification: {
      verified: prog.done,
      mismatches: records.mismatches,
      spotChecks: records.spotChecks,
      bannedVolunteers: rows.filter(r => r.status === 'banned').length
    },
    volunteers: rows,
    throughputHistory: throughputHistory(chunks, startedAt, endAt),
    timeline: [...records.timeline],
    wallMs,
    failure: records.failure,
    waiting: [...(records.waiting ?? [])],
    flopsKnown: records.flopsKnown ?? true,
    ...(records.rounds != null ? { rounds: records.rounds } : {})
  }
}

function roundsProgress (rounds: RoundsProgress, doneThisRound: number): number {
  if (rounds.converged === true || rounds.round >= rounds.of) return 1
  return Math.min(1, (rounds.round + doneThisRound / Math.max(1, rounds.chunksPerRound)) / rounds.of)
}

/** The history entry of a finished project: what `mesh history` lists and replay starts from. */
export function historyEntry (records: ProjectRecords & { readonly finishedAt: number }): HistoryEntry {
  const stats = computeProjectStats(records, records.finishedAt)
  const verifiedFlops = records.chunks.reduce((sum, c) => sum + (c.state === 'verified' ? c.flops : 0), 0)
  return {
    projectId: records.project.id,
    name: records.project.name,
    kernel: records.project.kernel,
    dims: records.project.dims,
    volunteers: stats.contributors ?? 0,
    durationMs: stats.wallMs,
    chunks: records.chunks.length,
    gflops: stats.wallMs > 0 ? verifiedFlops / (stats.wallMs / 1000) / 1e9 : 0,
    efficiency: stats.efficiency.ratio,
    speedup: stats.speedup,
    finishedAt: records.finishedAt,
    status: records.failure != null ? 'failed' : 'done'
  }
}

/** A rounds project's speed-up counts the compute of its earlier rounds too, over the same wall time. */
function withEarlierRounds (speed: Speedup, earlier: EarlierRoundsWork | undefined): Speedup {
  if (earlier == null) return speed
  const computeMs = speed.computeMs + earlier.computeMs
  return { ...speed, computeMs, factor: speed.wallMs > 0 ? computeMs / speed.wallMs : 0 }
}

function withEarlierWork (work: Efficiency, earlier: EarlierRoundsWork | undefined): Efficiency {
  if (earlier == null) return work
  const computeMs = work.computeMs + earlier.computeMs
  const transferMs = work.transferMs + earlier.transferMs
  const total = computeMs + transferMs
  return { computeMs, transferMs, bytesMoved: work.bytesMoved + earlier.bytesMoved, ratio: total > 0 ? computeMs / total : 0 }
}
