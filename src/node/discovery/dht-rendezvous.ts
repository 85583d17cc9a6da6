import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { Libp2p, Logger } from '@libp2p/interface'
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

export async function rendezvousCid (): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(RENDEZVOUS_KEY)))
}

export interface DhtRendezvousInit {
  readonly intervalMs?: number
  /** Whether this peer currently has projects to be found by. */
  readonly hasProjects: () => boolean
}

export class DhtRendezvous {
  private timer?: ReturnType<typeof setTimeout>
  private readonly controller = new AbortController()
  private running?: Promise<void>

  constructor (
    private readonly libp2p: Libp2p,
    private readonly dialer: DiscoveryDialer,
    private readonly log: Logger,
    private readonly init: DhtRendezvousInit
  ) {}

  start (): void {
    this.schedule(Math.min(FIRST_ROUND_DELAY_MS, this.init.intervalMs ?? DEFAULT_RENDEZVOUS_INTERVAL_MS))
  }

  async stop (): Promise<void> {
    clearTimeout(this.timer)
    this.controller.abort()
    await this.running
  }

  /** One round: provide the key if we own projects, then dial its providers. */
  async round (): Promise<void> {
    const cid = await rendezvousCid()
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(ROUND_TIMEOUT_MS)])
    if (this.init.hasProjects()) {
      try {
        await this.libp2p.contentRouting.provide(cid, { signal })
      } catch (err: any) {
        this.log('providing the rendezvous key failed: %s', err.message)
      }
    }
    try {
      for await (const provider of this.libp2p.contentRouting.findProviders(cid, { signal })) {
        this.dialer.dial(provider.id, provider.multiaddrs)
      }
    } catch (err: any) {
      this.log('looking up rendezvous providers failed: %s', err.message)
    }
  }

  private schedule (delayMs: number): void {
    if (this.controller.signal.aborted) return
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined
        this.schedule(this.init.intervalMs ?? DEFAULT_RENDEZVOUS_INTERVAL_MS)
      })
    }, delayMs)
    this.timer.unref?.()
  }
}
