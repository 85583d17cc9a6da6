import type { Command, CommandContext } from '../command.ts'
import { UsageError, WorkError } from '../errors.ts'
import { callRunningPeer, ControlCallError } from '../../node/control/control-client.ts'
import type { PolicyStateReport } from '../../node/control/volunteer-report.ts'
import { formatSpan, formatTimeOfWeek, parseSnooze } from '../../node/volunteer/policy/index.ts'

interface SnoozeAnswer {
  readonly untilMs: number | null
  readonly state: PolicyStateReport
}

async function run (ctx: CommandContext): Promise<number> {
  // `mesh snooze 1h 30m` reads as people say it: the words make one duration.
  const text = ctx.positionals.join(' ')
  const now = Date.now()
  const untilMs = parseSnooze(text, now) ?? null
  const { dataDir } = ctx.global
  let reply: { result: unknown } | undefined
  try {
    reply = await callRunningPeer(dataDir, 'snooze', { untilMs })
  } catch (err) {
    if (err instanceof ControlCallError) throw err.inputError ? new UsageError(err.message) : new WorkError(err.message)
    throw err
  }
  // Snoozing pauses a running peer; with none running there is nothing to pause.
  if (reply == null) throw new UsageError(`snooze: no peer is running on ${dataDir} (start one with \`mesh volunteer\` or \`mesh\`, then snooze it)`)
  const answer = reply.result as SnoozeAnswer
  if (ctx.options.json === true) {
    ctx.out.json({ event: untilMs == null ? 'snooze-off' : 'snoozed', untilMs, compute: answer.state.compute, code: answer.state.code, reason: answer.state.reason, text: answer.state.text })
  } else if (untilMs == null) {
    ctx.out.line(`snooze off: ${answer.state.text}`)
  } else {
    ctx.out.line(`snoozed until ${formatTimeOfWeek(untilMs, now)} (for ${formatSpan(untilMs - now)})`)
  }
  return 0
}

export const snoozeCommand: Command = {
  name: 'snooze',
  summary: 'pause the volunteer running on this data dir for a while, or resume it',
  usage: 'DURATION|off [--json]',
  help: `Asks the peer running on this data dir (\`mesh volunteer\`, \`mesh serve --volunteer\` or
the UI), through its control socket, to compute nothing until the time is up: it takes no
new lease and hands back the chunks it holds. \`off\` resumes at once. The snooze is kept
in the data dir, so a restart within it stays snoozed.
  DURATION   e.g. 30m, 2h, 1h30m, 1d (a bare number is seconds)
  --json     one JSON object: event (snoozed or snooze-off), untilMs, compute, code, reason, text
Exits 2 when no peer runs on the data dir, or the one running does not volunteer.`,
  positionals: { min: 1, max: 8, names: 'DURATION or off' },
  options: { json: { type: 'boolean' } },
  run
}
