import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { HealthStats, PeerSummary } from '../../node/types.ts'
import { Heading } from '../components/heading.tsx'
import { Table } from '../components/table.tsx'
import { peerColumns, peerRows } from '../components/peer-rows.ts'
import { formatMs } from '../format.ts'
import { Styled, type Tone } from '../theme.tsx'
import type { DoctorReport, Verdict, VerdictLevel } from '../../node/doctor/doctor.ts'

export interface HealthScreenProps {
  readonly health?: HealthStats
  readonly peers?: readonly PeerSummary[]
  /** `mesh doctor`'s report: reachability beyond the LAN and what to change. */
  readonly doctor?: DoctorReport
  readonly width: number
  readonly height: number
  readonly now: number
}

export const healthKeys = [
  { key: '1-6', label: 'screens' },
  { key: 'q', label: 'quit' }
]

const VERDICT_TONES: Record<VerdictLevel, Tone> = { ok: 'good', info: 'muted', warn: 'warn', problem: 'bad' }
const VERDICT_MARKS: Record<VerdictLevel, string> = { ok: '✓', info: '·', warn: '!', problem: '✗' }
const REACH_TEXT = { direct: 'directly', upnp: 'through UPnP', relay: 'only through a relay', unreachable: 'not from outside its network' } as const
/** Lines of verdicts (and their fixes) shown at most; the peers table gets the rest of the height. */
const MAX_VERDICT_LINES = 7
const LEVEL_ORDER: VerdictLevel[] = ['problem', 'warn', 'info', 'ok']

/** The verdicts to show, problems first, each problem's and warning's fix on the line after it. */
function verdictLines (doctor: DoctorReport): Array<{ verdict: Verdict, fix: boolean }> {
  const lines: Array<{ verdict: Verdict, fix: boolean }> = []
  for (const verdict of [...doctor.verdicts].sort((a, b) => LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level))) {
    if (lines.length >= MAX_VERDICT_LINES) break
    lines.push({ verdict, fix: false })
    if (verdict.fix != null && (verdict.level === 'problem' || verdict.level === 'warn') && lines.length < MAX_VERDICT_LINES) lines.push({ verdict, fix: true })
  }
  return lines
}

/** `mesh doctor`'s verdicts beyond the LAN. */
function ReachabilitySection ({ doctor }: { readonly doctor?: DoctorReport }): ReactNode {
  if (doctor == null) return <Styled tone='muted'>…</Styled>
  const confirmed = doctor.reachability === 'direct' || doctor.reachability === 'upnp' ? (doctor.confirmed ? ', confirmed' : ', not confirmed yet') : ''
  return (
    <Box flexDirection='column'>
      <Styled wrap='truncate'>
        <Styled tone='muted'>Reachable </Styled>{REACH_TEXT[doctor.reachability]}{confirmed}
        <Styled tone='muted'>   NAT </Styled>{doctor.nat.kind}
        <Styled tone='muted'>   relays </Styled>{doctor.relay.serving ? `serving (${doctor.relay.reservations} held)` : doctor.reservations.length}
      </Styled>
      {verdictLines(doctor).map(({ verdict, fix }, i) => (
        <Styled key={i} wrap='truncate'>
          {fix
            ? <Styled tone='muted'>  fix: {verdict.fix}</Styled>
            : <><Styled tone={VERDICT_TONES[verdict.level]}>{VERDICT_MARKS[verdict.level]} </Styled>{verdict.text}</>}
        </Styled>
      ))}
    </Box>
  )
}

export function HealthScreen ({ health, peers, doctor, width, height, now }: HealthScreenProps): ReactNode {
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
      <Heading>Beyond the LAN (mesh doctor)</Heading>
      <ReachabilitySection doctor={doctor} />
      <Styled> </Styled>
      <Heading>Peers</Heading>
      <Table columns={peerColumns} rows={rows} width={width} maxRows={Math.max(1, height - 10 - (doctor == null ? 1 : verdictLines(doctor).length))}
        emptyText={peers == null ? 'loading…' : 'no peers yet'} />
    </Box>
  )
}
