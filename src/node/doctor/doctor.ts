import type { DirectPath, PathState, Reachability, ReachabilityReport } from '../network/reachability.ts'
import type { NatBehaviour } from '../network/nat-behaviour.ts'

/**
 * `mesh doctor`: what this peer can reach beyond its LAN and what to change,
 * from its reachability report (reachability.ts) and the projects it sees.
 * Pure: the CLI prints the report, the UI's Health screen shows its
 * verdicts. Each problem comes with the fix in one line.
 */

export type VerdictLevel = 'ok' | 'info' | 'warn' | 'problem'

export interface Verdict {
  /** Stable name for scripts, e.g. `relay-only`, `nat-symmetric`, `no-direct-path`. */
  readonly code: string
  readonly level: VerdictLevel
  readonly text: string
  /** What to do about it, in one line. */
  readonly fix?: string
  /** The project a path verdict is about. */
  readonly projectId?: string
}

export interface DoctorProject {
  readonly id: string
  readonly name: string
  readonly owner: string
  readonly ownerName?: string
  readonly own: boolean
  readonly status: string
}

export interface DoctorInput {
  readonly peerId: string
  /** This peer's full addresses (with /p2p/). */
  readonly addresses: readonly string[]
  readonly report: ReachabilityReport
  /** The TCP port peers should reach this peer on (the fix texts name it). */
  readonly tcpPort?: number
  readonly projects: readonly DoctorProject[]
  readonly pathTo: (peer: string) => DirectPath
  /** Whether this peer runs a private mesh (`--swarm-key`): its relay must hold the key too. */
  readonly swarmKey: boolean
}

export interface ProjectPath {
  readonly projectId: string
  readonly name: string
  readonly researcher: string
  readonly researcherName?: string
  readonly path: PathState
  readonly holePunchMs?: number
  readonly reason?: string
}

export interface DoctorReport {
  readonly peerId: string
  readonly addresses: readonly string[]
  readonly reachability: Reachability
  readonly confirmed: boolean
  readonly publicAddresses: ReachabilityReport['publicAddresses']
  readonly nat: NatBehaviour
  readonly upnp: ReachabilityReport['upnp']
  readonly reservations: ReachabilityReport['reservations']
  readonly relay: ReachabilityReport['relay']
  /** For each project of another peer: whether this peer has a direct path to its researcher. */
  readonly projects: ProjectPath[]
  /** Peers reached only through a relay with no direct path (volunteers of own projects among them). */
  readonly noDirectPath: Array<{ readonly peer: string, readonly reason?: string }>
  readonly verdicts: Verdict[]
  /** No verdict at the problem level. */
  readonly ok: boolean
}

const RELAY_HINT = 'run a relay with `mesh serve --relay` on a public host and start peers with --bootstrap <its address>'

function portText (port: number | undefined): string {
  return port == null ? 'this peer\'s TCP port (--listen /ip4/0.0.0.0/tcp/4001 fixes it)' : `TCP port ${port}`
}

function reachabilityVerdicts (input: DoctorInput): Verdict[] {
  const { report, tcpPort } = input
  const port = portText(tcpPort)
  const relays = report.reservations.map(r => r.relay.slice(-8)).join(', ')
  switch (report.reachability) {
    case 'direct': {
      const addresses = report.publicAddresses.filter(a => a.via !== 'upnp').map(a => a.address).join(', ')
      if (report.confirmed) return [{ code: 'reachable-direct', level: 'ok', text: `reachable directly at ${addresses} (confirmed by another peer)` }]
      return [{ code: 'public-unconfirmed', level: 'warn', text: `has the public address ${addresses}, but no other peer has confirmed it can dial it yet`, fix: `if peers cannot reach it, open ${port} in this machine's firewall` }]
    }
    case 'upnp': {
      const mapped = report.upnp.mapped.join(', ')
      return report.confirmed
        ? [{ code: 'reachable-upnp', level: 'ok', text: `reachable directly through the port the router mapped with UPnP (${mapped})` }]
        : [{ code: 'upnp-unconfirmed', level: 'warn', text: `the router mapped ${mapped} with UPnP, but no other peer has confirmed it can dial it yet`, fix: `if peers cannot reach it, forward ${port} on the router to this machine` }]
    }
    case 'relay':
      return [{ code: 'relay-only', level: 'warn', text: `not dialable directly (behind a NAT): reachable only through the relay ${relays}; hole punching makes direct connections where both NATs allow it`, fix: `to be reachable directly, open ${port} on your router (forward it to this machine)${report.upnp.enabled ? '' : ' or drop --no-upnp if the router offers UPnP'}` }]
    case 'unreachable':
      return [{ code: 'unreachable', level: 'problem', text: 'not reachable from outside its network: it has no public address, and no relay holds a reservation for it', fix: `open ${port} on your router or ${RELAY_HINT}` }]
  }
}

