import { Circuit } from '@multiformats/multiaddr-matcher'
import type { AbortOptions, Connection, PeerId, Stream } from '@libp2p/interface'

/**
 * Chunks and blobs move over direct connections only (DESIGN.md section
 * 14): a relayed connection is for signalling, and its relay's limits (128
 * KiB, 2 minutes by default) would cut a transfer off anyway. libp2p 3 marks
 * connections through a limiting relay with `limits` and refuses streams on
 * them unless a protocol opts in; a relay without limits gives a connection
 * that is still relayed (its address has /p2p-circuit), so both are checked.
 */

export class RelayedConnectionError extends Error {
  static readonly NAME = 'RelayedConnectionError'
  override readonly name = RelayedConnectionError.NAME

  constructor (readonly peer: string, protocol: string) {
    super(`only a relayed connection to ${peer}: ${protocol} needs a direct connection (chunks and blobs never cross a relay)`)
  }
}

/** Whether a connection goes through a relay. */
export function isRelayedConnection (connection: Pick<Connection, 'limits' | 'remoteAddr'>): boolean {
  return connection.limits != null || Circuit.matches(connection.remoteAddr)
}

export interface DirectStreamConnections {
  getConnections (peer?: PeerId): Connection[]
  openConnection (peer: PeerId, options?: AbortOptions): Promise<Connection>
}

/**
 * A stream of `protocol` to `peer` over a direct connection: an open one, or
 * a new dial. With only a relayed connection open it fails at once rather
 * than dial (which would open another relayed connection and another round
 * of hole punching); hole punching, if it can, replaces that connection.
 */
export async function openDirectStream (connections: DirectStreamConnections, peer: PeerId, protocol: string, options: AbortOptions = {}): Promise<Stream> {
  const open = connections.getConnections(peer).filter(c => c.status === 'open')
  let connection = open.find(c => !isRelayedConnection(c))
  if (connection == null) {
    if (open.length > 0) throw new RelayedConnectionError(peer.toString(), protocol)
    connection = await connections.openConnection(peer, options)
    if (isRelayedConnection(connection)) throw new RelayedConnectionError(peer.toString(), protocol)
  }
  return await connection.newStream(protocol, { ...options, runOnLimitedConnection: false })
}
