import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { ChunkState } from '../../node/types.ts'
import { Styled, type Tone } from '../theme.tsx'

export const chunkGlyphs: Record<ChunkState, { readonly glyph: string, readonly tone: Tone }> = {
  verified: { glyph: '█', tone: 'good' },
  verifying: { glyph: '▓', tone: 'info' },
  leased: { glyph: '▒', tone: 'warn' },
  queued: { glyph: '·', tone: 'muted' },
  failed: { glyph: 'x', tone: 'bad' }
}

const legendOrder: ChunkState[] = ['verified', 'verifying', 'leased', 'queued', 'failed']

/**
 * One state per cell when there are more chunks than cells: a cell is failed
 * if any of its chunks failed, verified only when all are, else the most
 * active state among them.
 */
export function bucketChunkStates (states: readonly ChunkState[], cells: number): ChunkState[] {
  if (cells <= 0) return []
  if (states.length <= cells) return [...states]
  const out: ChunkState[] = []
  const per = states.length / cells
  for (let i = 0; i < cells; i++) {
    const group = states.slice(Math.floor(i * per), Math.floor((i + 1) * per))
    if (group.includes('failed')) out.push('failed')
    else if (group.every(s => s === 'verified')) out.push('verified')
    else if (group.includes('leased')) out.push('leased')
    else if (group.includes('verifying')) out.push('verifying')
    else out.push('queued')
  }
  return out
}

export function countChunkStates (states: readonly ChunkState[]): Record<ChunkState, number> {
  const counts: Record<ChunkState, number> = { verified: 0, verifying: 0, leased: 0, queued: 0, failed: 0 }
  for (const s of states) counts[s]++
  return counts
}

/** Rows the grid needs at `width` columns, capped at `maxRows`. */
export function chunkGridRows (chunks: number, width: number, maxRows: number): number {
  if (width <= 0) return 0
  return Math.max(1, Math.min(maxRows, Math.ceil(chunks / width)))
}

export interface ChunkGridProps {
  readonly states: readonly ChunkState[]
  readonly width: number
  readonly rows: number
}

export function ChunkGrid ({ states, width, rows }: ChunkGridProps): ReactNode {
  const cells = bucketChunkStates(states, width * rows)
  const lines: ChunkState[][] = []
  for (let i = 0; i < cells.length; i += width) lines.push(cells.slice(i, i + width))
  return (
    <Box flexDirection='column' flexShrink={0}>
      {lines.map((line, row) => (
        <Styled key={row}>
          {runs(line).map((run, i) => (
            <Styled key={i} tone={chunkGlyphs[run.state].tone}>{chunkGlyphs[run.state].glyph.repeat(run.length)}</Styled>
          ))}
        </Styled>
      ))}
    </Box>
  )
}

export interface ChunkLegendProps {
  readonly states: readonly ChunkState[]
}

export function ChunkLegend ({ states }: ChunkLegendProps): ReactNode {
  const counts = countChunkStates(states)
  const shown = legendOrder.filter(s => s !== 'failed' || counts.failed > 0)
  return (
    <Styled wrap='truncate'>
      {shown.map((s, i) => (
        <Styled key={s}>
          {i > 0 ? '  ' : ''}
          <Styled tone={chunkGlyphs[s].tone}>{chunkGlyphs[s].glyph}</Styled> {s} {counts[s]}
        </Styled>
      ))}
    </Styled>
  )
}

/** Consecutive equal states, so a line is a handful of styled spans rather than one per cell. */
function runs (line: readonly ChunkState[]): Array<{ state: ChunkState, length: number }> {
  const out: Array<{ state: ChunkState, length: number }> = []
  for (const state of line) {
    const last = out[out.length - 1]
    if (last?.state === state) last.length++
    else out.push({ state, length: 1 })
  }
  return out
}
