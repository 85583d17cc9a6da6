import type { ProjectStatus, RoundsProgress } from './types.ts'

/**
 * An iterative project's rounds in words, shared by the dashboard and
 * `mesh status` so a figure reads the same in both. Pure and locale-free.
 */

/** Three significant figures ("0.412", "0.0123"); whole numbers from 1000 up ("12346"). */
export function formatRoundNumber (value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞'
  if (Math.abs(value) >= 1000) return String(Math.round(value))
  // Through Number() so trailing zeros go: 0.00100 reads 0.001.
  return String(Number(value.toPrecision(3)))
}

/** Kernels report accuracies as fractions 0..1 (`accuracy`, `testAccuracy`); everything else is a plain number. */
function isRatio (name: string): boolean {
  return /accuracy$/i.test(name)
}

/** A figure's value: "93.3%" for an accuracy, else as formatRoundNumber. */
export function formatFigureValue (name: string, value: number): string {
  if (isRatio(name) && Number.isFinite(value)) return `${(value * 100).toFixed(1)}%`
  return formatRoundNumber(value)
}

/** A kernel's camelCase figure name as words: `testLoss` reads "test loss". */
export function formatFigureName (name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
}

/** Every figure of a round, in the kernel's order: ["loss 0.412", "accuracy 93.3%"]. */
export function roundFigureTexts (figures: Readonly<Record<string, number>>): string[] {
  return Object.entries(figures).map(([name, value]) => `${formatFigureName(name)} ${formatFigureValue(name, value)}`)
}

/** Whether no more rounds will run: converged, every round closed, or the project stopped. */
export function roundsOver (rounds: RoundsProgress, status?: ProjectStatus): boolean {
  return rounds.converged === true || rounds.round >= rounds.of || status === 'done' || status === 'failed'
}

/** Where the rounds stand: "round 4 of 10", "converged after 7 rounds", "all 10 rounds done", "stopped in round 4 of 10". */
export function roundsHeadline (rounds: RoundsProgress, status?: ProjectStatus): string {
  const closed = Math.max(rounds.closed.length, Math.min(rounds.round, rounds.of))
  if (rounds.converged === true) return `converged after ${closed} round${closed === 1 ? '' : 's'}`
  if (rounds.round >= rounds.of) return `all ${rounds.of} round${rounds.of === 1 ? '' : 's'} done`
  // Rounds are 0-based in the figures and 1-based on screen.
  const at = `round ${rounds.round + 1} of ${rounds.of}`
  if (status === 'failed') return `stopped in ${at}`
  if (status === 'done') return `done after ${closed} of ${rounds.of} rounds`
  return at
}

/** "12/16 chunks": the current round's verified chunks. */
export function roundChunksText (rounds: RoundsProgress): string {
  return `${rounds.chunksDone}/${rounds.chunksPerRound} chunks`
}

/** The last closed round's state change, with the threshold that stops the project: "change 0.0123 (stop below 0.001)". */
export function roundChangeText (rounds: RoundsProgress): string | undefined {
  const last = rounds.closed.at(-1)
  if (last == null) return undefined
  const stop = rounds.untilChange != null ? ` (stop below ${formatRoundNumber(rounds.untilChange)})` : ''
  return `change ${formatRoundNumber(last.change)}${stop}`
}

/** Chunks the quorum dropped over every closed round. */
export function droppedInAll (rounds: RoundsProgress): number {
  return rounds.closed.reduce((n, r) => n + r.dropped, 0)
}
