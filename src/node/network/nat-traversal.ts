import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { uPnPNAT } from '@libp2p/upnp-nat'
import type { Transport } from '@libp2p/interface'
import { isMultiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { reachability, ReachabilityService, type ReachabilityInit } from './reachability.ts'
import { relayServerInit, type RelayLimits } from './relay.ts'
import { DialPorts, reusePortTcp } from './reuse-port-tcp.ts'

/**
 * The libp2p parts that take a mesh past one LAN (DESIGN.md section 14):
 * TCP dials from the listen port (reuse-port-tcp.ts), the circuit relay v2
 * transport (reservations, relayed dials), DCUtR hole punching, AutoNAT,
 * UPnP port mapping, the relay server for `--relay`, and this peer's
 * reachability (reachability.ts). libp2p.ts adds them to the node.
 */

export interface NatTraversalOptions {
  /** Serve circuit relay v2 for the mesh, with these limits (libp2p's defaults where unset). */
  readonly relay?: RelayLimits
  /** Map the listen port on the router with UPnP/NAT-PMP; default off here (the CLI turns it on unless `--no-upnp`). */
  readonly upnp?: boolean
  /** After this long through a relay without a direct connection, a peer has no direct path. */
  readonly punchTimeoutMs?: number
}

/** DCUtR: each attempt's time limit, and attempts. */
export const HOLE_PUNCH_ATTEMPT_MS = 4_000
export const HOLE_PUNCH_ATTEMPTS = 3

type Factory = (components: any) => unknown

/**
 * The components a service sees, with some replaced. libp2p hands every
 * service the same components object (a Proxy); this wraps it.
 */
function withComponents (factory: Factory, replace: (components: any) => Record<string, unknown>): Factory {
  return (components) => {
    const replaced = replace(components)
    return factory(new Proxy(components, {
      get: (target, prop) => typeof prop === 'string' && Object.hasOwn(replaced, prop) ? replaced[prop] : Reflect.get(target, prop)
    }))
  }
}

/** The address manager as DCUtR sees it: also the addresses public peers observed for this peer, which libp2p leaves unverified for TCP. */
function withPredictedAddresses (addressManager: any, predicted: () => Multiaddr[]): unknown {
  return new Proxy(addressManager, {
    get: (target, prop) => {
      if (prop === 'getAddresses') return () => [...target.getAddresses(), ...predicted()]
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/**
 * AutoNAT v1's server dials the address a peer asks it to verify with
 * `openConnection`, which answers with the connection it already has to that
 * peer when the address matches (it does here: dials leave from the listen
 * port), and then closes it: the asking peer loses its connection, and no
 * dial back was tried. Its dials of one address are forced to be new ones.
 */
function withFreshDialBack (connectionManager: any): unknown {
  return new Proxy(connectionManager, {
    get: (target, prop) => {
      if (prop === 'openConnection') {
        return async (peer: unknown, options: Record<string, unknown> = {}) => await target.openConnection(peer, isMultiaddr(peer) ? { ...options, force: true } : options)
      }
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/**
 * DCUtR's side B dials with `initiator: false` so that, when both SYNs meet
 * in one TCP simultaneous open, B answers the security handshake A starts.
 * libp2p's dial queue drops that option on the way to the upgrader (both
 * sides then start a Noise handshake and it fails), so such dials go to the
 * transports directly: every address at once, the first connection wins.
 * The connection manager still learns of the connection from its open event.
 */
function withResponderDials (connectionManager: any, transportManager: any): unknown {
  return new Proxy(connectionManager, {
    get: (target, prop) => {
      if (prop === 'openConnection') {
        return async (peer: unknown, options: Record<string, any> = {}) => {
          if (options.initiator !== false) return await target.openConnection(peer, options)
          const addresses: Multiaddr[] = Array.isArray(peer) ? peer : [peer as Multiaddr]
          // The caller's signal (DCUtR's attempt timeout) only bounds the dial: a connection keeps the signal it was dialed with.
          const attempts = addresses.map(() => new AbortController())
          const stopAll = (): void => { attempts.forEach(attempt => { attempt.abort(options.signal?.reason) }) }
          options.signal?.addEventListener('abort', stopAll, { once: true })
          try {
            return await Promise.any(addresses.map(async (address, i) => {
              const connection = await transportManager.dial(address, { ...options, signal: attempts[i].signal })
              attempts.forEach((attempt, j) => { if (j !== i) attempt.abort() })
              return connection
            }))
          } catch (err: any) {
            throw err instanceof AggregateError ? err.errors[0] : err
          } finally {
            options.signal?.removeEventListener('abort', stopAll)
          }
        }
      }
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/**
 * The relay transport finds relays among the peers it connects to (bootstrap
 * peers, the DHT's relay key, mDNS) rather than by walking the DHT at random
 * without end when no relay exists: its random walk yields nothing.
 */
const noRandomWalk = {
  async * walk (): AsyncGenerator<never> {}
}

type TransportFactory = (components: any) => Transport

export interface NatTraversalParts {
  readonly tcp: TransportFactory
  readonly transports: TransportFactory[]
  readonly services: Record<string, Factory>
}

export function natTraversal (options: NatTraversalOptions): NatTraversalParts {
  const dialPorts = new DialPorts()
  let service: ReachabilityService | undefined
  const init: ReachabilityInit = {
    dialPorts,
    relayServing: options.relay != null,
    upnp: options.upnp === true,
    ...(options.punchTimeoutMs != null ? { punchTimeoutMs: options.punchTimeoutMs } : {})
  }
  const services: Record<string, Factory> = {
    reachability: (components) => {
      const relayService = (): { reservations?: { size: number } } | undefined => {
        try {
          return components.relay
        } catch {
          return undefined
        }
      }
      service = reachability({ ...init, reservationsServed: () => relayService()?.reservations?.size ?? 0 })(components)
      return service
    },
    autonat: withComponents(autoNAT() as Factory, components => ({ connectionManager: withFreshDialBack(components.connectionManager) })),
    dcutr: withComponents(dcutr({ timeout: HOLE_PUNCH_ATTEMPT_MS, retries: HOLE_PUNCH_ATTEMPTS }) as Factory, components => ({
      addressManager: withPredictedAddresses(components.addressManager, () => service?.predictedAddresses() ?? []),
      connectionManager: withResponderDials(components.connectionManager, components.transportManager)
    }))
  }
  if (options.upnp === true) services.upnp = uPnPNAT() as Factory
  if (options.relay != null) services.relay = circuitRelayServer(relayServerInit(options.relay)) as Factory
  return {
    tcp: reusePortTcp({ dialPorts }),
    transports: [withComponents(circuitRelayTransport() as Factory, () => ({ randomWalk: noRandomWalk })) as TransportFactory],
    services
  }
}
