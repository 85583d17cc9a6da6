import type { ReactNode } from 'react'
import { Box } from 'ink'
import { Styled, type Tone } from '../theme.tsx'
import { fit } from '../format.ts'

export interface Column {
  readonly key: string
  readonly header: string
  /** Columns this one takes; a flexible column takes at least this and shares what is left. */
  readonly width: number
  readonly align?: 'left' | 'right'
  readonly flex?: boolean
  /** Narrow terminals drop the columns with the highest number first; absent = never dropped. */
  readonly dropOrder?: number
}

export type Cell = string | { readonly text: string, readonly tone: Tone }

export interface Row {
  readonly key: string
  readonly cells: Readonly<Record<string, Cell>>
  readonly tone?: Tone
}

const GAP = 1
const MARKER = 2

/** The columns that fit in `width`, with final widths (flexible ones share the slack). */
export function fitColumns (columns: readonly Column[], width: number): Column[] {
  let shown = [...columns]
  const needed = (cols: readonly Column[]): number => cols.reduce((sum, c) => sum + c.width, 0) + GAP * Math.max(0, cols.length - 1)
  while (needed(shown) > width) {
    const droppable = shown.filter(c => c.dropOrder != null)
    if (droppable.length === 0) break
    const drop = droppable.reduce((a, b) => ((b.dropOrder ?? 0) > (a.dropOrder ?? 0) ? b : a))
    shown = shown.filter(c => c !== drop)
  }
  const flexible = shown.filter(c => c.flex === true)
  const slack = width - needed(shown)
  if (flexible.length === 0 || slack === 0) return shown
  const share = Math.floor(slack / flexible.length)
  let extra = slack - share * flexible.length
  return shown.map(c => {
    if (c.flex !== true) return c
    const add = share + (extra > 0 ? 1 : 0)
    extra = Math.max(0, extra - 1)
    return { ...c, width: Math.max(1, c.width + add) }
  })
}

export interface TableProps {
  readonly columns: readonly Column[]
  readonly rows: readonly Row[]
  readonly width: number
  /** Rows shown at most (the header is extra); the rest are summarised in a last line. */
  readonly maxRows: number
  /** Index of the highlighted row; rows then get a marker column. */
  readonly selected?: number
  readonly emptyText?: string
}

/** A fixed-width text table: header, rows, and "+N more" when they do not all fit. */
export function Table ({ columns, rows, width, maxRows, selected, emptyText = 'none yet' }: TableProps): ReactNode {
  const marker = selected != null ? MARKER : 0
  const cols = fitColumns(columns, width - marker)
  const overflow = rows.length > maxRows
  const visibleCount = overflow ? Math.max(0, maxRows - 1) : rows.length
  // Keep the selected row in view by scrolling the window of rows.
  const first = selected == null ? 0 : Math.max(0, Math.min(selected - visibleCount + 1, rows.length - visibleCount))
  const visible = rows.slice(first, first + visibleCount)
  const line = (cells: (c: Column) => string): string => cols.map(c => fit(cells(c), c.width, c.align)).join(' '.repeat(GAP))
  return (
    <Box flexDirection='column' flexShrink={0}>
      <Styled tone='muted' wrap='truncate'>{' '.repeat(marker)}{line(c => c.header)}</Styled>
      {rows.length === 0 && <Styled tone='muted' wrap='truncate'>{' '.repeat(marker)}{emptyText}</Styled>}
      {visible.map((row, i) => {
        const isSelected = selected === first + i
        return (
          <Styled key={row.key} wrap='truncate'>
            {marker > 0 && <Styled tone='accent' bold>{isSelected ? '› ' : '  '}</Styled>}
            {cols.map((c, ci) => {
              const cell = row.cells[c.key] ?? ''
              const text = typeof cell === 'string' ? cell : cell.text
              const tone = typeof cell === 'string' ? row.tone : cell.tone
              return (
                <Styled key={c.key} tone={tone} inverse={isSelected && ci === 0} bold={isSelected}>
                  {ci > 0 ? ' '.repeat(GAP) : ''}{fit(text, c.width, c.align)}
                </Styled>
              )
            })}
          </Styled>
        )
      })}
      {overflow && <Styled tone='muted'>{' '.repeat(marker)}+{rows.length - visibleCount} more</Styled>}
    </Box>
  )
}
