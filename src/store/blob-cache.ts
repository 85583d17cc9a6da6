import type { Logger } from '@libp2p/interface'
import type { BlobInfo, EvictLimits } from './blob-store.ts'

/**
 * Keeps the cache of other peers' input blobs (what this peer fetched as a
 * volunteer) within bounds: cached blobs unused for `maxAgeMs` go, then the
 * least recently used until the cache fits `maxCachedBytes`. Own inputs are
 * never evicted. Runs when started and every `sweepIntervalMs`.
 */

export const DEFAULT_BLOB_CACHE_MAX_BYTES = 4 * 1024 ** 3
export const DEFAULT_BLOB_CACHE_MAX_AGE_MS = 7 * 24 * 3600_000
export const DEFAULT_BLOB_CACHE_SWEEP_MS = 10 * 60_000

export interface BlobCacheLimits {
  /** @default DEFAULT_BLOB_CACHE_MAX_BYTES */
  readonly maxCachedBytes?: number
  /** @default DEFAULT_BLOB_CACHE_MAX_AGE_MS */
  readonly maxAgeMs?: number
  /** @default DEFAULT_BLOB_CACHE_SWEEP_MS */
  readonly sweepIntervalMs?: number
}

export class BlobCacheSweeper {
  private readonly limits: Required<Pick<EvictLimits, 'maxAgeMs' | 'maxCachedBytes'>>
  private readonly sweepIntervalMs: number
  private timer?: ReturnType<typeof setInterval>
  private sweeping: Promise<unknown> = Promise.resolve()

  constructor (
    private readonly blobs: { evict (limits: EvictLimits): Promise<BlobInfo[]> },
    limits: BlobCacheLimits = {},
    private readonly log?: Logger
  ) {
    this.limits = {
      maxCachedBytes: limits.maxCachedBytes ?? DEFAULT_BLOB_CACHE_MAX_BYTES,
      maxAgeMs: limits.maxAgeMs ?? DEFAULT_BLOB_CACHE_MAX_AGE_MS
    }
    this.sweepIntervalMs = limits.sweepIntervalMs ?? DEFAULT_BLOB_CACHE_SWEEP_MS
  }

  start (): void {
    if (this.timer != null) return
    void this.sweep()
    this.timer = setInterval(() => { void this.sweep() }, this.sweepIntervalMs)
    this.timer.unref()
  }

  /** Stops sweeping; resolves once a sweep in progress has finished (the store may then close). */
  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.sweeping
  }

  /** One sweep now (after any in progress); answers what was evicted. Never throws. */
  async sweep (): Promise<BlobInfo[]> {
    const run = this.sweeping.then(async () => await this.blobs.evict(this.limits)).then(evicted => {
      if (evicted.length > 0) this.log?.('evicted %d cached blobs (%d bytes)', evicted.length, evicted.reduce((sum, info) => sum + info.size, 0))
      return evicted
    }, (err: Error) => {
      this.log?.error('evicting cached blobs failed - %e', err)
      return []
    })
    this.sweeping = run
    return await run
  }
}