function natVerdicts (report: ReachabilityReport, tcpPort?: number): Verdict[] {
  const { nat } = report
  const port = portText(tcpPort)
  switch (nat.kind) {
    case 'symmetric':
      return [{ code: 'nat-symmetric', level: 'problem', text: `this peer's NAT is ${nat.text}`, fix: `forward ${port} on the router to this machine (or enable UPnP on it), or run this peer on a network without a symmetric NAT` }]
    case 'port-changing':
      return [{ code: 'nat-port-changing', level: 'warn', text: `this peer's NAT ${nat.text}`, fix: `forward ${port} on the router to this machine (or enable UPnP on it) to be sure peers behind other NATs reach it` }]
    case 'unknown':
      return report.reachability === 'direct' ? [] : [{ code: 'nat-unknown', level: 'info', text: `the NAT's behaviour is ${nat.text}`, fix: 'start this peer with --bootstrap <address of a public peer, e.g. a relay>' }]
    case 'none':
      return []
    default:
      return [{ code: 'nat-cone', level: 'ok', text: `this peer's NAT: ${nat.text}` }]
  }
}

function relayVerdicts (input: DoctorInput): Verdict[] {
  const { report, tcpPort } = input
  if (!report.relay.serving) return []
  if (report.reachability !== 'direct') {
    return [{ code: 'relay-not-public', level: 'problem', text: 'serves as a relay, but has no public address: peers behind NATs cannot reach it', fix: `run \`mesh serve --relay\` on a host with a public address, or forward ${portText(tcpPort)} to this one` }]
  }
  return [{ code: 'relay-serving', level: 'ok', text: `serves as a relay for the mesh${input.swarmKey ? ' (its swarm key keeps other meshes out)' : ''}: ${report.relay.reservations} reservation${report.relay.reservations === 1 ? '' : 's'} held` }]
}

function projectPaths (input: DoctorInput): ProjectPath[] {
  return input.projects
    .filter(p => !p.own && p.status !== 'done' && p.status !== 'failed')
    .map(p => {
      const path = input.pathTo(p.owner)
      return {
        projectId: p.id,
        name: p.name,
        researcher: p.owner,
        ...(p.ownerName != null ? { researcherName: p.ownerName } : {}),
        path: path.state,
        ...(path.holePunchMs != null ? { holePunchMs: path.holePunchMs } : {}),
        ...(path.reason != null ? { reason: path.reason } : {})
      }
    })
}

function pathVerdicts (paths: readonly ProjectPath[], input: DoctorInput): Verdict[] {
  const port = portText(input.tcpPort)
  return paths.map((p): Verdict => {
    const of = `the researcher of ${p.name} (${p.researcherName ?? p.researcher.slice(-8)})`
    switch (p.path) {
      case 'direct':
        return { code: 'direct-path', level: 'ok', projectId: p.projectId, text: `direct path to ${of}${p.holePunchMs != null ? ` (hole punched in ${Math.round(p.holePunchMs)} ms)` : ''}` }
      case 'punching':
        return { code: 'hole-punching', level: 'info', projectId: p.projectId, text: `reached ${of} through a relay; hole punching is under way` }
      case 'no-direct-path':
        return { code: 'no-direct-path', level: 'problem', projectId: p.projectId, text: `no direct path to ${of}: ${p.reason ?? 'hole punching did not get through'}; chunks never cross a relay, so this peer cannot volunteer for it`, fix: `open ${port} on your router (or have the researcher open theirs), or volunteer from a network without a symmetric NAT` }
      case 'not-connected':
        return { code: 'not-connected', level: 'info', projectId: p.projectId, text: `not connected to ${of} now${p.reason != null ? ` (last time: ${p.reason})` : ''}` }
    }
  })
}

export function diagnose (input: DoctorInput): DoctorReport {
  const { report } = input
  const projects = projectPaths(input)
  const ownerPaths = new Set(projects.map(p => p.researcher))
  const noDirectPath = report.paths.filter(p => p.state === 'no-direct-path').map(p => ({ peer: p.peer, ...(p.reason != null ? { reason: p.reason } : {}) }))
  const others = noDirectPath.filter(p => !ownerPaths.has(p.peer))
  const verdicts: Verdict[] = [
    ...reachabilityVerdicts(input),
    ...natVerdicts(report, input.tcpPort),
    ...relayVerdicts(input),
    ...(!report.upnp.enabled && report.reachability !== 'direct' ? [{ code: 'upnp-off', level: 'info' as const, text: 'UPnP port mapping is off (--no-upnp)' }] : []),
    ...pathVerdicts(projects, input),
    ...(others.length > 0
      ? [{ code: 'peers-without-direct-path', level: 'warn' as const, text: `${others.length} peer${others.length === 1 ? '' : 's'} reached only through a relay, with no direct path (${others.map(p => p.peer.slice(-8)).join(', ')}): they cannot exchange chunks with this peer`, fix: `open ${portText(input.tcpPort)} on your router, or have them open theirs` }]
      : [])
  ]
  return {
    peerId: input.peerId,
    addresses: input.addresses,
    reachability: report.reachability,
    confirmed: report.confirmed,
    publicAddresses: report.publicAddresses,
    nat: report.nat,
    upnp: report.upnp,
    reservations: report.reservations,
    relay: report.relay,
    projects,
    noDirectPath,
    verdicts,
    ok: verdicts.every(v => v.level !== 'problem')
  }
}
