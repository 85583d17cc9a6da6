import type { Command, CommandContext } from '../command.ts'
import { askPeer } from '../peer-reports.ts'
import { plainTable, seconds, shortId } from '../table.ts'
import type { HistoryEntry } from '../../node/types.ts'

async function run (ctx: CommandContext): Promise<number> {
  const entries = await askPeer<HistoryEntry[]>(ctx.global.dataDir, 'history', {}, async peer => await peer?.history() ?? [])
  if (ctx.options.json === true) {
    for (const entry of entries) ctx.out.json(entry)
    return 0
  }
  ctx.out.line(entries.length === 0
    ? 'no finished projects yet'
    : plainTable(['FINISHED', 'ID', 'NAME', 'KERNEL', 'DIMS', 'STATUS', 'VOLUNTEERS', 'DURATION', 'GFLOPS', 'SPEED-UP', 'EFFICIENCY'], entries.map(e => [
      new Date(e.finishedAt).toISOString().replace('T', ' ').slice(0, 19), shortId(e.projectId), e.name, e.kernel, e.dims, e.status,
      String(e.volunteers), seconds(e.durationMs), e.gflops.toFixed(2), `${e.speedup.toFixed(2)}x`, `${(e.efficiency * 100).toFixed(0)}%`
    ])))
  return 0
}

export const historyCommand: Command = {
  name: 'history',
  summary: "this peer's finished projects with their figures",
  usage: '[--json]',
  help: `Lists finished own projects, most recent first (replay one from the UI's history screen).
  --json   one JSON object per project: projectId, name, kernel, dims, volunteers, durationMs,
           chunks, gflops, efficiency, speedup, finishedAt, status`,
  options: { json: { type: 'boolean' } },
  run
}
