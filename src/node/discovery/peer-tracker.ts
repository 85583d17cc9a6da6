import type { Libp2p, PeerId, IdentifyResult } from '@libp2p/interface'
import type { PeerSummary } from '../types.ts'
import { nameFromAgentVersion } from '../network/libp2p.ts'

export const DEFAULT_MAX_TRACKED_PEERS = 1000

interface TrackedPeer {
  id: string
  name?: string
  addresses: string[]
  connected: boolean
  lastSeen: number
}

export interface PeerTrackerInit {
  readonly maxPeers?: number
  readonly onJoined?: (peer: PeerSummary) => void
  readonly onLeft?: (peer: PeerSummary) => void
}

/**
 * Which peers this node knows: connected ones and recently seen ones, with
 * their display names (from identify) and addresses. Bounded: the longest
 * disconnected peers are forgotten first.
 */
export class PeerTracker {
  private readonly peers = new Map<string, TrackedPeer>()
  private readonly maxPeers: number

  constructor (private readonly libp2p: Libp2p, private readonly init: PeerTrackerInit = {}) {
    this.maxPeers = init.maxPeers ?? DEFAULT_MAX_TRACKED_PEERS
  }

  start (): void {
    this.libp2p.addEventListener('peer:connect', this.onConnect)
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.libp2p.addEventListener('peer:identify', this.onIdentify)
  }

  stop (): void {
    this.libp2p.removeEventListener('peer:connect', this.onConnect)
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    this.libp2p.removeEventListener('peer:identify', this.onIdentify)
  }

  /** A name learned elsewhere (an owner's announcement). */
  noteName (peerId: string, name: string): void {
    const peer = this.peers.get(peerId)
    if (peer != null) peer.name = name
  }

  nameOf (peerId: string): string | undefined {
    return this.peers.get(peerId)?.name
  }

  isConnected (peerId: string): boolean {
    return this.peers.get(peerId)?.connected === true
  }

  list (): PeerSummary[] {
    return [...this.peers.values()].map(peer => this.summarize(peer))
  }

  private summarize (peer: TrackedPeer): PeerSummary {
    const connections = this.libp2p.getConnections().filter(c => c.remotePeer.toString() === peer.id)
    const rtts = connections.map(c => c.rtt).filter((rtt): rtt is number => rtt != null)
    return {
      id: peer.id,
      ...(peer.name != null ? { name: peer.name } : {}),
      addresses: connections.length > 0 ? connections.map(c => c.remoteAddr.toString()) : peer.addresses,
      connected: peer.connected,
      lastSeen: peer.connected ? Date.now() : peer.lastSeen,
      ...(rtts.length > 0 ? { rttMs: Math.min(...rtts) } : {})
    }
  }

  private touch (peerId: PeerId): TrackedPeer {
    const id = peerId.toString()
    let peer = this.peers.get(id)
    if (peer == null) {
      peer = { id, addresses: [], connected: false, lastSeen: Date.now() }
      this.peers.set(id, peer)
      this.forgetOldest()
    }
    return peer
  }

  private forgetOldest (): void {
    while (this.peers.size > this.maxPeers) {
      let oldest: TrackedPeer | undefined
      for (const peer of this.peers.values()) {
        if (!peer.connected && (oldest == null || peer.lastSeen < oldest.lastSeen)) oldest = peer
      }
      if (oldest == null) return
      this.peers.delete(oldest.id)
    }
  }

  private readonly onConnect = (event: CustomEvent<PeerId>): void => {
    const peer = this.touch(event.detail)
    peer.connected = true
    peer.lastSeen = Date.now()
    peer.addresses = this.libp2p.getConnections(event.detail).map(c => c.remoteAddr.toString())
    this.init.onJoined?.(this.summarize(peer))
  }

  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => {
    const peer = this.peers.get(event.detail.toString())
    if (peer == null) return
    peer.connected = false
    peer.lastSeen = Date.now()
    this.init.onLeft?.(this.summarize(peer))
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const name = event.detail.agentVersion == null ? undefined : nameFromAgentVersion(event.detail.agentVersion)
    if (name == null) return
    this.touch(event.detail.peerId).name = name
  }
}
