import type { ReactNode } from 'react'
import { formatClock, formatSpan, formatTimeOfWeek, type VolunteerPolicy } from '../../node/volunteer/policy/index.ts'
import type { PolicyView } from '../mesh-port.ts'
import { wrapText } from '../format.ts'
import { Styled } from '../theme.tsx'

/** How long `s` snoozes: long enough for a call or a game, short enough to forget safely. */
export const SNOOZE_MS = 30 * 60_000

export function snoozedNow (policy: VolunteerPolicy | undefined, now: number): boolean {
  return policy?.snoozeUntil != null && policy.snoozeUntil > now
}

export function whenText (policy: VolunteerPolicy): string {
  if (policy.when === 'always') return 'always, whether or not you use this computer'
  // With the GPU running while the user is active, activity pauses nothing: say so rather than "when idle".
  if (policy.gpuWhenActive === 'run') return 'when idle, but the GPU runs on while you work'
  return `only when idle: after ${formatClock(policy.idleAfterMs)} without keyboard or mouse input`
}

function limitsText (policy: VolunteerPolicy): string {
  const cpu = policy.maxOtherCpu == null ? 'no limit' : `pause over ${policy.maxOtherCpu}%`
  return `on battery: ${policy.onBattery === 'pause' ? 'pause' : 'run on'} · other programs' CPU: ${cpu}`
}

function snoozeText (policy: VolunteerPolicy, now: number): string {
  if (!snoozedNow(policy, now)) return 'off'
  const until = policy.snoozeUntil!
  return `until ${formatTimeOfWeek(until, now)} (${formatSpan(until - now)} left)`
}

function Row ({ label, children }: { readonly label: string, readonly children?: ReactNode }): ReactNode {
  return <Styled wrap='truncate'><Styled tone='muted'>{label.padEnd(12)}</Styled>{children}</Styled>
}

export interface PolicyNotesProps {
  readonly view?: PolicyView
  readonly width: number
}

/**
 * Under the state line: the other pauses that apply now (the state shows the
 * first), and what the policy could not take into account on this machine.
 */
export function PolicyNotes ({ view, width }: PolicyNotesProps): ReactNode {
  if (view == null) return null
  const also = view.state.pauses.slice(1).map(p => p.reason)
  return (
    <>
      {also.length > 0 && wrapText(also.join(' · '), Math.max(10, width - 12), 2).map((line, i) => (
        <Row key={`also-${i}`} label={i === 0 ? 'Also' : ''}><Styled tone='warn'>{line}</Styled></Row>
      ))}
      {view.state.notes.map((note, i) => (
        <Row key={`note-${i}`} label={i === 0 ? 'Note' : ''}><Styled tone='muted'>{note}</Styled></Row>
      ))}
    </>
  )
}

export interface PolicyRowsProps {
  readonly view?: PolicyView
  readonly now: number
}

/** The policy's settings, as the preferences section lists them. */
export function PolicyRows ({ view, now }: PolicyRowsProps): ReactNode {
  if (view == null) return <Row label='When'><Styled tone='muted'>always (this peer runs no volunteer policy)</Styled></Row>
  const { policy } = view
  return (
    <>
      <Row label='When'>{whenText(policy)}</Row>
      <Row label='Schedule'>{policy.schedule ?? 'any time'}</Row>
      <Row label='Limits'>{limitsText(policy)}</Row>
      <Row label='Snooze'>{snoozedNow(policy, now) ? <Styled tone='warn'>{snoozeText(policy, now)}</Styled> : snoozeText(policy, now)}</Row>
    </>
  )
}
