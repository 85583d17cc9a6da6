import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { DeviceSummary, ProjectSummary, VolunteerPrefs, VolunteerStatus } from '../../node/types.ts'
import type { PolicyView, VolunteerState } from '../mesh-port.ts'
import { Heading } from '../components/heading.tsx'
import type { KeyHint } from '../components/key-bar.tsx'
import { ProgressBar } from '../components/progress-bar.tsx'
import { formatFlops, formatPercent, peerLabel, shortId, wrapText } from '../format.ts'
import { Styled, type Tone } from '../theme.tsx'
import { deviceLine } from './home-screen.tsx'
import { PolicyNotes, PolicyRows } from './volunteer-policy.tsx'

export interface VolunteerScreenProps {
  readonly status?: VolunteerState
  readonly prefs?: VolunteerPrefs
  /** The project contributed to, when this peer knows it. */
  readonly project?: ProjectSummary
  readonly device: DeviceSummary
  /** When this peer computes, and why it pauses; absent while unread or when it runs no policy. */
  readonly policy?: PolicyView
  readonly width: number
  readonly height: number
  /** The clock the snooze's time left is read against. */
  readonly now?: number
}

/** The keys, each saying what it does now; the tab bar's numbers stand for 1-6, so they fit 80 columns. */
export function volunteerKeys (state: { paused: boolean, snoozed: boolean }): KeyHint[] {
  return [
    { key: 'space', label: state.paused ? 'resume' : 'pause' },
    { key: 's', label: state.snoozed ? 'end snooze' : 'snooze 30m' },
    { key: 'w', label: 'when' },
    { key: 'x', label: 'stop' },
    { key: 'd', label: 'duty cycle' },
    { key: 'c', label: 'custom WGSL' },
    { key: 'q', label: 'quit' }
  ]
}

/** The duty cycles `d` steps through. */
export const dutyCycleSteps = [1, 0.75, 0.5, 0.25]

const stateTones: Record<VolunteerStatus['state'], Tone> = {
  idle: 'muted', fetching: 'info', computing: 'good', paused: 'warn', waiting: 'muted', stopped: 'muted'
}

