import type { GossipSub, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { Logger, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { ANNOUNCE_TOPIC, encodeAnnouncement, type AnnouncedProgress } from '../../protocols/announce.ts'
import type { ProjectManifest } from '../../protocols/manifest-codec.ts'

export const DEFAULT_ANNOUNCE_INTERVAL_MS = 5_000
/** Several peers subscribing at once cause one round of announcements. */
const NEW_SUBSCRIBER_DEBOUNCE_MS = 250

export interface AnnouncerInit {
  readonly pubsub: GossipSub
  readonly privateKey: PrivateKey
  readonly log: Logger
  readonly intervalMs?: number
  /** The own projects to announce, with their current progress. */
  readonly ownProjects: () => Array<{ manifest: ProjectManifest, progress: AnnouncedProgress }>
  readonly addresses: () => Multiaddr[]
  readonly ownerName?: string
}

/**
 * Publishes this peer's projects on the topic: on demand (at publish), every
 * `intervalMs` with live progress, and promptly when a peer subscribes.
 */
export class Announcer {
  private timer?: ReturnType<typeof setInterval>
  private debounce?: ReturnType<typeof setTimeout>
  /** Grows across restarts too (seeded from the clock), so receivers can order announcements. */
  private sequence = Date.now() * 1000

  constructor (private readonly init: AnnouncerInit) {}

  start (): void {
    this.init.pubsub.subscribe(ANNOUNCE_TOPIC)
    this.init.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.timer = setInterval(() => { void this.announceAll() }, this.init.intervalMs ?? DEFAULT_ANNOUNCE_INTERVAL_MS)
  }

  stop (): void {
    clearInterval(this.timer)
    clearTimeout(this.debounce)
    this.init.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
  }

  async announceAll (): Promise<void> {
    await Promise.all(this.init.ownProjects().map(async ({ manifest, progress }) => { await this.announce(manifest, progress) }))
  }

  async announce (manifest: ProjectManifest, progress: AnnouncedProgress): Promise<void> {
    try {
      const bytes = await encodeAnnouncement({
        signedManifest: manifest.signedBytes,
        progress,
        addresses: this.init.addresses(),
        sequence: ++this.sequence,
        timestamp: Date.now(),
        ...(this.init.ownerName != null ? { ownerName: this.init.ownerName } : {})
      }, this.init.privateKey)
      const result = await this.init.pubsub.publish(ANNOUNCE_TOPIC, bytes)
      this.init.log('announced %s to %d peers', manifest.id, result.recipients.length)
    } catch (err: any) {
      this.init.log.error('announcing %s failed: %s', manifest.id, err.message)
    }
  }

  private readonly onSubscriptionChange = (event: CustomEvent<SubscriptionChangeData>): void => {
    const joined = event.detail.subscriptions.some(s => s.subscribe && s.topic === ANNOUNCE_TOPIC)
    if (!joined) return
    clearTimeout(this.debounce)
    this.debounce = setTimeout(() => { void this.announceAll() }, NEW_SUBSCRIBER_DEBOUNCE_MS)
  }
}
