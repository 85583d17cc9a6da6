import type { ProjectStatus, RoundsProgress } from '../node/types.ts'
import { droppedInAll, roundChangeText, roundChunksText, roundFigureTexts, roundsHeadline, roundsOver } from '../node/round-figures-text.ts'

/**
 * An iterative project's line in `mesh status`:
 * `<id> round 4 of 10 · 12/16 chunks · change 0.0123 (stop below 0.001) · 2 dropped · loss 0.412 · accuracy 93.3%`,
 * and once over `<id> converged after 7 rounds · change ...`. The figures are the last closed round's.
 */
export function roundsStatusText (id: string, rounds: RoundsProgress, status?: ProjectStatus): string {
  const over = roundsOver(rounds, status)
  const dropped = droppedInAll(rounds)
  const parts = [
    roundsHeadline(rounds, status),
    // A round in progress says how far it is; a finished one has no current round.
    ...(over ? [] : [roundChunksText(rounds)]),
    ...optional(roundChangeText(rounds)),
    ...(dropped > 0 ? [`${dropped} dropped`] : []),
    ...roundFigureTexts(rounds.closed.at(-1)?.figures ?? {})
  ]
  return `${id} ${parts.join(' · ')}`
}

function optional (text: string | undefined): string[] {
  return text != null ? [text] : []
}
