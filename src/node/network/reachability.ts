import { networkInterfaces } from 'node:os'
import { TypedEventEmitter, type ComponentLogger, type Connection, type IdentifyResult, type Libp2pEvents, type Logger, type PeerId, type PeerStore, type Startable, type TypedEventTarget } from '@libp2p/interface'
import { getNetConfig, isNetworkAddress, isPrivate } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { Circuit, TCP as TCPMatcher } from '@multiformats/multiaddr-matcher'
import { classifyNat, type NatBehaviour, type Observation } from './nat-behaviour.ts'
import { listenPort, type DialPorts } from './reuse-port-tcp.ts'
import { isRelayedConnection } from '../../protocols/direct-stream.ts'

/**
 * What this peer knows of its own reachability beyond its LAN, and of its
 * paths to other peers: its public addresses and whether AutoNAT or UPnP
 * confirmed them, how its NAT maps ports (nat-behaviour.ts), its relay
 * reservations, and for each peer reached through a relay whether hole
 * punching gave a direct connection. `mesh doctor` and the UI's Health
 * screen read its report; the node re-emits its events.
 *
 * It also decides on reservations: a peer with no public address listens on
 * `/p2p-circuit` (the circuit relay transport then reserves a slot on the
 * first relay it connects to), a relay or a peer with a public address does
 * not.
 */

/** How long a peer reached only through a relay may take to hole punch before it counts as having no direct path (DCUtR's three attempts). */
export const DEFAULT_PUNCH_TIMEOUT_MS = 15_000
const MAX_OBSERVATIONS = 32
const CIRCUIT_LISTEN = '/p2p-circuit'

export type PathState =
  /** A direct connection (hole punched, dialed, or on the LAN). */
  | 'direct'
  /** Only a relayed connection, and hole punching is still being tried. */
  | 'punching'
  /** Only a relayed connection, and hole punching did not get through. */
  | 'no-direct-path'
  /** No connection now. */
  | 'not-connected'

export interface DirectPath {
  readonly peer: string
  readonly state: PathState
  /** First contact through a relay to the direct connection (a hole punch). */
  readonly holePunchMs?: number
  /** Why there is no direct path, in words. */
  readonly reason?: string
  /** The remote address of the connection in use (direct, else relayed). */
  readonly address?: string
}

export type Reachability =
  /** Dialable at a public address of its own (AutoNAT or an inbound connection confirmed it, or not yet: see confirmed). */
  | 'direct'
  /** Dialable at a port its router mapped through UPnP. */
  | 'upnp'
  /** Not dialable, reachable through a relay reservation. */
  | 'relay'
  /** Not dialable, and no relay holds a reservation for it. */
  | 'unreachable'

export interface ReachabilityReport {
  readonly reachability: Reachability
  /** For 'direct' and 'upnp': whether another peer confirmed it (AutoNAT, or an inbound connection from a public address). */
  readonly confirmed: boolean
  /** The addresses this peer listens on (interfaces, relay circuits). */
  readonly listening: string[]
  /** Public addresses this peer has, how it has them, and whether they are confirmed. */
  readonly publicAddresses: ReadonlyArray<{ readonly address: string, readonly via: 'interface' | 'upnp' | 'announce', readonly confirmed: boolean }>
  readonly nat: NatBehaviour
  readonly upnp: { readonly enabled: boolean, readonly mapped: string[] }
  /** Relays this peer holds a reservation on. */
  readonly reservations: ReadonlyArray<{ readonly relay: string, readonly address: string }>
  /** Connected peers that offer to relay. */
  readonly relaysConnected: string[]
  /** Whether this peer serves as a relay (`--relay`), and how many reservations it holds for others. */
  readonly relay: { readonly serving: boolean, readonly reservations: number }
  /** Inbound direct connections from public addresses (proof of dialability). */
  readonly inboundFromPublic: number
  readonly paths: DirectPath[]
}

export interface ReachabilityEvents {
  'path:direct': CustomEvent<{ peer: string, holePunchMs?: number, address: string }>
  'path:none': CustomEvent<{ peer: string, reason: string }>
  'relay:reserved': CustomEvent<{ relay: string, address: string }>
  'relay:lost': CustomEvent<{ relay: string }>
}

