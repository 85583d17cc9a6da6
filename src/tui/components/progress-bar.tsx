import type { ReactNode } from 'react'
import { Styled } from '../theme.tsx'
import { formatPercent } from '../format.ts'

/** A bar of `width` cells: filled for the done share, light shade for the rest. */
export function progressBar (ratio: number, width: number): string {
  const cells = Math.max(0, width)
  const filled = Math.round(Math.max(0, Math.min(1, ratio)) * cells)
  return '█'.repeat(filled) + '░'.repeat(cells - filled)
}

export interface ProgressBarProps {
  readonly ratio: number
  /** Columns for the bar and its percentage. */
  readonly width: number
}

export function ProgressBar ({ ratio, width }: ProgressBarProps): ReactNode {
  const label = formatPercent(ratio).padStart(5)
  const bar = progressBar(ratio, width - label.length)
  const split = [...bar].findIndex(c => c === '░')
  const done = split === -1 ? bar : bar.slice(0, split)
  const rest = split === -1 ? '' : bar.slice(split)
  return (
    <Styled>
      <Styled tone={ratio >= 1 ? 'good' : 'accent'}>{done}</Styled>
      <Styled tone='muted'>{rest}</Styled>
      {label}
    </Styled>
  )
}
