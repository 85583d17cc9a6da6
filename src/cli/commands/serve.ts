import type { Command, CommandContext } from '../command.ts'
import { EXIT_OK, EXIT_WORK_FAILED, UsageError } from '../errors.ts'
import { parseVolunteerFlags, startVolunteerPolicy, VOLUNTEER_FLAG_HELP, VOLUNTEER_FLAG_OPTIONS, VOLUNTEER_FLAG_USAGE } from '../volunteer-options.ts'
import { lingerAfterFinish, nodeOptionsFrom, reportNodeEvents, reportStarted, startNode, waitUntilAborted, WEB_OPTION, webOptionFrom, webOptionHelp } from '../node-options.ts'
import { volunteerReports, reportVolunteerEvents, ResearcherReport } from '../work-events.ts'
import { volunteerUntil } from '../../node/volunteer/auto-volunteer.ts'
import { RELAY_OPTIONS, RELAY_OPTIONS_HELP, RELAY_OPTIONS_USAGE, relayOptionsFrom } from '../relay-options.ts'

async function run (ctx: CommandContext): Promise<number> {
  const json = ctx.options.json === true
  const untilDone = ctx.options['until-done'] === true
  const volunteer = ctx.options.volunteer === true
  const flags = parseVolunteerFlags(ctx.options)
  if (!volunteer && [flags.policy, flags.tuning, flags.device].some(group => Object.keys(group).length > 0)) {
    throw new UsageError('serve: the volunteer policy flags (--when, --schedule, --max-chunk-time, ...) need --volunteer')
  }
  const web = webOptionFrom(ctx.options, ctx.global)
  const relay = relayOptionsFrom(ctx.options)
  const base = await nodeOptionsFrom(ctx.global)
  const nat = relay == null || base.nat === false ? base.nat : { ...base.nat, relay }
  const node = await startNode({ ...base, ...(nat != null ? { nat } : {}), ...web, volunteer: flags.tuning, volunteerDevice: flags.device })
  // Volunteering ends with the command: when interrupted, or once the own projects are finished.
  const stopVolunteering = new AbortController()
  const onAbort = (): void => { stopVolunteering.abort() }
  ctx.signal.addEventListener('abort', onAbort, { once: true })
  let statuses: string[] = []
  try {
    reportStarted(ctx.out, node, json)
    reportNodeEvents(ctx.out, node, json)
    const report = new ResearcherReport(ctx.out, node, json)
    const projects = node.coordinatedProjectIds()
    if (json) ctx.out.json({ event: 'serving', projects: projects.map(id => node.project(id)).filter(p => p != null).map(p => ({ projectId: p.id, name: p.name, done: p.chunks.done, total: p.chunks.total, status: p.status })) })
    else ctx.out.line(`serving ${projects.length} own project${projects.length === 1 ? '' : 's'} of this data dir${volunteer ? ' and volunteering' : ''}`)
    let volunteering: Promise<unknown> = Promise.resolve()
    if (volunteer) {
      reportVolunteerEvents(ctx.out, node, json)
      await startVolunteerPolicy(ctx.out, node, flags, json)
      volunteering = volunteerUntil(node, {
        signal: stopVolunteering.signal,
        ...volunteerReports(ctx.out, json)
      })
    }
    if (untilDone) {
      statuses = await Promise.all(projects.map(async id => await node.waitUntilFinished(id, { signal: ctx.signal }).catch(err => {
        if (ctx.signal.aborted) return 'running'
        throw err
      })))
      if (statuses.length > 0 && !ctx.signal.aborted) await lingerAfterFinish(node, ctx.signal)
    } else {
      await waitUntilAborted(ctx.signal)
    }
    stopVolunteering.abort()
    await volunteering
    await report.flush()
  } finally {
    ctx.signal.removeEventListener('abort', onAbort)
    await node.stop()
  }
  if (json) ctx.out.json({ event: 'stopped' })
  return statuses.includes('failed') ? EXIT_WORK_FAILED : EXIT_OK
}

export const serveCommand: Command = {
  name: 'serve',
  summary: "run this data dir's peer headless: resume and serve its own projects",
  usage: `[--volunteer] [--until-done] [--web HOST:PORT [--web-cert FILE --web-key FILE]] ${RELAY_OPTIONS_USAGE} [--json] ${VOLUNTEER_FLAG_USAGE}`,
  help: `Starts the peer of this data dir without the UI: its unfinished own projects are
resumed (chunks verified before stay verified; leases of a previous run are
handed out again) and served to volunteers; \`mesh status\` and \`mesh export\`
reach it through its control socket.
options:
  --volunteer    also contribute to other peers' projects this peer may run
                 (built-in kernels, or custom WGSL if accepted in the preferences)
  --until-done   exit once every resumed own project is finished: 0 when all are
                 done, 1 when one failed (at once, with 0, when there is none)
                 (interrupted, it stops cleanly with 0; a later serve resumes)
${webOptionHelp(17)}
${RELAY_OPTIONS_HELP}
  --json         one JSON object per line: started, serving, chunk-leased, chunk-verified,
                 chunk-requeued, volunteer-lost, done, failed (and the volunteer's
                 joined, chunk-computed, paused/resumed, left with --volunteer), stopped
with --volunteer, when it computes (kept in the data dir):
${VOLUNTEER_FLAG_HELP}`,
  options: {
    volunteer: { type: 'boolean' },
    'until-done': { type: 'boolean' },
    json: { type: 'boolean' },
    ...WEB_OPTION,
    ...RELAY_OPTIONS,
    ...VOLUNTEER_FLAG_OPTIONS
  },
  run
}
