import type { ReactNode } from 'react'
import { Styled } from '../theme.tsx'

const levels = '▁▂▃▄▅▆▇█'

/** The last `width` samples as block heights scaled to their maximum. */
export function sparkline (samples: readonly number[], width: number): string {
  const shown = width > 0 ? samples.slice(-width) : []
  const max = Math.max(0, ...shown)
  return shown.map(v => levels[max > 0 ? Math.round((Math.max(0, v) / max) * (levels.length - 1)) : 0]).join('')
}

export interface SparklineProps {
  readonly samples: readonly number[]
  readonly width: number
}

export function Sparkline ({ samples, width }: SparklineProps): ReactNode {
  return <Styled tone='accent'>{sparkline(samples, width)}</Styled>
}
