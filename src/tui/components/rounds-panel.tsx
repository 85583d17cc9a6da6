import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { ProjectStatus, RoundsProgress } from '../../node/types.ts'
import {
  droppedInAll, formatFigureName, formatFigureValue, roundChangeText, roundChunksText, roundFigureTexts, roundsHeadline, roundsOver
} from '../../node/round-figures-text.ts'
import { formatPercent } from '../format.ts'
import { Styled, type Tone } from '../theme.tsx'
import { LinePlot, type PlotSeries } from './line-plot.tsx'

/** Lines up with the dashboard's own labels ("Speed-up    "). */
const LABEL = 12
/** The figures a training kernel reports; plotted together when present. */
const PREFERRED_FIGURES = ['loss', 'accuracy']

/** Lines the panel's text takes, without the plot: where the rounds are, then the last round's figures and its change. */
export function roundsTextLines (rounds: RoundsProgress): number {
  const last = rounds.closed.at(-1)
  if (last == null) return 1
  return Object.keys(last.figures).length > 0 ? 3 : 2
}

/** A trend needs two closed rounds. */
export function canPlotRounds (rounds: RoundsProgress): boolean {
  return rounds.closed.length >= 2
}

/**
 * What the plot shows by round: loss and accuracy when the kernel reports
 * them, else its first one or two figures, else the state change (every
 * rounds project has one).
 */
export function plottedSeries (rounds: RoundsProgress): PlotSeries[] {
  const names = [...new Set(rounds.closed.flatMap(r => Object.keys(r.figures)))]
  const preferred = PREFERRED_FIGURES.filter(name => names.includes(name))
  const chosen = preferred.length > 0 ? preferred : names.slice(0, 2)
  if (chosen.length === 0) return [{ label: 'change', values: rounds.closed.map(r => r.change), format: v => formatFigureValue('change', v) }]
  return chosen.map(name => ({
    label: formatFigureName(name),
    values: rounds.closed.map(r => r.figures[name] ?? Number.NaN),
    format: v => formatFigureValue(name, v)
  }))
}

function headlineTone (rounds: RoundsProgress, status: ProjectStatus): Tone {
  if (status === 'failed') return 'bad'
  return rounds.converged === true || rounds.round >= rounds.of ? 'good' : 'plain'
}

export interface RoundsPanelProps {
  readonly rounds: RoundsProgress
  readonly status: ProjectStatus
  readonly width: number
  /** Lines for the plot; 0 leaves it out (a short terminal, or fewer than two closed rounds). */
  readonly plotHeight: number
}

/** An iterative project's rounds on the researcher's dashboard. */
export function RoundsPanel ({ rounds, status, width, plotHeight }: RoundsPanelProps): ReactNode {
  const last = rounds.closed.at(-1)
  const over = roundsOver(rounds, status)
  const figures = last != null ? roundFigureTexts(last.figures) : []
  const dropped = droppedInAll(rounds)
  const change = roundChangeText(rounds)
  const detailLabel = last != null ? `Round ${last.round + 1}`.padEnd(LABEL) : ''
  return (
    <Box flexDirection='column' flexShrink={0}>
      <Styled wrap='truncate'>
        <Styled tone='muted'>{'Rounds'.padEnd(LABEL)}</Styled>
        <Styled tone={headlineTone(rounds, status)} bold>{roundsHeadline(rounds, status)}</Styled>
        {!over && <Styled> · {roundChunksText(rounds)} this round</Styled>}
        {!over && rounds.quorum < 1 && <Styled tone='muted'> · quorum {formatPercent(rounds.quorum)}</Styled>}
      </Styled>
      {last != null && figures.length > 0 && (
        <Styled wrap='truncate'>
          <Styled tone='muted'>{detailLabel}</Styled>{figures.join(' · ')}
        </Styled>
      )}
      {last != null && (
        <Styled wrap='truncate'>
          <Styled tone='muted'>{figures.length > 0 ? ' '.repeat(LABEL) : detailLabel}</Styled>{change}
          <Styled tone={last.dropped > 0 ? 'warn' : 'muted'}> · dropped {last.dropped} ({dropped} in all)</Styled>
        </Styled>
      )}
      {plotHeight > 0 && canPlotRounds(rounds) && (
        <LinePlot series={plottedSeries(rounds)} width={width} height={plotHeight} options={{ xStart: rounds.closed[0]!.round + 1, xLabel: 'round' }} />
      )}
    </Box>
  )
}
