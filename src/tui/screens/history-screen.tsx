import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { HistoryEntry } from '../../node/types.ts'
import { Heading } from '../components/heading.tsx'
import { Table, type Column, type Row } from '../components/table.tsx'
import { formatAgo, formatDuration, formatGflops, formatPercent, formatSpeedup } from '../format.ts'

export interface HistoryScreenProps {
  readonly entries?: readonly HistoryEntry[]
  readonly selected: number
  readonly width: number
  readonly height: number
  readonly now: number
}

export const historyKeys = [
  { key: '↑↓', label: 'select' },
  { key: 'r', label: 'replay' },
  { key: '1-6', label: 'screens' },
  { key: 'q', label: 'quit' }
]

const columns: Column[] = [
  { key: 'name', header: 'project', width: 14, flex: true },
  { key: 'kernel', header: 'kernel', width: 6, dropOrder: 4 },
  { key: 'dims', header: 'size', width: 17, dropOrder: 3 },
  { key: 'volunteers', header: 'vols', width: 4, align: 'right' },
  { key: 'duration', header: 'time', width: 6, align: 'right' },
  { key: 'gflops', header: 'speed', width: 12, align: 'right' },
  { key: 'efficiency', header: 'eff', width: 4, align: 'right', dropOrder: 2 },
  { key: 'speedup', header: 'x', width: 5, align: 'right', dropOrder: 1 },
  { key: 'finished', header: 'finished', width: 8, align: 'right', dropOrder: 5 },
  { key: 'status', header: 'status', width: 6 }
]

export function HistoryScreen ({ entries, selected, width, height, now }: HistoryScreenProps): ReactNode {
  const rows: Row[] = (entries ?? []).map(e => ({
    key: e.projectId,
    cells: {
      name: e.name,
      kernel: e.kernel,
      dims: e.dims,
      volunteers: String(e.volunteers),
      duration: formatDuration(e.durationMs),
      gflops: formatGflops(e.gflops),
      efficiency: formatPercent(e.efficiency),
      speedup: formatSpeedup(e.speedup),
      finished: formatAgo(e.finishedAt, now),
      status: { text: e.status, tone: e.status === 'done' ? 'good' : 'bad' }
    }
  }))
  return (
    <Box flexDirection='column' width={width}>
      <Heading>Your past projects</Heading>
      <Table columns={columns} rows={rows} width={width} maxRows={Math.max(1, height - 2)}
        selected={rows.length > 0 ? selected : undefined}
        emptyText={entries == null ? 'loading…' : 'none yet: finished projects are listed here, r publishes one again'} />
    </Box>
  )
}
