import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { BridgeTarget, BridgeTargets } from '../../web/server/peer-bridge.ts'
import { isLoopback } from '../../web/server/page-server.ts'

/** How long the serving peer may take to dial a researcher it holds no outbound connection to. */
const DIAL_MS = 5_000

/**
 * Where the page's bridge may take a tab (web/server/peer-bridge.ts): this
 * peer's own TCP listener, and the researcher of a project announced on the
 * mesh, at an address this peer itself dialled and where the researcher
 * answered with its key. Anything else is refused, so a tab cannot use the
 * bridge to open TCP connections to arbitrary hosts of the LAN (an
 * announcement may name any address).
 */
export function meshBridgeTargets (libp2p: Libp2p, isResearcher: (peerId: string) => boolean): BridgeTargets {
  const self = libp2p.peerId.toString()
  return async (peerId: string) => {
    if (peerId === self) return ownListeners(libp2p.getMultiaddrs())
    if (!isResearcher(peerId)) return undefined
    const id = peerIdFromString(peerId)
    const proven = provenAddresses(libp2p.getConnections(id))
    if (proven.length > 0) return proven
    return provenAddresses([await dialAgain(libp2p, id)])
  }
}

/** This peer's direct TCP listeners, loopback first (the bridge runs on this machine). */
export function ownListeners (addresses: Multiaddr[]): BridgeTarget[] {
  const targets = addresses.map(directTcp).filter(target => target != null)
  return [...targets.filter(t => isLoopback(t.host)), ...targets.filter(t => !isLoopback(t.host))]
}

/** The TCP address each outbound direct connection reached: a listener where the peer proved its key. */
function provenAddresses (connections: Connection[]): BridgeTarget[] {
  return connections.filter(c => c.direction === 'outbound' && c.limits == null && c.status === 'open')
    .map(c => directTcp(c.remoteAddr)).filter(target => target != null)
}

/** A fresh outbound connection, even where the researcher's own (inbound) one exists. */
async function dialAgain (libp2p: Libp2p, peerId: PeerId): Promise<Connection> {
  return await libp2p.dial(peerId, { force: true, signal: AbortSignal.timeout(DIAL_MS) })
}

/** host and port of `/ip4|ip6/HOST/tcp/PORT[/p2p/ID]`; undefined for relayed, WebSocket or other addresses. */
export function directTcp (address: Multiaddr): BridgeTarget | undefined {
  const components = address.getComponents()
  const [ip, tcp, ...rest] = components
  if (ip == null || tcp == null || (ip.name !== 'ip4' && ip.name !== 'ip6') || tcp.name !== 'tcp') return undefined
  if (rest.some(c => c.name !== 'p2p')) return undefined
  const port = Number(tcp.value)
  return ip.value != null && port > 0 ? { host: ip.value, port } : undefined
}
