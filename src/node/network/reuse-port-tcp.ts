import net from 'node:net'
import { tcp, type TCPComponents, type TCPOptions } from '@libp2p/tcp'
import { getNetConfig, isNetworkAddress, isPrivate } from '@libp2p/utils'
import { TCP as TCPMatcher } from '@multiformats/multiaddr-matcher'
import type { Transport } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * TCP whose outgoing connections leave from the port this peer listens on.
 *
 * Hole punching over TCP needs it: a NAT maps the listen port once (the
 * relay sees `router:4001` when this peer listens on 4001 behind a
 * port-preserving NAT), and the simultaneous dial of DCUtR then goes out
 * through the same mapping, so each side's SYN matches the other's. It also
 * makes the addresses other peers observe comparable, which is how this
 * peer learns how its NAT maps ports (reachability.ts).
 *
 * Node.js has no SO_REUSEPORT for client sockets (js-libp2p issue 2620), but
 * its TCP handle binds with libuv's UV_TCP_REUSEPORT, as `server.listen({
 * reusePort })` does since Node 22.12: the listener is opened that way, and
 * each dial gets a handle bound to the listen port before it connects. When
 * that bind or connect is refused (the same remote already connected from
 * that port, a TIME_WAIT tuple, no listener yet), the dial leaves from an
 * ephemeral port as plain TCP does. Dials to private addresses always do.
 */

interface TcpWrapBinding {
  TCP: new (type: number) => TcpHandle
  constants: { SOCKET: number, UV_TCP_REUSEPORT: number }
}

interface TcpHandle {
  bind (address: string, port: number, flags?: number): number
  bind6 (address: string, port: number, flags?: number): number
  close (): void
}

/** Errors of the reuse-port attempt after which the dial is retried from an ephemeral port. */
const LOCAL_CONFLICTS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EINVAL'])

function tcpWrap (): TcpWrapBinding | undefined {
  try {
    const binding = (process as unknown as { binding: (name: string) => TcpWrapBinding }).binding('tcp_wrap')
    return typeof binding.constants?.UV_TCP_REUSEPORT === 'number' ? binding : undefined
  } catch {
    return undefined
  }
}

const binding = process.platform === 'win32' ? undefined : tcpWrap()

/** Whether this platform lets dials leave from the listen port (Linux, macOS, the BSDs). */
export const reusePortSupported = binding != null

interface ConnectingTransport {
  _connect (ma: Multiaddr, options: Record<string, unknown>): Promise<net.Socket>
  dial (ma: Multiaddr, options: Record<string, any>): Promise<unknown>
}

/**
 * A dial with `initiator: false` (DCUtR's side B) meets the other side's dial
 * in one TCP simultaneous open and answers its handshakes: the upgrader
 * does so for the security and multistream-select roles, but the muxer takes
 * its role from the connection's direction, so the connection is marked
 * inbound before it is upgraded (else yamux sees two clients).
 */
function asResponder (upgrader: any): unknown {
  return new Proxy(upgrader, {
    get: (target, prop) => {
      if (prop === 'upgradeOutbound') {
        return async (maConn: { direction: string }, options: unknown) => {
          maConn.direction = 'inbound'
          return await target.upgradeOutbound(maConn, options)
        }
      }
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** What the dialer reads of libp2p's transport manager: the addresses it listens on. */
export interface ListeningAddresses {
  getAddrs (): Multiaddr[]
}

export interface ReusePortComponents extends TCPComponents {
  transportManager: ListeningAddresses
}

/** Most dials remembered by DialPorts. */
const MAX_REMEMBERED_DIALS = 256

/**
 * Which local port each recent dial left from, by remote `ip:port`: an
 * address a peer observes for us says something about our NAT only when we
 * know the port it was mapped from.
 */
export class DialPorts {
  private readonly ports = new Map<string, number>()

  note (remoteHost: string, remotePort: number, localPort: number): void {
    const key = `${remoteHost}:${remotePort}`
    this.ports.delete(key)
    this.ports.set(key, localPort)
    if (this.ports.size > MAX_REMEMBERED_DIALS) this.ports.delete(this.ports.keys().next().value!)
  }

  localPortTo (remoteHost: string, remotePort: number): number | undefined {
    return this.ports.get(`${remoteHost}:${remotePort}`)
  }
}

export interface ReusePortTcpInit extends TCPOptions {
  /** Where the local port of each dial is noted. */
  readonly dialPorts?: DialPorts
}

/** `tcp(init)` with its listener opened with SO_REUSEPORT and dials leaving from the listen port. */
export function reusePortTcp ({ dialPorts, ...init }: ReusePortTcpInit = {}): (components: ReusePortComponents) => Transport {
  const base = tcp({ ...init, listenOpts: { ...init.listenOpts, ...(binding != null ? { reusePort: true } : {}) } as TCPOptions['listenOpts'] })
  return (components) => {
    const transport = base(components)
    const connecting = transport as unknown as ConnectingTransport
    const plainDial = connecting.dial.bind(transport)
    connecting.dial = async (ma, options) => await plainDial(ma, options.initiator === false ? { ...options, upgrader: asResponder(options.upgrader) } : options)
    if (binding == null) return transport
    const plain = connecting._connect.bind(transport)
    const connect = async (ma: Multiaddr, options: Record<string, unknown>): Promise<net.Socket> => {
      const handle = boundHandle(binding, ma, components.transportManager)
      if (handle == null) return await plain(ma, options)
      try {
        return await plain(ma, { ...options, handle, manualStart: true })
      } catch (err: any) {
        if (!LOCAL_CONFLICTS.has(err?.code)) throw err
        return await plain(ma, options)
      }
    }
    connecting._connect = async (ma, options) => {
      const socket = await connect(ma, options)
      if (socket.remoteAddress != null && socket.remotePort != null && socket.localPort != null) dialPorts?.note(socket.remoteAddress, socket.remotePort, socket.localPort)
      return socket
    }
    return transport
  }
}

/**
 * A TCP handle bound (SO_REUSEPORT) to this peer's listen port of the family
 * of `ma`; undefined when there is none, or `ma` is a private address: on a
 * LAN nothing needs the mapping, and two peers that dial each other at the
 * same moment from their listen ports would meet in one TCP simultaneous
 * open with both sides the initiator.
 */
function boundHandle (binding: TcpWrapBinding, ma: Multiaddr, transports: ListeningAddresses): TcpHandle | undefined {
  if (!TCPMatcher.exactMatch(ma) || !isNetworkAddress(ma) || isPrivate(ma) === true) return undefined
  const family = getNetConfig(ma).type
  if (family !== 'ip4' && family !== 'ip6') return undefined
  const port = listenPort(transports, family)
  if (port == null) return undefined
  const handle = new binding.TCP(binding.constants.SOCKET)
  const flags = binding.constants.UV_TCP_REUSEPORT
  const failed = family === 'ip4' ? handle.bind('0.0.0.0', port, flags) : handle.bind6('::', port, flags)
  if (failed !== 0) {
    handle.close()
    return undefined
  }
  return handle
}

/** The port of this peer's first TCP listener of a family. */
export function listenPort (transports: ListeningAddresses, family: 'ip4' | 'ip6'): number | undefined {
  for (const address of transports.getAddrs()) {
    if (!TCPMatcher.exactMatch(address) || !isNetworkAddress(address)) continue
    const config = getNetConfig(address)
    if (config.type === family && config.port != null && config.port > 0) return config.port
  }
  return undefined
}
