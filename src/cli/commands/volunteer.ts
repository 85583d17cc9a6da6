import type { Command, CommandContext } from '../command.ts'
import { EXIT_OK, EXIT_WORK_FAILED, UsageError } from '../errors.ts'
import { nodeOptionsFrom, reportNodeEvents, reportStarted, startNode } from '../node-options.ts'
import { optionalString, parseInteger } from '../parse-values.ts'
import { volunteerReports, reportVolunteerEvents } from '../work-events.ts'
import { parseVolunteerFlags, startVolunteerPolicy, VOLUNTEER_FLAG_HELP, VOLUNTEER_FLAG_OPTIONS, VOLUNTEER_FLAG_USAGE } from '../volunteer-options.ts'
import { volunteerUntil } from '../../node/volunteer/auto-volunteer.ts'
import type { VolunteerRunSummary } from '../../node/volunteer/index.ts'

/** Outcomes of a run that mean the work did not get done. */
const FAILED_OUTCOMES: ReadonlySet<VolunteerRunSummary['outcome']> = new Set(['failed', 'refused', 'unsupported', 'timed-out', 'unreachable'])

async function run (ctx: CommandContext): Promise<number> {
  const json = ctx.options.json === true
  const projectId = optionalString(ctx.options, 'project')
  const auto = ctx.options.auto === true
  if ((projectId == null) === !auto) throw new UsageError('volunteer: give exactly one of --project ID or --auto')
  if (projectId === '') throw new UsageError('volunteer: --project needs a project id (see `mesh projects`)')
  const maxChunksText = optionalString(ctx.options, 'max-chunks')
  const maxChunks = maxChunksText == null ? undefined : parseInteger(maxChunksText, '--max-chunks', 1, Number.MAX_SAFE_INTEGER)
  const flags = parseVolunteerFlags(ctx.options)
  const node = await startNode({ ...await nodeOptionsFrom(ctx.global), volunteer: flags.tuning, volunteerDevice: flags.device })
  let runs: VolunteerRunSummary[] = []
  try {
    reportStarted(ctx.out, node, json)
    reportNodeEvents(ctx.out, node, json)
    reportVolunteerEvents(ctx.out, node, json)
    await startVolunteerPolicy(ctx.out, node, flags, json)
    if (node.prefs().paused) {
      // Paused in the UI; asking from the command line means contributing now (the saved preference stays).
      ctx.out.info('mesh: volunteering is paused in the preferences; this run contributes anyway')
      await node.setPrefs({ paused: false }, { persist: false })
    }
    if (!json) ctx.out.info(projectId != null ? `mesh: waiting for project ${projectId} to be announced` : 'mesh: waiting for a project to contribute to')
    runs = await volunteerUntil(node, {
      ...(projectId != null ? { projectId } : {}),
      ...(maxChunks != null ? { maxChunks } : {}),
      acceptCustomWgsl: ctx.options['accept-wgsl'] === true,
      untilDone: ctx.options['until-done'] === true,
      signal: ctx.signal,
      ...volunteerReports(ctx.out, json)
    })
  } finally {
    await node.stop()
  }
  if (json) ctx.out.json({ event: 'stopped' })
  const last = runs.at(-1)
  return last != null && FAILED_OUTCOMES.has(last.outcome) ? EXIT_WORK_FAILED : EXIT_OK
}

export const volunteerCommand: Command = {
  name: 'volunteer',
  summary: "contribute this peer's GPU to other peers' projects",
  usage: `(--project ID | --auto) [--max-chunks N] [--until-done] [--accept-wgsl] [--json] ${VOLUNTEER_FLAG_USAGE}`,
  help: `Waits for a project to be announced, computes its chunks on this machine's device
and hands the results back; it keeps the receipts it earns (see \`mesh leaderboard\`).
options:
  --project ID     contribute to this project (ids: \`mesh projects\`)
  --auto           contribute to any running project this peer may run, one after another
  --max-chunks N   stop after computing N chunks
  --until-done     exit once the project joined is finished: 0 when done, 1 when it
                   failed, the researcher refused this peer or could not be reached
                   (without it, the peer stays up and joins the next project)
  --accept-wgsl    run projects with researcher-written WGSL (the map kernel) in this run;
                   WGSL is checked and sandboxed by WebGPU, it cannot reach this machine
  --json           one JSON object per line: started, policy, joined, chunk-computed per
                   chunk, paused/resumed (reason), declined (reason), left (outcome,
                   chunks, receipts, credits), stopped
when it computes (kept in the data dir; the UI's volunteer screen edits the same):
${VOLUNTEER_FLAG_HELP}`,
  options: {
    project: { type: 'string' },
    auto: { type: 'boolean' },
    'max-chunks': { type: 'string' },
    'until-done': { type: 'boolean' },
    'accept-wgsl': { type: 'boolean' },
    json: { type: 'boolean' },
    ...VOLUNTEER_FLAG_OPTIONS
  },
  run
}
