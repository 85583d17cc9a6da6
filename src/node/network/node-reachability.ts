import type { Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { getNetConfig, isNetworkAddress } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { TCP as TCPMatcher } from '@multiformats/multiaddr-matcher'
import { diagnose, type DoctorProject, type DoctorReport } from '../doctor/doctor.ts'
import { RelayRendezvous } from './relay.ts'
import type { MeshLibp2p } from './libp2p.ts'
import type { DirectPath, ReachabilityReport } from './reachability.ts'
import type { MeshEvents } from '../types.ts'

type Emit = <K extends keyof MeshEvents>(type: K, detail: MeshEvents[K]) => void

export interface NodeReachabilityInit {
  /** This peer serves as a relay (`--relay`). */
  readonly serving: boolean
  readonly swarmKey: boolean
  /** Dials a peer (the discovery dialer). */
  readonly dial: (peer: PeerId, addresses: Multiaddr[]) => void
  readonly emit: Emit
  readonly log: Logger
}

/**
 * The node's side of reachability.ts: its events as the node's, the relay
 * key in the DHT (relay.ts), and `mesh doctor`'s report.
 */
export class NodeReachability {
  private readonly rendezvous: RelayRendezvous
  private readonly forwards: Array<[string, (event: CustomEvent<any>) => void]>

  constructor (private readonly libp2p: MeshLibp2p<any>, private readonly init: NodeReachabilityInit) {
    const service = libp2p.services.reachability
    this.rendezvous = new RelayRendezvous(libp2p, init.log, {
      serving: init.serving,
      wantsRelay: () => service.wantsRelay(),
      dial: init.dial
    })
    const forward = <K extends 'path:direct' | 'path:none' | 'relay:reserved' | 'relay:lost'>(type: K): [string, (event: CustomEvent<MeshEvents[K]>) => void] =>
      [type, (event) => { init.emit(type, event.detail) }]
    this.forwards = [forward('path:direct'), forward('path:none'), forward('relay:reserved'), forward('relay:lost')]
  }

  start (): void {
    for (const [type, listener] of this.forwards) this.libp2p.services.reachability.addEventListener(type as any, listener)
    this.rendezvous.start()
  }

  async stop (): Promise<void> {
    for (const [type, listener] of this.forwards) this.libp2p.services.reachability.removeEventListener(type as any, listener)
    await this.rendezvous.stop()
  }

  path (peer: PeerId | string): DirectPath {
    return this.libp2p.services.reachability.path(peer)
  }

  report (): ReachabilityReport {
    return this.libp2p.services.reachability.report()
  }

  doctor (projects: readonly DoctorProject[], addresses: readonly string[]): DoctorReport {
    const report = this.report()
    const port = tcpPortOf(report.listening)
    return diagnose({
      peerId: this.libp2p.peerId.toString(),
      addresses,
      report,
      ...(port != null ? { tcpPort: port } : {}),
      projects,
      pathTo: peer => this.path(peer),
      swarmKey: this.init.swarmKey
    })
  }
}

/** The port of the first TCP address listened on (not loopback's alone: every interface listens on it). */
function tcpPortOf (listening: readonly string[]): number | undefined {
  for (const text of listening) {
    const address = multiaddr(text)
    if (!TCPMatcher.exactMatch(address) || !isNetworkAddress(address)) continue
    const port = getNetConfig(address).port
    if (port != null && port > 0) return port
  }
  return undefined
}
