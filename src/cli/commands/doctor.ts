import type { Command, CommandContext } from '../command.ts'
import { UsageError, WorkError } from '../errors.ts'
import { parseNumber, optionalString } from '../parse-values.ts'
import { nodeOptionsFrom, startNode, waitUntilAborted } from '../node-options.ts'
import { callRunningPeer, ControlCallError } from '../../node/control/control-client.ts'
import type { DoctorReport, Verdict } from '../../node/doctor/doctor.ts'
import type { MeshNode } from '../../node/mesh-node.ts'

export const DEFAULT_DOCTOR_WAIT_SECONDS = 10
const MAX_WAIT_SECONDS = 600
/** Even when it looks settled early: time for identify, AutoNAT and announcements to arrive. */
const MIN_WAIT_MS = 3_000
const POLL_MS = 250
const DOCTOR_CALL_TIMEOUT_MS = 10_000

const MARKS: Record<Verdict['level'], string> = { ok: 'ok     ', info: 'note   ', warn: 'warn   ', problem: 'PROBLEM' }

/** Whether a starting peer has seen enough for the verdicts to stand: reachability and every researcher's path decided. */
function settled (report: DoctorReport): boolean {
  const reach = report.reachability === 'direct' || report.reachability === 'upnp' ? report.confirmed : report.reservations.length > 0
  return reach && report.projects.every(p => p.path === 'direct' || p.path === 'no-direct-path')
}

/** A peer started for the diagnosis: it listens, reserves, connects to the researchers it hears of, and is asked at the end. */
async function diagnoseHere (ctx: CommandContext, waitMs: number): Promise<DoctorReport> {
  const node: MeshNode = await startNode({ ...await nodeOptionsFrom(ctx.global), controlSocket: false })
  try {
    const started = Date.now()
    let lastDial = 0
    for (;;) {
      if (Date.now() - lastDial >= 1_000) {
        node.reachResearchers()
        lastDial = Date.now()
      }
      const elapsed = Date.now() - started
      if (elapsed >= waitMs || (elapsed >= Math.min(MIN_WAIT_MS, waitMs) && settled(node.doctor())) || ctx.signal.aborted) break
      await waitUntilAborted(ctx.signal, POLL_MS)
    }
    return node.doctor()
  } finally {
    await node.stop()
  }
}

function print (ctx: CommandContext, report: DoctorReport, running: boolean): void {
  ctx.out.line(`peer ${report.peerId} (${running ? 'the running peer of this data dir' : 'started for this diagnosis'})`)
  for (const address of report.addresses) ctx.out.line(`  listening: ${address}`)
  const reach = { direct: 'directly', upnp: 'through UPnP', relay: 'only through a relay', unreachable: 'not from outside its network' }[report.reachability]
  ctx.out.line(`reachable: ${reach}${report.reachability === 'direct' || report.reachability === 'upnp' ? (report.confirmed ? ' (confirmed)' : ' (not confirmed yet)') : ''}`)
  ctx.out.line(`NAT: ${report.nat.text}`)
  if (report.reservations.length > 0) for (const r of report.reservations) ctx.out.line(`relay reservation: ${r.address}`)
  for (const verdict of report.verdicts) {
    ctx.out.line(`${MARKS[verdict.level]} ${verdict.text}`)
    if (verdict.fix != null) ctx.out.line(`        fix: ${verdict.fix}`)
  }
}

async function run (ctx: CommandContext): Promise<number> {
  const json = ctx.options.json === true
  const waitText = optionalString(ctx.options, 'wait')
  const waitSeconds = waitText == null ? DEFAULT_DOCTOR_WAIT_SECONDS : parseNumber(waitText, '--wait', 0, MAX_WAIT_SECONDS)
  let reply: { result: unknown } | undefined
  try {
    reply = await callRunningPeer(ctx.global.dataDir, 'doctor', {}, DOCTOR_CALL_TIMEOUT_MS)
  } catch (err: any) {
    if (err instanceof ControlCallError) throw err.inputError ? new UsageError(err.message) : new WorkError(`the running peer could not answer: ${err.message}`)
    throw err
  }
  const running = reply != null
  const report = reply != null ? reply.result as DoctorReport : await diagnoseHere(ctx, waitSeconds * 1000)
  if (json) ctx.out.json({ ...report, running })
  else print(ctx, report, running)
  return 0
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'what this peer can reach beyond its LAN, and what to change',
  usage: '[--wait SECONDS] [--json]',
  help: `Asks the peer running on this data dir (through its control socket), or starts
this data dir's peer with the global options (--bootstrap, --listen, --swarm-key)
for up to --wait seconds (default ${DEFAULT_DOCTOR_WAIT_SECONDS}; less once the verdicts are settled),
and reports: this peer's addresses; whether it is reachable directly, through
UPnP, or only through a relay (AutoNAT, or an inbound connection, confirms a
public address); how its NAT maps ports, where known; its relay reservations;
for each project of another peer, whether it has a direct path to the
researcher (chunks never cross a relay); and each problem with its fix.
  --wait SECONDS   how long a peer started here listens (0 to 600)
  --json           one JSON object: peerId, addresses, reachability (direct, upnp, relay,
                   unreachable), confirmed, publicAddresses, nat (kind: none, port-preserving,
                   endpoint-independent, port-changing, symmetric, unknown; text), upnp,
                   reservations, relay, projects (projectId, researcher, path: direct,
                   punching, no-direct-path, not-connected; holePunchMs, reason),
                   noDirectPath, verdicts (code, level: ok, info, warn, problem; text,
                   fix), ok, running
Exit 0 with a diagnosis, problems included; 2 for bad usage.`,
  options: {
    wait: { type: 'string' },
    json: { type: 'boolean' }
  },
  run
}
