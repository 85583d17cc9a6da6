import type { PeerSummary } from '../../node/types.ts'
import type { Column, Row } from './table.tsx'
import { formatAgo, formatMs, peerLabel, shortId } from '../format.ts'

/** The peers table of the home and health screens: who, whether connected, round trip, last seen, address. */
export const peerColumns: Column[] = [
  { key: 'name', header: 'peer', width: 10, flex: true },
  { key: 'id', header: 'id', width: 8 },
  { key: 'state', header: 'state', width: 9 },
  { key: 'rtt', header: 'rtt', width: 8, align: 'right' },
  { key: 'seen', header: 'seen', width: 9, align: 'right', dropOrder: 2 },
  { key: 'address', header: 'address', width: 14, flex: true, dropOrder: 1 }
]

export function peerRows (peers: readonly PeerSummary[], now: number): Row[] {
  return peers.map(p => ({
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
}
