import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { LeaderboardEntry } from '../../node/types.ts'
import { Heading } from '../components/heading.tsx'
import { Table, type Column, type Row } from '../components/table.tsx'
import { formatDuration, formatFlops, peerLabel, shortId } from '../format.ts'

export interface LeaderboardScreenProps {
  readonly entries?: readonly LeaderboardEntry[]
  readonly selfId: string
  readonly width: number
  readonly height: number
}

export const leaderboardKeys = [
  { key: '1-6', label: 'screens' },
  { key: 'q', label: 'quit' }
]

const columns: Column[] = [
  { key: 'rank', header: '#', width: 2, align: 'right' },
  { key: 'badge', header: 'badge', width: 8 },
  { key: 'name', header: 'volunteer', width: 12, flex: true },
  { key: 'id', header: 'id', width: 8, dropOrder: 1 },
  { key: 'flops', header: 'verified work', width: 13, align: 'right' },
  { key: 'chunks', header: 'chunks', width: 6, align: 'right' },
  { key: 'compute', header: 'compute', width: 8, align: 'right', dropOrder: 2 }
]

export function LeaderboardScreen ({ entries, selfId, width, height }: LeaderboardScreenProps): ReactNode {
  const rows: Row[] = (entries ?? []).map(e => ({
    key: e.peer,
    cells: {
      rank: String(e.rank),
      badge: e.badge != null ? { text: `★ ${e.badge}`, tone: e.badge } : '',
      name: e.peer === selfId ? `${peerLabel(e.peer, e.name)} (you)` : peerLabel(e.peer, e.name),
      id: shortId(e.peer),
      flops: formatFlops(e.flops),
      chunks: String(e.chunks),
      compute: formatDuration(e.computeMs)
    }
  }))
  return (
    <Box flexDirection='column' width={width}>
      <Heading>Top volunteers by verified work</Heading>
      <Table columns={columns} rows={rows} width={width} maxRows={Math.max(1, Math.min(10, height - 3))}
        emptyText={entries == null ? 'loading…' : 'no verified work yet: credit comes from receipts of verified chunks'} />
    </Box>
  )
}