export interface ReachabilityInit {
  /** Local ports of this peer's dials (reuse-port-tcp.ts). */
  readonly dialPorts?: DialPorts
  /** This peer serves as a relay; `reservationsServed` counts the reservations it holds. */
  readonly relayServing?: boolean
  readonly reservationsServed?: () => number
  /** Whether UPnP port mapping runs (`--no-upnp` turns it off). */
  readonly upnp?: boolean
  /** Keep a relay reservation when this peer has no public address; default true. */
  readonly reserve?: boolean
  readonly punchTimeoutMs?: number
}

interface AddressMetadata {
  readonly multiaddr: Multiaddr
  readonly verified: boolean
  readonly type: string
}

export interface ReachabilityComponents {
  peerId: PeerId
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  addressManager: { getAddresses(): Multiaddr[], getAddressesWithMetadata(): AddressMetadata[] }
  transportManager: { getAddrs(): Multiaddr[], listen(addrs: Multiaddr[]): Promise<void> }
  connectionManager: { getConnections(peer?: PeerId): Connection[] }
}

interface PeerPath {
  relayedAt?: number
  holePunchMs?: number
  failed?: string
  timer?: ReturnType<typeof setTimeout>
}

const HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

const isRelayed = isRelayedConnection

function hostOf (address: Multiaddr): string | undefined {
  return isNetworkAddress(address) ? getNetConfig(address).host : undefined
}

function isPublic (address: Multiaddr): boolean {
  return isNetworkAddress(address) && isPrivate(address) !== true && !Circuit.matches(address)
}

/** The IPs of this machine's interfaces. */
function interfaceHosts (): string[] {
  return Object.values(networkInterfaces()).flatMap(list => list ?? []).map(info => info.address)
}

export class ReachabilityService extends TypedEventEmitter<ReachabilityEvents> implements Startable {
  readonly [Symbol.toStringTag] = '@mesh/reachability'
  private readonly log: Logger
  private readonly observations = new Map<string, Observation>()
  private readonly peers = new Map<string, PeerPath>()
  private reserved = new Map<string, string>()
  /** Peers seen offering the relay (hop) protocol. */
  private readonly relayPeers = new Set<string>()
  private inboundFromPublic = 0
  private reservationDecided = false
  private started = false
  private readonly punchTimeoutMs: number

