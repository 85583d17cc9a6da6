import type { Command, CommandContext } from '../command.ts'
import { askPeer } from '../peer-reports.ts'
import { plainTable, seconds, shortId } from '../table.ts'
import type { LeaderboardEntry } from '../../node/types.ts'

async function run (ctx: CommandContext): Promise<number> {
  const entries = await askPeer<LeaderboardEntry[]>(ctx.global.dataDir, 'leaderboard', {}, async peer => await peer?.leaderboard() ?? [])
  if (ctx.options.json === true) {
    for (const entry of entries) ctx.out.json(entry)
    return 0
  }
  ctx.out.line(entries.length === 0
    ? 'no verified work yet'
    : plainTable(['RANK', 'BADGE', 'VOLUNTEER', 'GFLOP', 'CHUNKS', 'COMPUTE'], entries.map(e => [
      String(e.rank), e.badge ?? '', e.name != null ? `${e.name} ${shortId(e.peer)}` : shortId(e.peer), (e.flops / 1e9).toFixed(2), String(e.chunks), seconds(e.computeMs)
    ])))
  return 0
}

export const leaderboardCommand: Command = {
  name: 'leaderboard',
  summary: 'top volunteers by verified FLOPs, from the receipts this peer holds',
  usage: '[--json]',
  help: `Ranks volunteers by the FLOPs of their verified chunks, counted from signed receipts:
those this peer issued for its own projects and those it earned as a volunteer.
  --json   one JSON object per volunteer: rank, peer, name, flops, chunks, computeMs, badge`,
  options: { json: { type: 'boolean' } },
  run
}
