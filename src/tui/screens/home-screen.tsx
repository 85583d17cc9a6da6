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

/** The volunteer page this peer serves (`--web`): the URL to share and its QR code (src/cli/qr-text.ts). */
export interface HomePage {
  readonly url: string
  readonly qr: readonly string[]
  /** The SHA-256 fingerprint of the peer's own certificate, which the browser warns about once. */
  readonly fingerprint?: string
}

export interface HomeScreenProps {
  readonly self: SelfSummary
  readonly page?: HomePage
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

/** Columns between the lists and a QR code beside them. */
const QR_GAP = 2
/** Columns the lists keep beside a QR code: below this the tables lose most of their columns. */
const MIN_LIST_WIDTH = 60
/** Rows the lists keep with a QR code above them, under their headings. */
const MIN_LIST_ROWS = 4

export type QrPlace = 'beside' | 'below' | 'none'

/**
 * Where the page's QR code fits in the body: beside the lists when they
 * keep enough columns, else below the URL when the lists keep enough rows,
 * else nowhere. The QR is what a small terminal drops first; the URL line
 * stays. `topLines` are the lines above the lists, `listLines` the fixed
 * lines among them (headings, table headers, blank lines).
 */
export function qrPlace (qr: readonly string[], width: number, height: number, topLines: number, listLines: number): QrPlace {
  if (width - qrWidth(qr) - QR_GAP >= MIN_LIST_WIDTH && height - topLines >= qr.length) return 'beside'
  if (width >= qrWidth(qr) && height - topLines - qr.length - listLines >= MIN_LIST_ROWS) return 'below'
  return 'none'
}

function qrWidth (qr: readonly string[]): number {
  return Math.max(0, ...qr.map(line => line.length))
}

function QrCode ({ lines }: { readonly lines: readonly string[] }): ReactNode {
  return <Box flexDirection='column' flexShrink={0}>{lines.map((line, i) => <Styled key={i}>{line}</Styled>)}</Box>
}

/** Connected peers first, then the most recently seen. */
function byPresence (peers: readonly PeerSummary[]): PeerSummary[] {
  return [...peers].sort((a, b) => Number(b.connected) - Number(a.connected) || b.lastSeen - a.lastSeen)
}

export function HomeScreen ({ self, page, peers, projects, selected, width, height, now }: HomeScreenProps): ReactNode {
  // Above the lists: this peer, the page's URL, a blank line; among them: two headings, two table headers, a blank line.
  const topLines = page != null ? 3 : 2
  const listLines = 5
  const qr = page?.qr ?? []
  const place = page != null ? qrPlace(qr, width, height, topLines, listLines) : 'none'
  const listWidth = place === 'beside' ? width - qrWidth(qr) - QR_GAP : width
  const fixedLines = topLines + listLines + (place === 'below' ? qr.length : 0)
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

  const lists = (
    <Box flexDirection='column' width={listWidth} flexShrink={0}>
      <Heading>Projects ({projects?.length ?? 0}){projects?.some(p => p.customWgsl != null) === true ? '   * runs the researcher\'s own WGSL' : ''}</Heading>
      {projects == null
        ? <Styled tone='muted'>looking for projects…</Styled>
        : <Table columns={projectColumns} rows={projectRowsData} width={listWidth} maxRows={projectRows} selected={projects.length > 0 ? selected : undefined} emptyText='none yet: publish one (2) or wait for peers on your network' />}
      <Styled> </Styled>
      <Heading>Peers ({connected} connected)</Heading>
      {peers == null
        ? <Styled tone='muted'>starting…</Styled>
        : <Table columns={peerColumns} rows={peerRowsData} width={listWidth} maxRows={peerRows} emptyText='none yet: other mesh peers on this network appear here' />}
    </Box>
  )

  return (
    <Box flexDirection='column' width={width}>
      <Styled wrap='truncate'>
        <Styled bold>{self.name}</Styled>
        <Styled tone='muted'> {shortId(self.peerId)}  </Styled>
        <Styled tone={self.device.backend === 'cpu' ? 'warn' : 'plain'}>{deviceLine(self.device)}</Styled>
      </Styled>
      {page != null && (
        <Styled wrap='truncate'>
          Volunteer from a browser: <Styled tone='accent'>{page.url}</Styled>
          {page.fingerprint != null && <Styled tone='muted'>  certificate {shortFingerprint(page.fingerprint)}</Styled>}
        </Styled>
      )}
      {place === 'below' && <QrCode lines={qr} />}
      <Styled> </Styled>
      {place === 'beside'
        ? <Box flexDirection='row'>{lists}<Box marginLeft={QR_GAP}><QrCode lines={qr} /></Box></Box>
        : lists}
    </Box>
  )
}

/** The first and last bytes of a fingerprint, enough to compare with the browser's at a glance (the text output prints it whole). */
export function shortFingerprint (fingerprint: string): string {
  const bytes = fingerprint.split(':')
  return bytes.length <= 8 ? fingerprint : `${bytes.slice(0, 4).join(':')}…${bytes.slice(-4).join(':')}`
}