  constructor (private readonly components: ReachabilityComponents, private readonly init: ReachabilityInit = {}) {
    super()
    this.log = components.logger.forComponent('mesh:reachability')
    this.punchTimeoutMs = init.punchTimeoutMs ?? DEFAULT_PUNCH_TIMEOUT_MS
  }

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    for (const [type, listener] of this.listeners()) this.components.events.addEventListener(type, listener)
    this.started = true
  }

  /** The libp2p events this service follows: subscribed at start, dropped at stop. */
  private listeners (): Array<[keyof Libp2pEvents, (event: CustomEvent<any>) => void]> {
    return [
      ['peer:identify', this.onIdentify],
      ['connection:open', this.onOpen],
      ['connection:close', this.onClose],
      ['self:peer:update', this.onSelfUpdate],
      ['transport:listening', this.onListening]
    ]
  }

  /**
   * Once TCP listens (libp2p starts its transports beside the services), a
   * peer without a public address listens on /p2p-circuit too, which makes
   * the circuit relay transport reserve a slot on a relay.
   */
  private readonly onListening = (): void => {
    if (this.reservationDecided || !this.components.transportManager.getAddrs().some(a => TCPMatcher.exactMatch(a) && isNetworkAddress(a))) return
    this.reservationDecided = true
    if (!this.wantsReservation()) return
    this.components.transportManager.listen([multiaddr(CIRCUIT_LISTEN)]).catch((err: Error) => {
      this.log.error('cannot listen for relayed connections - %e', err)
    })
  }

  stop (): void {
    for (const [type, listener] of this.listeners()) this.components.events.removeEventListener(type, listener)
    for (const path of this.peers.values()) clearTimeout(path.timer)
    this.started = false
  }

  /** Whether this peer has an address of its own on a public network (an interface, or one it announces). */
  hasPublicAddress (): boolean {
    return this.components.transportManager.getAddrs().some(isPublic) || this.components.addressManager.getAddressesWithMetadata().some(a => a.type === 'announce' && isPublic(a.multiaddr))
  }

  /** A peer without a public address, that is no relay, keeps a reservation. */
  wantsReservation (): boolean {
    return this.init.reserve !== false && this.init.relayServing !== true && !this.hasPublicAddress()
  }

  /** Whether this peer would use a relay it does not have yet (for the DHT relay lookup). */
  wantsRelay (): boolean {
    return this.wantsReservation() && this.reservations().length === 0
  }

  /**
   * The public addresses hole punching should try for this peer, besides
   * those libp2p verified: what public peers observed (behind a port
   * preserving NAT, the router's address with this peer's listen port).
   */
  predictedAddresses (): Multiaddr[] {
    const known = new Set(this.components.addressManager.getAddresses().map(a => a.toString()))
    const newest = [...this.observations.values()].sort((a, b) => b.at - a.at)
    const addresses: Multiaddr[] = []
    for (const o of newest) {
      // A connection that could not leave from the listen port (its tuple was still in TIME_WAIT) says, through
      // a NAT that kept its port, that the listen port maps to itself too: hole punching dials from there.
      const family = o.observedHost.includes(':') ? 'ip6' : 'ip4'
      const listening = listenPort(this.components.transportManager, family)
      const port = o.localPort != null && o.observedPort === o.localPort && listening != null ? listening : o.observedPort
      const address = multiaddr(`/${family}/${o.observedHost}/tcp/${port}/p2p/${this.components.peerId}`)
      if (!known.has(address.toString()) && !addresses.some(a => a.equals(address))) addresses.push(address)
    }
    return addresses.slice(0, 4)
  }

  natBehaviour (): NatBehaviour {
    const own = [...interfaceHosts(), ...this.components.transportManager.getAddrs().map(hostOf).filter(h => h != null)]
    return classifyNat([...this.observations.values()], own)
  }

  reservations (): Array<{ relay: string, address: string }> {
    return [...this.reserved].map(([relay, address]) => ({ relay, address }))
  }

  path (peer: PeerId | string): DirectPath {
    const id = peer.toString()
    const connections = this.components.connectionManager.getConnections().filter(c => c.remotePeer.toString() === id && c.status === 'open')
    const direct = connections.find(c => !isRelayed(c))
    const known = this.peers.get(id)
    const punched = known?.holePunchMs != null ? { holePunchMs: known.holePunchMs } : {}
    if (direct != null) return { peer: id, state: 'direct', address: direct.remoteAddr.toString(), ...punched }
    const relayed = connections.find(isRelayed)
    if (relayed == null) return { peer: id, state: 'not-connected', ...(known?.failed != null ? { reason: known.failed } : {}) }
    if (known?.failed != null) return { peer: id, state: 'no-direct-path', reason: known.failed, address: relayed.remoteAddr.toString() }
    return { peer: id, state: 'punching', address: relayed.remoteAddr.toString() }
  }

  /** Every peer this peer reached through a relay, with its path now. */
  paths (): DirectPath[] {
    return [...this.peers.keys()].map(peer => this.path(peer))
  }

  report (): ReachabilityReport {
    const metadata = this.components.addressManager.getAddressesWithMetadata()
    const listening = this.components.transportManager.getAddrs()
    const publicAddresses: Array<ReachabilityReport['publicAddresses'][number]> = []
    for (const address of metadata) {
      if (!isPublic(address.multiaddr) || (address.type !== 'transport' && address.type !== 'ip-mapping' && address.type !== 'announce')) continue
      const via = address.type === 'transport' ? 'interface' : address.type === 'ip-mapping' ? 'upnp' : 'announce'
      const text = address.multiaddr.toString()
      if (!publicAddresses.some(a => a.address === text)) publicAddresses.push({ address: text, via, confirmed: address.verified || (via === 'interface' && this.inboundFromPublic > 0) })
    }
    const reservations = this.reservations()
    const interfaces = publicAddresses.filter(a => a.via !== 'upnp')
    const mapped = publicAddresses.filter(a => a.via === 'upnp')
    let reachability: Reachability = 'unreachable'
    let confirmed = false
    if (interfaces.length > 0) {
      reachability = 'direct'
      confirmed = interfaces.some(a => a.confirmed)
    } else if (mapped.length > 0) {
      reachability = 'upnp'
      confirmed = mapped.some(a => a.confirmed)
    } else if (reservations.length > 0) {
      reachability = 'relay'
    }
    const relaysConnected = [...new Set(this.components.connectionManager.getConnections().filter(c => !isRelayed(c)).map(c => c.remotePeer.toString()))]
      .filter(peer => this.relayPeers.has(peer))
    return {
      reachability,
      confirmed,
      listening: listening.map(a => a.toString()),
      publicAddresses,
      nat: this.natBehaviour(),
      upnp: { enabled: this.init.upnp === true, mapped: mapped.map(a => a.address) },
      reservations,
      relaysConnected,
      relay: { serving: this.init.relayServing === true, reservations: this.init.reservationsServed?.() ?? 0 },
      inboundFromPublic: this.inboundFromPublic,
      paths: this.paths()
    }
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { connection, observedAddr, protocols, peerId } = event.detail
    if (protocols.includes(HOP_PROTOCOL)) this.relayPeers.add(peerId.toString())
    if (observedAddr == null || isRelayed(connection) || connection.direction !== 'outbound') return
    if (!TCPMatcher.exactMatch(observedAddr) || !isPublic(observedAddr) || !isPublic(connection.remoteAddr)) return
    const observer = getNetConfig(connection.remoteAddr)
    const observed = getNetConfig(observedAddr)
    if (observed.port == null || observer.port == null) return
    const localPort = this.init.dialPorts?.localPortTo(observer.host, observer.port)
    this.observations.set(peerId.toString(), {
      observer: peerId.toString(),
      observerHost: observer.host,
      observedHost: observed.host,
      observedPort: observed.port,
      ...(localPort != null ? { localPort } : {}),
      at: Date.now()
    })
    while (this.observations.size > MAX_OBSERVATIONS) this.observations.delete(this.observations.keys().next().value!)
  }

  private readonly onOpen = (event: CustomEvent<Connection>): void => {
    const connection = event.detail
    const id = connection.remotePeer.toString()
    if (isRelayed(connection)) {
      const hasDirect = this.components.connectionManager.getConnections(connection.remotePeer).some(c => c.status === 'open' && !isRelayed(c))
      if (hasDirect) return
      const path = this.peers.get(id) ?? {}
      if (path.relayedAt == null || path.failed != null) {
        clearTimeout(path.timer)
        path.relayedAt = Date.now()
        path.failed = undefined
        path.timer = setTimeout(() => { this.punchTimedOut(id) }, this.punchTimeoutMs)
        path.timer.unref?.()
      }
      this.peers.set(id, path)
      return
    }
    if (connection.direction === 'inbound' && isPublic(connection.remoteAddr) && !this.peers.has(id)) this.inboundFromPublic++
    const path = this.peers.get(id)
    if (path == null || path.relayedAt == null) return
    clearTimeout(path.timer)
    const holePunchMs = Date.now() - path.relayedAt
    path.holePunchMs = holePunchMs
    path.relayedAt = undefined
    path.failed = undefined
    this.log('direct connection to %s %dms after first contact through a relay', id, holePunchMs)
    this.safeDispatchEvent('path:direct', { detail: { peer: id, holePunchMs, address: connection.remoteAddr.toString() } })
  }

  private readonly onClose = (event: CustomEvent<Connection>): void => {
    const id = event.detail.remotePeer.toString()
    const path = this.peers.get(id)
    if (path == null) return
    const open = this.components.connectionManager.getConnections(event.detail.remotePeer).filter(c => c.status === 'open' && c.id !== event.detail.id)
    if (open.length > 0) return
    clearTimeout(path.timer)
    path.relayedAt = undefined
  }

  private punchTimedOut (peer: string): void {
    const path = this.peers.get(peer)
    if (path == null || path.relayedAt == null) return
    if (this.path(peer).state !== 'punching') return
    const nat = this.natBehaviour()
    const reason = nat.holePunching === false
      ? `hole punching through the relay failed: this peer's NAT is ${nat.kind} (${nat.text})`
      : 'hole punching through the relay failed: the other side\'s NAT does not let it through (probably symmetric), or a firewall drops it'
    path.failed = reason
    this.log('no direct path to %s: %s', peer, reason)
    this.safeDispatchEvent('path:none', { detail: { peer, reason } })
  }

  private readonly onSelfUpdate = (): void => {
    const now = new Map<string, string>()
    for (const address of this.components.transportManager.getAddrs()) {
      if (!Circuit.matches(address)) continue
      const relay = address.toString().split('/p2p-circuit')[0].split('/p2p/').pop()
      if (relay != null && relay !== '' && !now.has(relay)) now.set(relay, address.toString())
    }
    for (const [relay, address] of now) {
      this.relayPeers.add(relay)
      if (!this.reserved.has(relay)) this.safeDispatchEvent('relay:reserved', { detail: { relay, address } })
    }
    for (const relay of this.reserved.keys()) {
      if (!now.has(relay)) this.safeDispatchEvent('relay:lost', { detail: { relay } })
    }
    this.reserved = now
  }
}

export function reachability (init: ReachabilityInit = {}): (components: ReachabilityComponents) => ReachabilityService {
  return (components) => new ReachabilityService(components, init)
}
