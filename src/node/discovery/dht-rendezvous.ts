import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { Libp2p, Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { DiscoveryDialer } from './discovery-dialer.ts'

/**
 * Finding projects beyond the LAN through the Kademlia DHT: every peer that
 * owns a project provides one well-known key, and every peer looks up that
 * key's providers and dials them. Once connected, gossipsub delivers their
 * announcements as it does on the LAN.
 */

export const RENDEZVOUS_KEY = 'constellation-mesh/projects/1'
export const DEFAULT_RENDEZVOUS_INTERVAL_MS = 30_000
const FIRST_ROUND_DELAY_MS = 3_000
const ROUND_TIMEOUT_MS = 20_000

/** The DHT key a rendezvous of `key` provides and looks up. */
export async function keyCid (key: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(key)))
}

export async function rendezvousCid (): Promise<CID> {
  return await keyCid(RENDEZVOUS_KEY)
}

/** One well-known key in the DHT: who provides it, and who looks up its providers and dials them. */
export interface KeyRendezvousInit {
  readonly key: string
  /** What the key is for, in log lines ("rendezvous", "relay"). */
  readonly what: string
  readonly intervalMs?: number
  readonly firstDelayMs?: number
  /** Whether this peer provides the key this round. */
  readonly provides: () => boolean
  /** Whether this peer looks the key up this round. */
  readonly looksUp: () => boolean
  readonly dial: (peer: PeerId, addresses: Multiaddr[]) => void
}

/** A round now and then: provide the key when asked to, then dial its providers when asked to. */
export class KeyRendezvous {
  private timer?: ReturnType<typeof setTimeout>
  private readonly controller = new AbortController()
  private running?: Promise<void>

  constructor (private readonly libp2p: Pick<Libp2p, 'contentRouting'>, private readonly log: Logger, private readonly init: KeyRendezvousInit) {}

  start (): void {
    this.schedule(Math.min(this.init.firstDelayMs ?? FIRST_ROUND_DELAY_MS, this.interval()))
  }

  async stop (): Promise<void> {
    clearTimeout(this.timer)
    this.controller.abort()
    await this.running
  }

  async round (): Promise<void> {
    const cid = await keyCid(this.init.key)
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(ROUND_TIMEOUT_MS)])
    if (this.init.provides()) {
      try {
        await this.libp2p.contentRouting.provide(cid, { signal })
      } catch (err: any) {
        this.log('providing the %s key failed: %s', this.init.what, err.message)
      }
    }
    if (!this.init.looksUp()) return
    try {
      for await (const provider of this.libp2p.contentRouting.findProviders(cid, { signal })) this.init.dial(provider.id, provider.multiaddrs)
    } catch (err: any) {
      this.log('looking up %s providers failed: %s', this.init.what, err.message)
    }
  }

  private interval (): number {
    return this.init.intervalMs ?? DEFAULT_RENDEZVOUS_INTERVAL_MS
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

export interface DhtRendezvousInit {
  readonly intervalMs?: number
  /** Whether this peer currently has projects to be found by. */
  readonly hasProjects: () => boolean
}

/** Projects' rendezvous: every owner of a running project provides the key; every peer looks it up. */
export class DhtRendezvous extends KeyRendezvous {
  constructor (libp2p: Libp2p, dialer: DiscoveryDialer, log: Logger, init: DhtRendezvousInit) {
    super(libp2p, log, {
      key: RENDEZVOUS_KEY,
      what: 'rendezvous',
      ...(init.intervalMs != null ? { intervalMs: init.intervalMs } : {}),
      provides: init.hasProjects,
      looksUp: () => true,
      dial: (peer, addresses) => { dialer.dial(peer, addresses) }
    })
  }
}
