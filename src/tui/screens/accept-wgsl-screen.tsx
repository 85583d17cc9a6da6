import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { ProjectSummary, VolunteerPrefs } from '../../node/types.ts'
import { peerLabel, truncate } from '../format.ts'
import { Styled } from '../theme.tsx'

export interface AcceptWgslScreenProps {
  readonly project: ProjectSummary
  readonly prefs?: VolunteerPrefs
  /** First source line shown. */
  readonly scroll: number
  readonly width: number
  readonly height: number
}

/** With custom WGSL off in the preferences, w turns it on first: y alone would be refused. */
export function acceptWgslKeys (prefs: VolunteerPrefs | undefined): Array<{ key: string, label: string }> {
  return [
    prefs?.acceptCustomWgsl === false ? { key: 'w', label: 'allow custom WGSL' } : { key: 'y', label: 'accept and join' },
    { key: 'n/esc', label: 'decline' },
    { key: '↑↓', label: 'scroll' },
    { key: 'q', label: 'quit' }
  ]
}

/** Lines above the source on this screen. */
const HEADER_LINES = 4

/** Source lines that fit below the explanation. */
export function wgslViewLines (height: number): number {
  return Math.max(1, height - HEADER_LINES - 1)
}

export function AcceptWgslScreen ({ project, prefs, scroll, width, height }: AcceptWgslScreenProps): ReactNode {
  const lines = (project.customWgsl ?? '').replace(/\n$/, '').split('\n')
  const view = wgslViewLines(height)
  const first = Math.max(0, Math.min(scroll, lines.length - view))
  const shown = lines.slice(first, first + view)
  const numberWidth = String(lines.length).length
  return (
    <Box flexDirection='column' width={width}>
      <Styled wrap='truncate'>
        <Styled bold>{project.name}</Styled> by {peerLabel(project.owner, project.ownerName)} runs its own WGSL on your GPU. Read it before you accept.
      </Styled>
      <Styled tone='muted' wrap='truncate'>Sandboxed by WebGPU: it only reads this project's rows and writes its results.</Styled>
      {prefs?.acceptCustomWgsl === false
        ? <Styled tone='warn' wrap='truncate'>Your preferences allow built-in kernels only: w allows custom WGSL, y joins.</Styled>
        : <Styled tone='muted' wrap='truncate'>{project.kernel} · {project.dims} · {lines.length} lines</Styled>}
      <Styled tone='muted' wrap='truncate'>{'─'.repeat(Math.max(0, width))}</Styled>
      {shown.map((line, i) => (
        <Styled key={first + i} wrap='truncate'>
          <Styled tone='muted'>{String(first + i + 1).padStart(numberWidth)} </Styled>
          {truncate(line.replace(/\t/g, '  '), Math.max(0, width - numberWidth - 1))}
        </Styled>
      ))}
      {first + view < lines.length && <Styled tone='muted'>… {lines.length - first - view} more lines (↓)</Styled>}
    </Box>
  )
}
