import type { Command, CommandContext } from '../command.ts'
import { askPeer } from '../peer-reports.ts'
import { formatFoldedRow } from '../../compute/reduce.ts'
import { plainTable, seconds, shortId } from '../table.ts'
import { formatClock } from '../../node/volunteer/policy/index.ts'
import type { StatusReport } from '../../node/mesh-node.ts'
import type { VolunteerReport } from '../../node/control/volunteer-report.ts'
import type { ProjectStats, RoundsProgress } from '../../node/types.ts'
import { roundsStatusText } from '../rounds-text.ts'

/** A running peer's answer also says how it volunteers (src/node/control/volunteer-report.ts). */
type LiveStatus = StatusReport & { readonly volunteer?: VolunteerReport, readonly noDirectPath?: ReadonlyArray<{ peer: string, reason?: string }> }

/** A project's figures as one JSON line: everything but the per-chunk and per-second series. */
export function statusLine (stats: ProjectStats, live: boolean): Record<string, unknown> {
  const { project, chunkStates, timeline, throughputHistory, rounds, ...figures } = stats
  return {
    projectId: project.id,
    name: project.name,
    kernel: project.kernel,
    dims: project.dims,
    status: project.status,
    chunks: project.chunks,
    live,
    ...figures,
    ...(rounds != null ? roundsFields(rounds) : {})
  }
}

/** An iterative project's rounds for scripts: one flat object per closed round (its figures beside the mesh's own), and where it stands. */
function roundsFields ({ closed, ...progress }: RoundsProgress): Record<string, unknown> {
  return {
    rounds: closed.map(({ round, figures, change, chunks, dropped, closedAt }) => ({ round, ...figures, change, chunks, dropped, closedAt })),
    roundsProgress: progress
  }
}

function statusTable (report: StatusReport): string {
  return plainTable(
    ['ID', 'NAME', 'STATUS', 'CHUNKS', 'VOLUNTEERS', 'SPEED-UP', 'GFLOPS', 'EFFICIENCY', 'WALL', 'ETA'],
    report.projects.map(s => [
      shortId(s.project.id),
      s.project.name,
      s.project.status,
      `${s.project.chunks.done}/${s.project.chunks.total}`,
      `${s.activeVolunteers} active, ${s.contributors ?? 0} credited`,
      `${s.speedup.toFixed(2)}x`,
      s.flopsKnown ? s.gflops.toFixed(2) : 'unknown',
      `${(s.efficiency.ratio * 100).toFixed(0)}%`,
      seconds(s.wallMs),
      s.etaSeconds == null ? '-' : seconds(s.etaSeconds * 1000)
    ])
  )
}

/** The volunteer as one JSON line, after the projects': its state, why it is paused, and its policy. */
export function volunteerLine (report: VolunteerReport): Record<string, unknown> {
  const { status, state } = report
  return {
    kind: 'volunteer',
    ...status,
    ...(report.projectName != null ? { projectName: report.projectName } : {}),
    text: volunteerText(report),
    ...(state != null ? { compute: state.compute, code: state.code, reason: state.reason, until: state.until, pauses: state.pauses, notes: state.notes } : {}),
    ...(report.policy != null ? { policy: report.policy } : {})
  }
}

/** What the volunteer does now, in a few words: `computing chunk 3 of pi`, `paused: on battery`. */
export function volunteerText ({ status, projectName, state }: VolunteerReport): string {
  const project = projectName ?? (status.projectId != null ? shortId(status.projectId) : undefined)
  const of = project != null ? ` of ${project}` : ''
  const chunk = status.currentChunk != null ? ` chunk ${status.currentChunk}` : ''
  const reason = status.pausedReason ?? (state?.compute === false ? state.reason : undefined)
  if (status.state === 'computing' || status.state === 'fetching') {
    return `${status.state}${chunk}${of}${reason != null ? ` (pausing: ${reason})` : ''}`
  }
  // The preferences' own reason already reads as a pause.
  if (reason != null) return reason.startsWith('paused') ? reason : `paused: ${reason}`
  if (status.state === 'waiting') return `waiting for work${of}`
  if (project == null) return 'ready: not contributing to a project'
  return `${status.state}${of}`
}

