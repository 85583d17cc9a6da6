import type { Libp2p, Logger, PeerId, PeerInfo } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export const DEFAULT_DIAL_TIMEOUT_MS = 10_000

/**
 * libp2p 3 does not dial the peers its discovery finds, so without this two
 * mDNS peers see each other and never connect. Dials each discovered peer
 * once at a time; failures (another swarm key, a stale address) are logged.
 */
export class DiscoveryDialer {
  private readonly dialing = new Set<string>()
  private readonly controller = new AbortController()

  constructor (private readonly libp2p: Libp2p, private readonly log: Logger, private readonly dialTimeoutMs = DEFAULT_DIAL_TIMEOUT_MS) {}

  start (): void {
    this.libp2p.addEventListener('peer:discovery', this.onDiscovery)
  }

  stop (): void {
    this.libp2p.removeEventListener('peer:discovery', this.onDiscovery)
    this.controller.abort()
  }

  /** Dials a peer unless it is this node, already connected, or being dialed. */
  dial (peerId: PeerId, addresses: Multiaddr[] = []): void {
    const id = peerId.toString()
    if (peerId.equals(this.libp2p.peerId) || this.dialing.has(id) || this.controller.signal.aborted) return
    if (this.libp2p.getConnections(peerId).length > 0) return
    this.dialing.add(id)
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.dialTimeoutMs)])
    const known = addresses.length > 0 ? this.libp2p.peerStore.merge(peerId, { multiaddrs: addresses }) : Promise.resolve()
    known.then(async () => await this.libp2p.dial(peerId, { signal }))
      .then(() => { this.log('connected to discovered peer %s', id) })
      .catch((err: Error) => { this.log('could not dial discovered peer %s: %s', id, err.message) })
      .finally(() => { this.dialing.delete(id) })
  }

  private readonly onDiscovery = (event: CustomEvent<PeerInfo>): void => {
    this.dial(event.detail.id)
  }
}
