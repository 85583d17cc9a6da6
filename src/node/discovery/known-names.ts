import type { MeshStore } from '../../store/store.ts'
import type { Logger } from '@libp2p/interface'

/** A peer's entry in the store's `peers` sublevel. */
interface StoredPeerEntry {
  readonly name: string
  readonly lastSeen: number
}

/** Longest name kept; names come from other peers' identify answers. */
const MAX_NAME_LENGTH = 64

/**
 * Names of the peers this one has credited (the volunteers of its verified
 * chunks) and its own, kept in the store's `peers` sublevel so that the
 * reports of a stopped peer (leaderboard, status) name them as the running
 * peer did. Only credited peers are kept: a stranger cannot grow the store
 * by connecting under many names.
 */
export class KnownNames {
  private constructor (
    private readonly store: Pick<MeshStore, 'peers'>,
    private readonly names: Map<string, string>,
    private readonly log?: Logger
  ) {}

  static async load (store: Pick<MeshStore, 'peers'>, log?: Logger): Promise<KnownNames> {
    const names = new Map<string, string>()
    for await (const [peer, value] of store.peers.iterator()) {
      const name = (value as Partial<StoredPeerEntry> | undefined)?.name
      if (typeof name === 'string' && name.length > 0) names.set(peer, name.slice(0, MAX_NAME_LENGTH))
    }
    return new KnownNames(store, names, log)
  }

  get (peer: string): string | undefined {
    return this.names.get(peer)
  }

  /** Every known name, by peer id. */
  all (): ReadonlyMap<string, string> {
    return this.names
  }

  /** Keeps `name` for `peer` (written only when it changed; a failed write is logged, never thrown). */
  remember (peer: string, name: string): void {
    const kept = name.slice(0, MAX_NAME_LENGTH)
    if (kept.length === 0 || this.names.get(peer) === kept) return
    this.names.set(peer, kept)
    const entry: StoredPeerEntry = { name: kept, lastSeen: Date.now() }
    this.store.peers.put(peer, entry).catch(err => { this.log?.error('cannot keep the name of %s - %e', peer, err) })
  }
}
