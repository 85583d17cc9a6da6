import type { CircuitRelayServerInit } from '@libp2p/circuit-relay-v2'
import { KeyRendezvous } from '../discovery/dht-rendezvous.ts'
import type { Libp2p, Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * `mesh serve --relay`: a peer on a public address relays circuit v2
 * connections for peers behind NATs, so they can be reached, meet and hole
 * punch. Relayed connections carry signalling (identify, DCUtR, gossip), not
 * chunks: the limits below bound each one, and the work and blob protocols
 * refuse relayed connections anyway.
 */

/** The relay's limits; each unset one is libp2p's default (go-libp2p's too). */
export interface RelayLimits {
  /** Reservations held at once. */
  readonly maxReservations?: number
  /** How long one relayed connection may stay open. */
  readonly durationLimitMs?: number
  /** Bytes one relayed connection may carry in each direction. */
  readonly dataLimitBytes?: number
}

/** @libp2p/circuit-relay-v2's defaults (its DEFAULT_MAX_RESERVATION_STORE_SIZE, DEFAULT_DURATION_LIMIT, DEFAULT_DATA_LIMIT). */
export const DEFAULT_RELAY_LIMITS: Required<RelayLimits> = {
  maxReservations: 15,
  durationLimitMs: 2 * 60_000,
  dataLimitBytes: 1 << 17
}

export function resolveRelayLimits (limits: RelayLimits = {}): Required<RelayLimits> {
  return {
    maxReservations: limits.maxReservations ?? DEFAULT_RELAY_LIMITS.maxReservations,
    durationLimitMs: limits.durationLimitMs ?? DEFAULT_RELAY_LIMITS.durationLimitMs,
    dataLimitBytes: limits.dataLimitBytes ?? DEFAULT_RELAY_LIMITS.dataLimitBytes
  }
}

export function relayServerInit (limits: RelayLimits = {}): CircuitRelayServerInit {
  const resolved = resolveRelayLimits(limits)
  return {
    reservations: {
      maxReservations: resolved.maxReservations,
      applyDefaultLimit: true,
      defaultDurationLimit: resolved.durationLimitMs,
      defaultDataLimit: BigInt(resolved.dataLimitBytes)
    }
  }
}

/**
 * Chunks a second one relayed connection could carry under these limits:
 * its data limit in whole chunks, over its duration limit (a chunk larger
 * than the data limit cannot cross at all).
 */
export function relayedChunksPerSecond (limits: Required<RelayLimits>, bytesPerChunk: number): number {
  return Math.floor(limits.dataLimitBytes / bytesPerChunk) / (limits.durationLimitMs / 1000)
}

export const RELAY_RENDEZVOUS_KEY = 'constellation-mesh/relays/1'
const FIRST_ROUND_DELAY_MS = 2_000

export interface RelayRendezvousInit {
  /** This peer serves as a relay: it provides the key. */
  readonly serving: boolean
  /** Whether this peer wants a relay now (not dialable, no reservation): it looks the key up. */
  readonly wantsRelay: () => boolean
  /** Dials a relay found in the DHT (the discovery dialer). */
  readonly dial: (peer: PeerId, addresses: Multiaddr[]) => void
  readonly intervalMs?: number
}

/**
 * How peers learn of relays through the DHT (besides `--bootstrap`): relays
 * provide one well-known key, and a peer that wants a relay dials its
 * providers; once connected, identify shows the relay protocol and the
 * circuit relay transport makes its reservation there.
 */
export class RelayRendezvous extends KeyRendezvous {
  constructor (libp2p: Pick<Libp2p, 'contentRouting'>, log: Logger, init: RelayRendezvousInit) {
    super(libp2p, log, {
      key: RELAY_RENDEZVOUS_KEY,
      what: 'relay',
      firstDelayMs: FIRST_ROUND_DELAY_MS,
      ...(init.intervalMs != null ? { intervalMs: init.intervalMs } : {}),
      provides: () => init.serving,
      looksUp: init.wantsRelay,
      dial: init.dial
    })
  }
}
