import type { ReactNode } from 'react'
import { Box } from 'ink'
import type { ProjectStats, TimelineEntry } from '../../node/types.ts'
import { formatFoldedRow } from '../../compute/reduce.ts'
import { ChunkGrid, ChunkLegend, chunkGridRows } from '../components/chunk-grid.tsx'
import { Heading } from '../components/heading.tsx'
import { ProgressBar } from '../components/progress-bar.tsx'
import { RoundsPanel, canPlotRounds, roundsTextLines } from '../components/rounds-panel.tsx'
import { Sparkline } from '../components/sparkline.tsx'
import { Table, type Column, type Row } from '../components/table.tsx'
import {
  formatBytes, formatClock, formatDuration, formatEta, formatGflops, formatPercent, formatRate, formatSpeedup, peerLabel, shortId, truncate, wrapText
} from '../format.ts'
import { Styled, type Tone } from '../theme.tsx'
import type { ExportFormState } from '../hooks/use-export-form.ts'
import { statusTones } from './home-screen.tsx'

export interface DashboardScreenProps {
  readonly stats: ProjectStats
  /** What publishing the project said (the trial's chunk sizing), when it was just published. */
  readonly notes?: readonly string[]
  /** The export line, while the researcher fills it in. */
  readonly exportForm?: ExportFormState
  readonly width: number
  readonly height: number
}

export const dashboardKeys = [
  { key: 'x', label: 'export' },
  { key: 'esc', label: 'back' },
  { key: '1-6', label: 'screens' },
  { key: 'q', label: 'quit' }
]

export const exportKeys = [
  { key: '←→', label: 'format' },
  { key: 'type', label: 'path' },
  { key: 'enter', label: 'write' },
  { key: 'esc', label: 'cancel' }
]

const volunteerColumns: Column[] = [
  { key: 'name', header: 'volunteer', width: 10, flex: true },
  { key: 'id', header: 'id', width: 8, dropOrder: 2 },
  { key: 'verified', header: 'chunks', width: 6, align: 'right' },
  { key: 'inFlight', header: 'in flight', width: 9, align: 'right', dropOrder: 1 },
  { key: 'gflops', header: 'speed', width: 14, align: 'right' },
  { key: 'status', header: 'status', width: 7 }
]

const volunteerTones: Record<string, Tone> = { active: 'good', idle: 'muted', lost: 'warn', banned: 'bad' }

const timelineTones: Partial<Record<TimelineEntry['kind'], Tone>> = {
  requeued: 'warn', lost: 'warn', mismatch: 'bad', banned: 'bad', failed: 'bad', done: 'good', verified: 'good', published: 'accent', joined: 'accent'
}

const LABEL = 12
/** Lines of the waiting block and of the publish notes, at most. */
const MAX_WAITING_LINES = 4
const MAX_NOTE_LINES = 3
/** A rounds project's plot: at least 2 rows (with its axis and legend), at most 6. */
const MIN_PLOT_LINES = 4
const MAX_PLOT_LINES = 8
/** Lines the volunteers and events keep before the plot gets any. */
const MIN_TABLE_LINES = 3

/** Lines for the rounds plot out of the `spare` ones the tables would get: none on a short terminal, where it goes first. */
function plotHeightFrom (spare: number): number {
  const lines = Math.min(MAX_PLOT_LINES, spare - MIN_TABLE_LINES)
  return lines >= MIN_PLOT_LINES ? lines : 0
}

/** Labelled lines: the label on the first, the text word-wrapped under it. */
function labelled (texts: readonly string[], width: number, maxLines: number): string[][] {
  const lines = texts.map(text => wrapText(text, Math.max(10, width - LABEL - 2)))
  const out: string[][] = []
  for (const wrapped of lines) {
    if (out.length >= maxLines) break
    out.push(wrapped.slice(0, maxLines - out.length))
  }
  return out
}

