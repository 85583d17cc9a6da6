import type { ProjectStats, ProjectStatus, RoundSummary, RoundsProgress } from '../../../src/node/types.ts'
import { NOW, ownStats } from './fixture-port.ts'

/**
 * An iterative project's rounds as the researcher's coordinator reports
 * them: a training run whose loss falls and accuracy rises, the last closed
 * round at loss 0.412, accuracy 93.3%, test loss 0.5, change 0.0123, with
 * 2 chunks dropped in it and 3 in round 2 (5 in all, from 3 rounds on).
 */
export function trainingRound (round: number, closed: number): RoundSummary {
  const back = closed - 1 - round
  return {
    round,
    change: 0.0123 * 2 ** back,
    chunks: 16,
    dropped: back === 0 ? 2 : round === 1 ? 3 : 0,
    closedAt: NOW - back * 10_000,
    figures: { loss: 0.412 + 0.3 * back, accuracy: 0.9333 - 0.05 * back, testLoss: 0.5 + 0.2 * back }
  }
}

/** `closed` rounds done of 10, the next one 12/16 chunks in, stopping below a change of 0.001, quorum 75%. */
export function trainingRounds (closed: number, fields: Partial<RoundsProgress> = {}): RoundsProgress {
  return {
    round: closed,
    of: 10,
    untilChange: 0.001,
    quorum: 0.75,
    chunksDone: 12,
    chunksPerRound: 16,
    closed: Array.from({ length: closed }, (_, i) => trainingRound(i, closed)),
    ...fields
  }
}

/** The own project's stats (fixture-port.ts) as a rounds project. */
export function roundsStats (rounds: RoundsProgress, status: ProjectStatus = 'running'): ProjectStats {
  const stats = ownStats()
  return { ...stats, project: { ...stats.project, status }, rounds }
}
