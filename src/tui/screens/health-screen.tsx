import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { HealthStats, PeerSummary } from '../../node/types.ts'
import { Heading } from '../components/heading.tsx'
import { Table, type Column, type Row } from '../components/table.tsx'
import { formatAgo, formatMs, peerLabel, shortId } from '../format.ts'
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

const columns: Column[] = [
  { key: 'name', header: 'peer', width: 10, flex: true },
  { key: 'id', header: 'id', width: 8 },
  { key: 'state', header: 'state', width: 9 },
  { key: 'rtt', header: 'rtt', width: 8, align: 'right' },
  { key: 'seen', header: 'seen', width: 9, align: 'right' },
  { key: 'address', header: 'address', width: 14, flex: true, dropOrder: 1 }
]

export function HealthScreen ({ health, peers, width, height, now }: HealthScreenProps): ReactNode {
  const h = health
  const value = (v: number | undefined): string => v == null ? '…' : String(v)
  const rows: Row[] = (peers ?? []).map(p => ({
    key: p.id,
    tone: p.connected ? undefined : 'muted',
    cells: {
      name: peerLabel(p.id, p.name),
      id: shortId(p.id),
      state: p.connected ? { text: 'connected', tone: 'good' } : 'seen',
      rtt: p.rttMs != null ? formatMs(p.rttMs) : '--',
      seen: formatAgo(p.lastSeen, now),
      address: p.addresses[0] ?? ''
    }
  }))
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
      <Table columns={columns} rows={rows} width={width} maxRows={Math.max(1, height - 8)}
        emptyText={peers == null ? 'loading…' : 'no peers yet'} />
    </Box>
  )
}
