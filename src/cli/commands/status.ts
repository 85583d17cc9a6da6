import type { Command, CommandContext } from '../command.ts'
import { askPeer } from '../peer-reports.ts'
import { plainTable, seconds, shortId } from '../table.ts'
import type { StatusReport } from '../../node/mesh-node.ts'
import type { ProjectStats } from '../../node/types.ts'

/** A project's figures as one JSON line: everything but the per-chunk and per-second series. */
export function statusLine (stats: ProjectStats, live: boolean): Record<string, unknown> {
  const { project, chunkStates, timeline, throughputHistory, ...figures } = stats
  return {
    projectId: project.id,
    name: project.name,
    kernel: project.kernel,
    dims: project.dims,
    status: project.status,
    chunks: project.chunks,
    live,
    ...figures
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

async function run (ctx: CommandContext): Promise<number> {
  const report = await askPeer<StatusReport>(ctx.global.dataDir, 'status', {}, async peer => await peer?.status() ?? { running: false, projects: [] })
  if (ctx.options.json === true) {
    for (const stats of report.projects) ctx.out.json(statusLine(stats, report.running))
    return 0
  }
  const who = report.peerId == null ? ctx.global.dataDir : `peer ${report.peerId}`
  ctx.out.line(`${who} (${report.running ? 'running: live figures' : 'not running: figures from its store'})`)
  ctx.out.line(report.projects.length === 0 ? 'no own projects' : statusTable(report))
  for (const s of report.projects) {
    if (s.failure != null) ctx.out.line(`${shortId(s.project.id)} failed: ${s.failure}`)
    for (const reason of s.waiting) ctx.out.line(`${shortId(s.project.id)} waiting: ${reason}`)
    if (!s.flopsKnown) ctx.out.line(`${shortId(s.project.id)}: FLOPs unknown (publish with --flops-per-item F to count them)`)
  }
  return 0
}

export const statusCommand: Command = {
  name: 'status',
  summary: "this data dir's own projects: progress and figures",
  usage: '[--json]',
  help: `Asks the peer running on this data dir (through its control socket), or reads the
data dir when none runs.
  --json   one JSON object per own project: projectId, name, status, chunks, progress,
           chunksPerSec, gflops, etaSeconds, speedup, contributors, activeVolunteers,
           efficiency (computeMs, transferMs, bytesMoved, ratio), verification,
           volunteers, wallMs, failure, and live (from a running peer or not)`,
  options: { json: { type: 'boolean' } },
  run
}