/** The policy's settings on one line. */
function policyText (policy: NonNullable<VolunteerReport['policy']>): string {
  const when = policy.when === 'always'
    ? 'always'
    : policy.gpuWhenActive === 'run' ? 'when idle, but the GPU runs while you work' : `when idle for ${formatClock(policy.idleAfterMs)}`
  return [
    `computes ${when}`,
    `on battery: ${policy.onBattery}`,
    `schedule: ${policy.schedule ?? 'any time'}`,
    `other programs' CPU: ${policy.maxOtherCpu == null ? 'no limit' : `pause over ${policy.maxOtherCpu}%`}`
  ].join(' · ')
}

function printVolunteer (ctx: CommandContext, report: VolunteerReport): void {
  ctx.out.line(`volunteer: ${volunteerText(report)}`)
  for (const pause of report.state?.pauses.slice(1) ?? []) ctx.out.line(`volunteer: also ${pause.reason}`)
  for (const note of report.state?.notes ?? []) ctx.out.line(`volunteer: ${note}`)
  if (report.policy != null) ctx.out.line(`volunteer policy: ${policyText(report.policy)}`)
}

async function run (ctx: CommandContext): Promise<number> {
  const report = await askPeer<LiveStatus>(ctx.global.dataDir, 'status', {}, async peer => await peer?.status() ?? { running: false, projects: [] })
  if (ctx.options.json === true) {
    for (const stats of report.projects) ctx.out.json(statusLine(stats, report.running))
    if (report.volunteer != null) ctx.out.json(volunteerLine(report.volunteer))
    if (report.noDirectPath != null) ctx.out.json({ kind: 'network', noDirectPath: report.noDirectPath })
    return 0
  }
  const who = report.peerId == null ? ctx.global.dataDir : `peer ${report.peerId}`
  ctx.out.line(`${who} (${report.running ? 'running: live figures' : 'not running: figures from its store'})`)
  ctx.out.line(report.projects.length === 0 ? 'no own projects' : statusTable(report))
  for (const s of report.projects) {
    if (s.failure != null) ctx.out.line(`${shortId(s.project.id)} failed: ${s.failure}`)
    for (const reason of s.waiting) ctx.out.line(`${shortId(s.project.id)} waiting: ${reason}`)
    if (!s.flopsKnown) ctx.out.line(`${shortId(s.project.id)}: FLOPs unknown (publish with --flops-per-item F to count them)`)
    if (s.result != null) ctx.out.line(`${shortId(s.project.id)} result: ${formatFoldedRow(s.result)}`)
    if (s.rounds != null) ctx.out.line(roundsStatusText(shortId(s.project.id), s.rounds, s.project.status))
  }
  if (report.volunteer != null) printVolunteer(ctx, report.volunteer)
  for (const { peer, reason } of report.noDirectPath ?? []) ctx.out.line(`no direct path to peer ${shortId(peer)} (only through a relay; no chunks move): ${reason ?? 'hole punching failed'}`)
  return 0
}

export const statusCommand: Command = {
  name: 'status',
  summary: "this data dir's own projects: progress and figures; the volunteer's state",
  usage: '[--json]',
  help: `Asks the peer running on this data dir (through its control socket), or reads the
data dir when none runs.
  --json   one JSON object per own project: projectId, name, status, chunks, progress,
           chunksPerSec, gflops, etaSeconds, speedup, contributors, activeVolunteers,
           efficiency (computeMs, transferMs, bytesMoved, ratio), verification,
           volunteers, wallMs, failure, live (from a running peer or not), and for
           an iterative project rounds (one object per closed round: round, the
           kernel's figures such as loss, accuracy or inertia, change, chunks,
           dropped, closedAt) and roundsProgress (round, of, untilChange, quorum,
           converged, chunksDone, chunksPerRound); then,
           when the running peer volunteers, one object with kind 'volunteer': state,
           pausedReason, projectId, projectName, currentChunk, text ('paused: on battery'),
           compute, code, reason, until, pauses, notes and policy; and when peers are
           reached only through a relay with no direct path (see \`mesh doctor\`), one
           object with kind 'network': noDirectPath (peer, reason)`,
  options: { json: { type: 'boolean' } },
  run
}