function counted (n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`
}

/** Done, or every chunk verified when last heard of (its researcher may have gone offline since). */
function projectDone (project: ProjectSummary | undefined): boolean {
  return project != null && (project.status === 'done' || (project.chunks.total > 0 && project.chunks.done >= project.chunks.total))
}

/** How a run that ended on its own reads; undefined for one this peer stopped (or ended with its project). */
const endedTexts: Partial<Record<NonNullable<VolunteerState['ended']>['outcome'], string>> = {
  unsupported: 'left: this device cannot run the project',
  refused: 'left: the researcher refused this peer',
  unreachable: 'left: the researcher could not be reached',
  failed: 'left: computing failed',
  'max-chunks': 'left: its chunk limit is reached'
}

/** Why the policy pauses this peer now; undefined when it computes or the preferences pause it (space). */
function policyPause (status: VolunteerState | undefined, prefs: VolunteerPrefs | undefined, policy: PolicyView | undefined): string | undefined {
  if (prefs?.paused === true) return undefined
  return status?.pausedReason ?? (policy?.state.compute === false ? policy.state.reason : undefined)
}

function stateText (status: VolunteerState, project: ProjectSummary | undefined, pause: string | undefined, prefs: VolunteerPrefs | undefined): string {
  // The run in hand finishes first; otherwise the pause is what the user needs to know.
  if (pause != null && status.state !== 'computing' && status.state !== 'fetching') return `paused: ${pause}`
  switch (status.state) {
    case 'computing': return status.currentChunk != null ? `computing chunk ${status.currentChunk}` : 'computing'
    case 'fetching': return status.currentChunk != null ? `fetching chunk ${status.currentChunk}` : 'fetching inputs'
    case 'waiting': return 'waiting for work'
    // A run that ended with its project says why, so "stopped" never reads as a fault.
    case 'stopped':
      if (projectDone(project)) return 'finished: the project is done (pick another on Home)'
      if (project?.status === 'failed') return 'stopped: the project failed'
      return (status.ended != null ? endedTexts[status.ended.outcome] : undefined) ?? 'stopped'
    case 'paused': return prefs?.paused === true ? 'paused by you: space resumes' : 'paused'
    case 'idle': return 'ready to compute'
    default: return status.state
  }
}

/** Why the state is what it is, when there is more to say than the state: a run that ended, or no chunk to compute. */
function whyText (status: VolunteerState | undefined): string | undefined {
  if (status == null) return undefined
  if (status.state === 'stopped' && status.ended != null && endedTexts[status.ended.outcome] != null) return status.ended.reason ?? status.lastError
  if (status.state === 'waiting') return 'the researcher has no chunk for this peer now: the rest are leased, or need other volunteers to agree; asking again'
  return undefined
}

export function VolunteerScreen ({ status, prefs, project, device, policy, width, now = Date.now() }: VolunteerScreenProps): ReactNode {
  const contributing = status?.projectId != null
  const pause = policyPause(status, prefs, policy)
  const why = pause == null ? whyText(status) : undefined
  const left = pause == null && status?.state === 'stopped' && status.ended != null && endedTexts[status.ended.outcome] != null
  const busy = status?.state === 'computing' || status?.state === 'fetching'
  const tone: Tone = status == null ? 'muted' : pause != null && !busy ? 'warn' : status.state === 'stopped' && projectDone(project) ? 'good' : left ? 'warn' : stateTones[status.state]
  return (
    <Box flexDirection='column' width={width}>
      <Heading>Contributing</Heading>
      {!contributing && <Styled tone='muted' wrap='truncate'>not contributing: pick a project on Home (1) and press enter</Styled>}
      {contributing && (
        <Styled wrap='truncate'>
          <Styled bold>{project?.name ?? shortId(status.projectId ?? '')}</Styled>
          <Styled tone='muted'> {shortId(status.projectId ?? '')}</Styled>
          {project != null && <Styled> by {peerLabel(project.owner, project.ownerName)} · {project.kernel} {project.dims}</Styled>}
        </Styled>
      )}
      {contributing && project != null && (
        <Box flexShrink={0}>
          <ProgressBar ratio={project.chunks.total === 0 ? 0 : project.chunks.done / project.chunks.total} width={Math.max(10, width - 24)} />
          <Styled>  {project.chunks.done}/{project.chunks.total} chunks</Styled>
        </Box>
      )}
      <Styled wrap='truncate'>
        <Styled tone='muted'>State       </Styled>
        {status == null ? <Styled tone='muted'>…</Styled> : <Styled tone={tone} bold>{stateText(status, project, pause, prefs)}</Styled>}
        {/* A pause takes effect after the chunk in hand: say so, or "paused: yes" and "computing" read as a contradiction. */}
        {prefs?.paused === true && busy && <Styled tone='warn'> (pausing after this chunk)</Styled>}
        {pause != null && busy && <Styled tone='warn'> (pausing: {pause})</Styled>}
      </Styled>
      {why != null && wrapText(why, Math.max(10, width - 12), 3).map((line, i) => (
        <Styled key={`why-${i}`} wrap='truncate'><Styled tone='muted'>{i === 0 ? 'Why         ' : '            '}</Styled><Styled tone={left ? 'warn' : 'muted'}>{line}</Styled></Styled>
      ))}
      <PolicyNotes view={policy} width={width} />
      <Styled wrap='truncate'><Styled tone='muted'>Device      </Styled>{deviceLine(device)}</Styled>
      {device.fallbackReasons.length > 0 && <Styled tone='muted' wrap='truncate'>            {device.fallbackReasons.join('; ')}</Styled>}
      <Styled> </Styled>
      <Heading>Credits</Heading>
      <Styled wrap='truncate'>
        <Styled bold>{formatFlops(status?.creditsFlops ?? 0)}</Styled> verified
        <Styled tone='muted'> · {counted(status?.receipts ?? 0, 'receipt')} · {counted(status?.chunksComputed ?? 0, 'chunk')} computed</Styled>
      </Styled>
      {status?.lastError != null && !(left && why === status.lastError) && <Styled tone='bad' wrap='truncate'>Last error: {status.lastError}</Styled>}
      <Styled> </Styled>
      <Heading>Preferences</Heading>
      <PolicyRows view={policy} now={now} />
      <Styled wrap='truncate'>
        <Styled tone='muted'>Paused      </Styled>{prefs == null ? '…' : prefs.paused ? <Styled tone='warn'>yes</Styled> : 'no'}
      </Styled>
      <Styled wrap='truncate'>
        <Styled tone='muted'>Duty cycle  </Styled>{prefs == null ? '…' : `GPU busy at most ${formatPercent(prefs.maxDutyCycle)} of the time`}
      </Styled>
      <Styled wrap='truncate'>
        <Styled tone='muted'>Custom WGSL </Styled>{prefs == null ? '…' : prefs.acceptCustomWgsl ? 'asked per project (shown before joining)' : 'off: built-in kernels only'}
      </Styled>
    </Box>
  )
}
