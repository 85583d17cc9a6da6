import { TypedEventEmitter, type Logger, type PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { openStore, type MeshStore } from '../store/store.ts'
import { BlobStore } from '../store/blob-store.ts'
import { ANNOUNCE_TOPIC, announcementValidator, type AnnouncedProgress } from '../protocols/announce.ts'
import { decodeSignedManifest, type ProjectManifest } from '../protocols/manifest-codec.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { createMeshLibp2p, type MeshLibp2p, type ServiceFactories } from './libp2p.ts'
import { DiscoveryDialer } from './discovery-dialer.ts'
import { DhtRendezvous } from './dht-rendezvous.ts'
import { PeerTracker } from './peer-tracker.ts'
import { ProjectRegistry, type DiscoveredProject } from './project-registry.ts'
import { Announcer } from './announcer.ts'
import { buildProject, type ProjectSpec } from './project-builder.ts'
import { storeProgressProvider, type OwnProgress, type ProgressProvider } from './own-progress.ts'
import { summarizeProject } from './project-summary.ts'
import type { MeshEvents, PeerSummary, ProjectSummary } from './types.ts'
import { resolveNodeConfig, type MeshNodeOptions, type ResolvedNodeConfig } from './config.ts'

export type { MeshNodeOptions } from './config.ts'

/** MeshEvents as an EventTarget map: each event is a CustomEvent of its detail. */
export type MeshEventMap = { [K in keyof MeshEvents]: CustomEvent<MeshEvents[K]> }

interface OwnProject {
  readonly manifest: ProjectManifest
  progress: OwnProgress
}

/** How often own projects' progress is re-read (for the UI and status changes). */
const PROGRESS_REFRESH_MS = 1_000
/** How often discovered projects are checked for owners gone quiet. */
const OFFLINE_SWEEP_MS = 1_000

/**
 * A peer of the mesh: owns libp2p, the store, the registry of discovered
 * projects and the announcer of its own. The CLI and the UI drive it and
 * listen to its events; the coordinator and volunteer plug into it through
 * `libp2p`, `store`, `blobs`, `privateKey`, `setProgressProvider` and the
 * `services` option.
 */
export class MeshNode<Extra extends ServiceFactories = {}> extends TypedEventEmitter<MeshEventMap> {
  readonly peerId: string
  readonly name: string
  private readonly own = new Map<string, OwnProject>()
  private readonly log: Logger
  private readonly tracker: PeerTracker
  private readonly dialer: DiscoveryDialer
  private readonly rendezvous: DhtRendezvous
  private readonly registry: ProjectRegistry
  private readonly announcer: Announcer
  private progressProvider: ProgressProvider
  private timers: Array<ReturnType<typeof setInterval>> = []
  private stopping?: Promise<void>

  private constructor (
    readonly libp2p: MeshLibp2p<Extra>,
    readonly store: MeshStore,
    readonly blobs: BlobStore,
    readonly privateKey: PrivateKey,
    private readonly config: ResolvedNodeConfig
  ) {
    super()
    this.peerId = libp2p.peerId.toString()
    this.name = config.name
    this.log = libp2p.logger.forComponent('mesh:node')
    this.progressProvider = config.progress ?? storeProgressProvider(store, id => this.own.get(id)?.manifest)
    this.tracker = new PeerTracker(libp2p, {
      onJoined: peer => { this.emit('peer:joined', peer) },
      onLeft: peer => { this.emit('peer:left', peer) }
    })
    this.dialer = new DiscoveryDialer(libp2p, libp2p.logger.forComponent('mesh:dialer'))
    this.rendezvous = new DhtRendezvous(libp2p, this.dialer, libp2p.logger.forComponent('mesh:rendezvous'), {
      intervalMs: config.rendezvousIntervalMs,
      hasProjects: () => [...this.own.values()].some(p => p.progress.status === 'running')
    })
    this.registry = new ProjectRegistry({
      store,
      selfId: this.peerId,
      log: libp2p.logger.forComponent('mesh:registry'),
      offlineAfterMs: config.offlineAfterMs,
      maxProjects: config.maxTrackedProjects,
      onAnnounced: project => { this.emit('project:announced', this.summarizeDiscovered(project)) },
      onUpdated: project => { this.emit('project:updated', this.summarizeDiscovered(project)) },
      onOffline: project => { this.emit('project:offline', this.summarizeDiscovered(project)) }
    })
    this.announcer = new Announcer({
      pubsub: libp2p.services.pubsub,
      privateKey,
      log: libp2p.logger.forComponent('mesh:announcer'),
      intervalMs: config.announceIntervalMs,
      ownProjects: () => [...this.own.values()],
      addresses: () => libp2p.getMultiaddrs(),
      ownerName: config.name
    })
  }

  static async start<Extra extends ServiceFactories = {}> (options: MeshNodeOptions<Extra>): Promise<MeshNode<Extra>> {
    const config = resolveNodeConfig(options)
    const store = await openStore(config.dataDir)
    let libp2p: MeshLibp2p<Extra> | undefined
    try {
      const privateKey = await loadOrCreateIdentity(store)
      const blobs = new BlobStore(store)
      await blobs.removeIncomplete()
      libp2p = await createMeshLibp2p({
        privateKey,
        listen: config.listen,
        bootstrap: config.bootstrap,
        mdns: config.mdns,
        mdnsServiceTag: config.mdnsServiceTag,
        mdnsIntervalMs: config.mdnsIntervalMs,
        swarmKey: config.swarmKey,
        name: config.name,
        services: options.services
      })
      const node = new MeshNode<Extra>(libp2p, store, blobs, privateKey, config)
      await node.begin()
      return node
    } catch (err) {
      await Promise.resolve(libp2p?.stop()).catch(() => {})
      await store.close()
      throw err
    }
  }

  /** Full multiaddrs this peer listens on, each ending in /p2p/<peer id>. */
  addresses (): string[] {
    return this.libp2p.getMultiaddrs().map(address => {
      const text = address.toString()
      return text.endsWith(`/p2p/${this.peerId}`) ? text : `${text}/p2p/${this.peerId}`
    })
  }

  peers (): PeerSummary[] {
    return this.tracker.list()
  }

  /** Own projects first, then those discovered on the topic. */
  projects (): ProjectSummary[] {
    const own = [...this.own.values()].map(project => this.summarizeOwn(project))
    const discovered = this.registry.list().map(project => this.summarizeDiscovered(project))
    return [...own, ...discovered]
  }

  project (id: string): ProjectSummary | undefined {
    const own = this.own.get(id)
    if (own != null) return this.summarizeOwn(own)
    const discovered = this.registry.get(id)
    return discovered == null ? undefined : this.summarizeDiscovered(discovered)
  }

  /** The signed manifest of an own or discovered project. */
  manifest (id: string): ProjectManifest | undefined {
    return this.own.get(id)?.manifest ?? this.registry.get(id)?.manifest
  }

  /** The owner's addresses from its last announcement (for dialing it to volunteer). */
  ownerAddresses (id: string): Multiaddr[] {
    return this.registry.get(id)?.ownerAddresses ?? []
  }

  ownProjectIds (): string[] {
    return [...this.own.keys()]
  }

  /**
   * Builds, signs and stores a project, then announces it. Throws an
   * InputError for a spec the researcher must fix.
   */
  async publish (spec: ProjectSpec): Promise<ProjectSummary> {
    const manifest = await buildProject(spec, { privateKey: this.privateKey, blobs: this.blobs })
    await this.store.projects.put(manifest.id, manifest.signedBytes)
    const project: OwnProject = { manifest, progress: { done: 0, total: manifest.chunkCount, volunteers: 0, status: 'running' } }
    this.own.set(manifest.id, project)
    await this.refreshProgress(project)
    const summary = this.summarizeOwn(project)
    this.emit('project:announced', summary)
    await this.announcer.announce(manifest, project.progress)
    return summary
  }

  /** Replaces where own projects' progress comes from (the coordinator's live figures). */
  setProgressProvider (provider: ProgressProvider): void {
    this.progressProvider = provider
  }

  /** Announces every own project now (e.g. after a status change). */
  async announceNow (): Promise<void> {
    await Promise.all([...this.own.values()].map(async project => { await this.refreshProgress(project) }))
    await this.announcer.announceAll()
  }

  /** Gossipsub's score of a peer, as this node sees it (negative after invalid messages). */
  gossipScore (peerId: string): number {
    return (this.libp2p.services.pubsub as unknown as { getScore: (id: string) => number }).getScore(peerId)
  }

  async stop (): Promise<void> {
    this.stopping ??= this.shutdown()
    await this.stopping
  }

  private async begin (): Promise<void> {
    await this.registry.load()
    await this.loadOwnProjects()
    this.libp2p.services.pubsub.topicValidators.set(ANNOUNCE_TOPIC, announcementValidator({
      accepted: (announcement) => {
        if (announcement.ownerName != null) this.tracker.noteName(announcement.manifest.owner, announcement.ownerName)
        this.registry.heard(announcement).catch((err: Error) => { this.log.error('recording an announcement failed: %s', err.message) })
      },
      rejected: (from, reason) => {
        this.log('rejected an announcement from %p: %s', from, reason)
        this.emit('rejected', { from: from.toString(), what: 'announcement', reason })
      }
    }))
    this.tracker.start()
    this.dialer.start()
    await this.libp2p.start()
    this.announcer.start()
    this.rendezvous.start()
    this.timers = [
      setInterval(() => { this.registry.sweep() }, OFFLINE_SWEEP_MS),
      setInterval(() => { void this.refreshAllProgress() }, PROGRESS_REFRESH_MS)
    ]
    if (this.own.size > 0) void this.announceNow()
  }

  private async shutdown (): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    this.announcer.stop()
    this.dialer.stop()
    await this.rendezvous.stop()
    this.tracker.stop()
    await this.libp2p.stop()
    await this.store.close()
  }

  private async loadOwnProjects (): Promise<void> {
    for await (const [id, bytes] of this.store.projects.iterator()) {
      let manifest: ProjectManifest
      try {
        manifest = await decodeSignedManifest(bytes)
      } catch {
        continue
      }
      if (manifest.owner !== this.peerId) continue
      const project: OwnProject = { manifest, progress: { done: 0, total: manifest.chunkCount, volunteers: 0, status: 'running' } }
      this.own.set(id, project)
      await this.refreshProgress(project)
    }
  }

  private async refreshAllProgress (): Promise<void> {
    for (const project of this.own.values()) {
      const before = project.progress
      await this.refreshProgress(project)
      const after = project.progress
      if (before.done !== after.done || before.volunteers !== after.volunteers || before.status !== after.status) {
        this.emit('project:updated', this.summarizeOwn(project))
        if (before.status !== after.status) await this.announcer.announce(project.manifest, after)
      }
    }
  }

  private async refreshProgress (project: OwnProject): Promise<void> {
    try {
      const progress = await this.progressProvider(project.manifest.id)
      if (progress != null) project.progress = progress
    } catch (err: any) {
      this.log.error('reading progress of %s failed: %s', project.manifest.id, err.message)
    }
  }

  private summarizeOwn (project: OwnProject): ProjectSummary {
    return summarizeProject(project.manifest, { progress: project.progress, own: true, offline: false, lastHeard: Date.now(), ownerName: this.name })
  }

  private summarizeDiscovered (project: DiscoveredProject): ProjectSummary {
    return summarizeProject(project.manifest, {
      progress: project.progress,
      own: false,
      offline: project.offline,
      lastHeard: project.lastHeard,
      ...(project.ownerName != null ? { ownerName: project.ownerName } : {})
    })
  }

  private emit<K extends keyof MeshEvents> (type: K, detail: MeshEvents[K]): void {
    this.safeDispatchEvent(type, { detail } as any)
  }
}

export type { AnnouncedProgress, OwnProgress, ProgressProvider, ProjectSpec }
