import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { CircuitRelayServerInit } from '@libp2p/circuit-relay-v2'
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
export const DEFAULT_RELAY_RENDEZVOUS_INTERVAL_MS = 30_000
const FIRST_ROUND_DELAY_MS = 2_000
const ROUND_TIMEOUT_MS = 20_000

export async function relayRendezvousCid (): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(RELAY_RENDEZVOUS_KEY)))
}

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
export class RelayRendezvous {
  private timer?: ReturnType<typeof setTimeout>
  private readonly controller = new AbortController()
  private running?: Promise<void>

  constructor (private readonly libp2p: Pick<Libp2p, 'contentRouting'>, private readonly log: Logger, private readonly init: RelayRendezvousInit) {}

  start (): void {
    if (!this.init.serving && !this.init.wantsRelay()) {
      this.schedule(this.interval())
      return
    }
    this.schedule(Math.min(FIRST_ROUND_DELAY_MS, this.interval()))
  }

  async stop (): Promise<void> {
    clearTimeout(this.timer)
    this.controller.abort()
    await this.running
  }

  async round (): Promise<void> {
    const cid = await relayRendezvousCid()
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(ROUND_TIMEOUT_MS)])
    if (this.init.serving) {
      await this.libp2p.contentRouting.provide(cid, { signal }).catch((err: Error) => { this.log('providing the relay key failed: %s', err.message) })
    }
    if (!this.init.wantsRelay()) return
    try {
      for await (const provider of this.libp2p.contentRouting.findProviders(cid, { signal })) this.init.dial(provider.id, provider.multiaddrs)
    } catch (err: any) {
      this.log('looking up relays failed: %s', err.message)
    }
  }

  private interval (): number {
    return this.init.intervalMs ?? DEFAULT_RELAY_RENDEZVOUS_INTERVAL_MS
  }

  private schedule (delayMs: number): void {
    if (this.controller.signal.aborted) return
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined
        this.schedule(this.interval())
      })
    }, delayMs)
    this.timer.unref?.()
  }
}
