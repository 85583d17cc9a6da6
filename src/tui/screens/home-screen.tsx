import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { DeviceSummary, PeerSummary, ProjectSummary } from '../../node/types.ts'
import { Heading } from '../components/heading.tsx'
import { progressBar } from '../components/progress-bar.tsx'
import { Table, type Column, type Row } from '../components/table.tsx'
import { peerColumns, peerRows as peerTableRows } from '../components/peer-rows.ts'
import { formatPercent, peerLabel, shortId } from '../format.ts'
import { Styled, type Tone } from '../theme.tsx'

export interface SelfSummary {
  readonly peerId: string
  readonly name: string
  readonly device: DeviceSummary
}

export interface HomeScreenProps {
  readonly self: SelfSummary
  readonly peers?: readonly PeerSummary[]
  readonly projects?: readonly ProjectSummary[]
  /** Index of the highlighted project. */
  readonly selected: number
  readonly width: number
  readonly height: number
  readonly now: number
}

export const homeKeys = [
  { key: '↑↓', label: 'select' },
  { key: 'enter', label: 'open/join' },
  { key: '1-6', label: 'screens' },
  { key: 'q', label: 'quit' }
]

const projectColumns: Column[] = [
  { key: 'name', header: 'project', width: 10, flex: true },
  { key: 'owner', header: 'owner', width: 10, dropOrder: 3 },
  { key: 'kernel', header: 'kernel', width: 6 },
  { key: 'dims', header: 'size', width: 17, dropOrder: 2 },
  { key: 'progress', header: 'progress', width: 15 },
  { key: 'volunteers', header: 'vols', width: 4, align: 'right' },
  { key: 'status', header: 'status', width: 7, dropOrder: 1 }
]

export const statusTones: Record<ProjectSummary['status'], Tone> = { running: 'accent', done: 'good', failed: 'bad', offline: 'muted' }

/**
 * A one-line description of the compute device: what runs chunks on this
 * peer. The backend comes first: adapter names can be long (Mesa's fill a
 * line) and would push it off an 80-column screen.
 */
export function deviceLine (device: DeviceSummary): string {
  if (device.backend === 'cpu') return `CPU reference (no WebGPU adapter) ${device.description}`.trim()
  const backend = device.featureLevel === 'compatibility' ? `${device.backend} (compatibility)` : device.backend
  return `${backend} · ${device.description}`
}

/**
 * Splits the rows under the headings between projects and peers: each
 * list gets what it needs when both fit; otherwise peers keep at least a
 * third and whatever the projects leave unused.
 */
export function homeRows (spare: number, projects: number, peers: number): { projectRows: number, peerRows: number } {
  const wantProjects = Math.max(1, projects)
  const wantPeers = Math.max(1, peers)
  if (wantProjects + wantPeers <= spare) return { projectRows: wantProjects, peerRows: spare - wantProjects }
  const peerFloor = Math.max(1, Math.min(wantPeers, Math.floor(spare / 3)))
  const projectRows = Math.max(1, Math.min(wantProjects, spare - peerFloor))
  return { projectRows, peerRows: Math.max(1, spare - projectRows) }
}

/** Connected peers first, then the most recently seen. */
function byPresence (peers: readonly PeerSummary[]): PeerSummary[] {
  return [...peers].sort((a, b) => Number(b.connected) - Number(a.connected) || b.lastSeen - a.lastSeen)
}

export function HomeScreen ({ self, peers, projects, selected, width, height, now }: HomeScreenProps): ReactNode {
  const fixedLines = 7
  const spare = Math.max(2, height - fixedLines)
  const { projectRows, peerRows } = homeRows(spare, projects?.length ?? 0, peers?.length ?? 0)
  const connected = peers?.filter(p => p.connected).length ?? 0

  const projectRowsData: Row[] = (projects ?? []).map(p => ({
    key: p.id,
    cells: {
      name: p.name,
      owner: p.own ? 'you' : peerLabel(p.owner, p.ownerName),
      kernel: p.customWgsl != null ? `${p.kernel}*` : p.kernel,
      dims: p.dims,
      progress: `${progressBar(p.chunks.total === 0 ? 0 : p.chunks.done / p.chunks.total, 10)} ${formatPercent(p.chunks.total === 0 ? 0 : p.chunks.done / p.chunks.total).padStart(4)}`,
      volunteers: String(p.volunteers),
      status: { text: p.status, tone: statusTones[p.status] }
    }
  }))
  const peerRowsData = peerTableRows(byPresence(peers ?? []), now)

  return (
    <Box flexDirection='column' width={width}>
      <Styled wrap='truncate'>
        <Styled bold>{self.name}</Styled>
        <Styled tone='muted'> {shortId(self.peerId)}  </Styled>
        <Styled tone={self.device.backend === 'cpu' ? 'warn' : 'plain'}>{deviceLine(self.device)}</Styled>
      </Styled>
      <Styled> </Styled>
      <Heading>Projects ({projects?.length ?? 0}){projects?.some(p => p.customWgsl != null) === true ? '   * runs the researcher\'s own WGSL' : ''}</Heading>
      {projects == null
        ? <Styled tone='muted'>looking for projects…</Styled>
        : <Table columns={projectColumns} rows={projectRowsData} width={width} maxRows={projectRows} selected={projects.length > 0 ? selected : undefined} emptyText='none yet: publish one (2) or wait for peers on your network' />}
      <Styled> </Styled>
      <Heading>Peers ({connected} connected)</Heading>
      {peers == null
        ? <Styled tone='muted'>starting…</Styled>
        : <Table columns={peerColumns} rows={peerRowsData} width={width} maxRows={peerRows} emptyText='none yet: other mesh peers on this network appear here' />}
    </Box>
  )
}
