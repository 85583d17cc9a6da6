import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { HealthStats, PeerSummary } from '../../node/types.ts'
import { Heading } from '../components/heading.tsx'
import { Table } from '../components/table.tsx'
import { peerColumns, peerRows } from '../components/peer-rows.ts'
import { formatMs } from '../format.ts'
import { Styled } from '../theme.tsx'

export interface HealthScreenProps {
  readonly health?: HealthStats
  readonly peers?: readonly PeerSummary[]
  readonly width: number
  readonly height: number
  readonly now: number
}

export const healthKeys = [
  { key: '1-6', label: 'screens' },
  { key: 'q', label: 'quit' }
]

export function HealthScreen ({ health, peers, width, height, now }: HealthScreenProps): ReactNode {
  const h = health
  const value = (v: number | undefined): string => v == null ? '…' : String(v)
  const rows = peerRows(peers ?? [], now)
  return (
    <Box flexDirection='column' width={width}>
      <Heading>Mesh</Heading>
      <Styled wrap='truncate'>
        <Styled tone='muted'>Peers connected </Styled>{value(h?.peersConnected)}
        <Styled tone='muted'>   connections </Styled>{value(h?.connections)}
        <Styled tone='muted'>   projects known </Styled>{value(h?.projectsKnown)}
      </Styled>
      <Heading>Work (your projects)</Heading>
      <Styled wrap='truncate'>
        <Styled tone='muted'>Chunks queued </Styled>{value(h?.chunksQueued)}
        <Styled tone='muted'>   in flight </Styled>{value(h?.chunksInFlight)}
        <Styled tone='muted'>   done </Styled>{value(h?.chunksDone)}
      </Styled>
      <Styled wrap='truncate'>
        <Styled tone='muted'>Response time </Styled>{h == null ? '…' : `mean ${formatMs(h.meanResponseMs)}`}
        <Styled tone='muted'>   p95 </Styled>{h == null ? '…' : formatMs(h.p95ResponseMs)}
        <Styled tone='muted'>   (work protocol)</Styled>
      </Styled>
      <Styled> </Styled>
      <Heading>Peers</Heading>
      <Table columns={peerColumns} rows={rows} width={width} maxRows={Math.max(1, height - 8)}
        emptyText={peers == null ? 'loading…' : 'no peers yet'} />
    </Box>
  )
}
