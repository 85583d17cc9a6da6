import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '@libp2p/interface'
import type { MeshStore } from '../../store/store.ts'
import { decodeSignedManifest, type ProjectManifest } from '../../protocols/manifest-codec.ts'
import type { AnnouncedProgress, DecodedAnnouncement } from '../../protocols/announce.ts'

export const DEFAULT_OFFLINE_AFTER_MS = 30_000
export const DEFAULT_MAX_TRACKED_PROJECTS = 500
/** One owner cannot push everyone else's projects out by announcing many of its own. */
export const DEFAULT_MAX_PROJECTS_PER_OWNER = 16

/** A project another peer announced, as last heard. */
export interface DiscoveredProject {
  readonly manifest: ProjectManifest
  readonly progress: AnnouncedProgress
  readonly ownerAddresses: Multiaddr[]
  readonly ownerName?: string
  /** ms since epoch; 0 when only known from a previous run. */
  readonly lastHeard: number
  /** The owner's timestamp of the announcement last heard. */
  readonly announcedAt: number
  readonly offline: boolean
}

export interface ProjectRegistryInit {
  readonly store: Pick<MeshStore, 'projects'>
  /** This peer's id: its own projects are not tracked here. */
  readonly selfId: string
  /** Where dropped records are logged. */
  readonly log?: Logger
  readonly offlineAfterMs?: number
  readonly maxProjects?: number
  readonly maxProjectsPerOwner?: number
  readonly onAnnounced?: (project: DiscoveredProject) => void
  readonly onUpdated?: (project: DiscoveredProject) => void
  readonly onOffline?: (project: DiscoveredProject) => void
}

function sameProgress (a: AnnouncedProgress, b: AnnouncedProgress): boolean {
  return a.done === b.done && a.total === b.total && a.volunteers === b.volunteers && a.status === b.status
}

/**
 * The projects other peers announce. Newer announcements replace older ones;
 * a project whose owner has not been heard for `offlineAfterMs` is marked
 * offline; at most `maxProjects` are kept (the longest unheard go first),
 * and at most `maxProjectsPerOwner` of one owner (its longest unheard go first);
 * manifests are persisted so a restarted peer still lists them (as offline
 * until heard again).
 */
export class ProjectRegistry {
  private readonly projects = new Map<string, DiscoveredProject>()
  private readonly offlineAfterMs: number
  private readonly maxProjects: number
  private readonly maxProjectsPerOwner: number

  constructor (private readonly init: ProjectRegistryInit) {
    this.offlineAfterMs = init.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS
    this.maxProjects = init.maxProjects ?? DEFAULT_MAX_TRACKED_PROJECTS
    this.maxProjectsPerOwner = init.maxProjectsPerOwner ?? DEFAULT_MAX_PROJECTS_PER_OWNER
  }

  /** Loads manifests seen in earlier runs (not own ones); bad records are dropped. */
  async load (): Promise<void> {
    for await (const [id, bytes] of this.init.store.projects.iterator()) {
      try {
        const manifest = await decodeSignedManifest(bytes)
        if (manifest.owner === this.init.selfId) continue
        this.projects.set(id, {
          manifest,
          progress: { done: 0, total: manifest.chunkCount, volunteers: 0, status: 'running' },
          ownerAddresses: [],
          lastHeard: 0,
          announcedAt: 0,
          offline: true
        })
      } catch (err: any) {
        this.init.log?.error('dropping stored manifest %s: %s', id, err.message)
        await this.init.store.projects.del(id)
      }
    }
    const owners = new Set([...this.projects.values()].map(p => p.manifest.owner))
    const evicted = [...owners].flatMap(owner => this.evictBeyondOwnerCap(owner)).concat(this.evictBeyondCap())
    await this.init.store.projects.batch(evicted.map(key => ({ type: 'del' as const, key })))
  }

  list (): DiscoveredProject[] {
    return [...this.projects.values()]
  }

  get (id: string): DiscoveredProject | undefined {
    return this.projects.get(id)
  }

  /** Records a validated announcement. */
  async heard (announcement: DecodedAnnouncement, now = Date.now()): Promise<void> {
    const { manifest } = announcement
    if (manifest.owner === this.init.selfId) return
    const previous = this.projects.get(manifest.id)
    if (previous != null && announcement.timestamp < previous.announcedAt) return
    const project: DiscoveredProject = {
      manifest,
      progress: announcement.progress,
      ownerAddresses: announcement.addresses,
      ...(announcement.ownerName != null ? { ownerName: announcement.ownerName } : {}),
      lastHeard: now,
      announcedAt: announcement.timestamp,
      offline: false
    }
    this.projects.set(manifest.id, project)
    if (previous != null) {
      if (previous.offline || !sameProgress(previous.progress, project.progress)) this.init.onUpdated?.(project)
      return
    }
    // The caps hold in memory at once, even while many announcements are being recorded; the store follows in one batch.
    const evicted = [...this.evictBeyondOwnerCap(manifest.owner), ...this.evictBeyondCap()]
    const kept = this.projects.has(manifest.id)
    await this.init.store.projects.batch([
      ...(kept ? [{ type: 'put' as const, key: manifest.id, value: manifest.signedBytes }] : []),
      ...evicted.map(key => ({ type: 'del' as const, key }))
    ])
    if (kept && this.projects.get(manifest.id) === project) this.init.onAnnounced?.(project)
  }

  /** Marks projects offline whose owner has not been heard for a while. */
  sweep (now = Date.now()): void {
    for (const [id, project] of this.projects) {
      if (!project.offline && now - project.lastHeard > this.offlineAfterMs) {
        const offline = { ...project, offline: true }
        this.projects.set(id, offline)
        this.init.onOffline?.(offline)
      }
    }
  }

  /** Drops `owner`'s longest unheard projects beyond its share; returns their ids. */
  private evictBeyondOwnerCap (owner: string): string[] {
    const owned = [...this.projects.values()].filter(p => p.manifest.owner === owner).sort((x, y) => x.lastHeard - y.lastHeard)
    const evicted = owned.slice(0, Math.max(0, owned.length - this.maxProjectsPerOwner)).map(p => p.manifest.id)
    for (const id of evicted) this.projects.delete(id)
    return evicted
  }

  /** Drops the longest unheard projects beyond the cap; returns their ids. */
  private evictBeyondCap (): string[] {
    const excess = this.projects.size - this.maxProjects
    if (excess <= 0) return []
    const evicted = [...this.projects.values()].sort((x, y) => x.lastHeard - y.lastHeard).slice(0, excess).map(p => p.manifest.id)
    for (const id of evicted) this.projects.delete(id)
    return evicted
  }
}