/** "4 volunteers, 3.7x": the speed-up over one peer computing the same chunks alone. */
export function speedupLine (stats: ProjectStats): string {
  const volunteers = stats.contributors ?? stats.activeVolunteers
  return `${volunteers} volunteer${volunteers === 1 ? '' : 's'}, ${formatSpeedup(stats.speedup)}`
}

/** Events name volunteers by short id; say the names the table shows instead. */
function withNames (volunteers: ProjectStats['volunteers']): (text: string) => string {
  const names = new Map(volunteers.flatMap(v => v.name != null && v.name !== '' ? [[shortId(v.peer), v.name]] : []))
  if (names.size === 0) return text => text
  return text => text.replace(/\b[0-9A-Za-z]{8}\b/g, id => names.get(id) ?? id)
}

export function DashboardScreen ({ stats, notes = [], exportForm, width, height }: DashboardScreenProps): ReactNode {
  const { project } = stats
  const failureLines = stats.failure != null ? 1 : 0
  const exportLines = exportForm != null ? 1 : 0
  // Why chunks wait matters while they can still be computed; a finished project has nothing waiting.
  const waiting = project.status === 'done' || project.status === 'failed' ? [] : labelled(stats.waiting ?? [], width, MAX_WAITING_LINES)
  const noteLines = labelled(notes, width, MAX_NOTE_LINES)
  const extraLines = [...waiting, ...noteLines].reduce((n, lines) => n + lines.length, 0)
  const flopsKnown = stats.flopsKnown !== false
  const { rounds } = stats
  const roundsLines = rounds != null ? roundsTextLines(rounds) : 0
  const fixedLines = 10 + failureLines + exportLines + extraLines + (flopsKnown ? 0 : 1) + (stats.result != null ? 1 : 0) + roundsLines
  const gridRows = chunkGridRows(stats.chunkStates.length, width, Math.max(1, Math.min(4, height - fixedLines - 4)))
  const tableLines = Math.max(2, height - fixedLines - gridRows)
  const plotHeight = rounds != null && canPlotRounds(rounds) ? plotHeightFrom(tableLines) : 0
  const spare = tableLines - plotHeight
  const volunteerRows = Math.max(1, Math.min(Math.max(1, stats.volunteers.length), Math.ceil(spare / 2)))
  const timelineRows = Math.max(1, spare - volunteerRows)
  const done = stats.verification.verified
  const total = stats.chunkStates.length
  const { efficiency, verification } = stats

  const rows: Row[] = stats.volunteers.map(v => ({
    key: v.peer,
    tone: v.status === 'lost' || v.status === 'banned' ? 'muted' : undefined,
    cells: {
      name: peerLabel(v.peer, v.name),
      id: shortId(v.peer),
      verified: String(v.chunksVerified),
      inFlight: String(v.chunksInFlight),
      gflops: stats.flopsKnown === false ? 'unknown' : formatGflops(v.gflops),
      status: { text: v.status, tone: volunteerTones[v.status] ?? 'plain' }
    }
  }))
  const rateText = `${formatRate(stats.chunksPerSec, 'chunks')}  ${flopsKnown ? formatGflops(stats.gflops) : 'GFLOPS unknown'}  `
  const etaText = `  ETA ${formatEta(stats.etaSeconds)}`
  const sparkWidth = Math.max(0, Math.min(30, width - 12 - rateText.length - etaText.length))
  const events = stats.timeline.slice(-timelineRows)
  const named = withNames(stats.volunteers)

  return (
    <Box flexDirection='column' width={width}>
      <Styled wrap='truncate'>
        <Styled bold>{project.name}</Styled>
        <Styled tone='muted'> {shortId(project.id)}  </Styled>
        {project.kernel} {project.dims}  <Styled tone={statusTones[project.status]}>{project.status}</Styled>
        <Styled tone='muted'>  redundancy {project.verification.redundancy} · spot-check {formatPercent(project.verification.spotCheck)}</Styled>
      </Styled>
      <Box flexShrink={0}>
        <ProgressBar ratio={stats.progress} width={Math.max(10, width - 20)} />
        <Styled>  {done}/{total} chunks</Styled>
      </Box>
      {waiting.map((lines, i) => lines.map((line, j) => (
        <Styled key={`waiting-${i}-${j}`} tone='warn' wrap='truncate'>
          <Styled tone='warn' bold>{i === 0 && j === 0 ? 'waiting:'.padEnd(LABEL) : ' '.repeat(LABEL)}</Styled>{j === 0 ? '' : '  '}{line}
        </Styled>
      )))}
      {stats.result != null && (
        <Styled wrap='truncate'>
          <Styled tone='good' bold>{'result:'.padEnd(LABEL)}</Styled>{formatFoldedRow(stats.result)}
        </Styled>
      )}
      {rounds != null && <RoundsPanel rounds={rounds} status={project.status} width={width} plotHeight={plotHeight} />}
      <ChunkGrid states={stats.chunkStates} width={width} rows={gridRows} />
      <ChunkLegend states={stats.chunkStates} />
      <Styled wrap='truncate'>
        <Styled tone='muted'>Throughput  </Styled>{rateText}<Sparkline samples={stats.throughputHistory} width={sparkWidth} />{etaText}
      </Styled>
      {!flopsKnown && <Styled tone='muted' wrap='truncate'>{' '.repeat(LABEL)}FLOPs unknown — publish with --flops-per-item</Styled>}
      <Styled wrap='truncate'>
        <Styled tone='muted'>Speed-up    </Styled><Styled bold>{speedupLine(stats)}</Styled>
        <Styled tone='muted'>  over one peer, wall {formatDuration(stats.wallMs)}</Styled>
      </Styled>
      <Styled wrap='truncate'>
        <Styled tone='muted'>Network     </Styled>efficiency {efficiency.computeMs + efficiency.transferMs > 0 ? formatPercent(efficiency.ratio) : '--'}
        <Styled tone='muted'>  compute {formatDuration(efficiency.computeMs)} · transfer {formatDuration(efficiency.transferMs)} · {formatBytes(efficiency.bytesMoved)} moved</Styled>
      </Styled>
      <Styled wrap='truncate'>
        <Styled tone='muted'>Verified    </Styled>{verification.verified}
        <Styled tone={verification.mismatches > 0 ? 'warn' : 'muted'}> · mismatches {verification.mismatches}</Styled>
        <Styled tone='muted'> · spot checks {verification.spotChecks}</Styled>
        <Styled tone={verification.bannedVolunteers > 0 ? 'bad' : 'muted'}> · banned {verification.bannedVolunteers}</Styled>
      </Styled>
      {noteLines.map((lines, i) => lines.map((line, j) => (
        <Styled key={`note-${i}-${j}`} wrap='truncate'>
          <Styled tone='muted'>{i === 0 && j === 0 ? 'Published'.padEnd(LABEL) : ' '.repeat(LABEL)}</Styled>
          <Styled tone='info'>{j === 0 ? '' : '  '}{line}</Styled>
        </Styled>
      )))}
      {stats.failure != null && <Styled tone='bad' wrap='truncate'>Failed: {stats.failure}</Styled>}
      {exportForm != null && (
        <Styled wrap='truncate'>
          <Styled tone='accent' bold>Export </Styled>
          format <Styled inverse bold>‹{exportForm.format}›</Styled>  path {exportForm.path}<Styled tone='accent'>█</Styled>
        </Styled>
      )}
      <Heading>Volunteers ({stats.activeVolunteers} active)</Heading>
      <Table columns={volunteerColumns} rows={rows} width={width} maxRows={volunteerRows} emptyText='none yet: volunteers appear when they lease a chunk' />
      <Heading>Events</Heading>
      {events.length === 0 && <Styled tone='muted'>nothing yet</Styled>}
      {events.map((e, i) => (
        <Styled key={`${e.at}-${i}`} wrap='truncate'>
          <Styled tone='muted'>{formatClock(e.at)} </Styled>
          <Styled tone={timelineTones[e.kind] ?? 'plain'}>{truncate(named(e.text), Math.max(0, width - 9))}</Styled>
        </Styled>
      ))}
    </Box>
  )
}
