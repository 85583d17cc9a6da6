import type { PolicyReport, PolicyStart } from './volunteer/policy-control.ts'
import type { PolicyState, VolunteerPolicy } from './volunteer/policy/index.ts'
import { TypedEventEmitter, type Logger, type PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { openStore, type MeshStore } from '../store/store.ts'
import { BlobStore } from '../store/blob-store.ts'
import { BlobCacheSweeper } from '../store/blob-cache.ts'
import { ANNOUNCE_TOPIC, announcementValidator, type AnnouncedProgress } from '../protocols/announce.ts'
import { join } from 'node:path'
import { openComputeDevice } from '../compute/device.ts'
import { decodeSignedManifest, type ProjectManifest } from '../protocols/manifest-codec.ts'
import { loadOrCreateIdentity } from './network/identity.ts'
import { createMeshLibp2p, type MeshLibp2p, type ServiceFactories } from './network/libp2p.ts'
import { DiscoveryDialer } from './discovery/discovery-dialer.ts'
import { NodeReachability } from './network/node-reachability.ts'
import type { DoctorReport } from './doctor/doctor.ts'
import type { ReachabilityReport } from './network/reachability.ts'
import { DhtRendezvous } from './discovery/dht-rendezvous.ts'
import { KnownNames } from './discovery/known-names.ts'
import { PeerTracker } from './discovery/peer-tracker.ts'
import { ProjectRegistry, type DiscoveredProject } from './discovery/project-registry.ts'
import { Announcer } from './discovery/announcer.ts'
import { buildProject, type ProjectSpec } from './publish/project-builder.ts'
import { storeProgressProvider, type OwnProgress, type ProgressProvider } from './coordinator/own-progress.ts'
import { summarizeDiscovered, summarizeProject } from './project-summary.ts'
import type { DeviceSummary, HealthStats, HistoryEntry, LeaderboardEntry, MeshEvents, PeerSummary, ProjectStats, ProjectSummary, VolunteerPrefs, VolunteerStatus } from './types.ts'
import { resolveNodeConfig, type MeshNodeOptions, type ResolvedNodeConfig } from './config.ts'
import { Coordinator, exportProject, loadProjectRecord, withFoldedResult, type ExportFormat, type ExportSummary } from './coordinator/index.ts'
import { computeProjectStats, healthStats, historyEntry, leaderboard } from './metrics.ts'
import { ledgerReceipts, recordsFromSnapshot, recordsFromStore } from './figures.ts'
import { hasHistory, listHistory, loadReplaySpec, writeHistory } from './coordinator/history.ts'
import { Volunteering, type JoinOptions, type SetPrefsOptions, type VolunteerRun } from './volunteer/volunteering.ts'
import { ControlServer } from './control/control-server.ts'
import { VolunteerPageServer, type WebPageOptions } from '../web/server/page-server.ts'
import { loadLabCertificate, ownPageCertificate, type PageCertificate } from '../web/server/page-certificate.ts'
import { meshBridgeTargets } from './network/bridge-targets.ts'
import { controlHandlers } from './control/control-handlers.ts'
import { InputError } from '../errors.ts'
import type { ComputeDevice } from '../compute/device.ts'
import type { ProjectRecords, Receipt } from './metrics.ts'
import type { AbortOptions } from '@libp2p/interface'

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

/** What `mesh status` shows: every own project's figures. */
export interface StatusReport {
  readonly peerId?: string
  readonly name?: string
  /** Whether the figures come from a running peer (live) or from its store. */
  readonly running: boolean
  readonly projects: ProjectStats[]
}

/**
 * A peer of the mesh: owns libp2p, the store, the registry of discovered
 * projects and the announcer of its own, the coordinator of its own
 * projects (researcher side) and its volunteering (it computes others'
 * projects). The CLI and the UI drive it through its methods and listen to
 * its events; every figure they show is computed here.
 */
/** The compute processes' native output (Dawn's warnings), in the data dir. */
export const COMPUTE_LOG = 'compute.log'

export class MeshNode<Extra extends ServiceFactories = {}> extends TypedEventEmitter<MeshEventMap> {
  readonly peerId: string
  readonly name: string
  private readonly own = new Map<string, OwnProject>()
  private readonly log: Logger
  private readonly tracker: PeerTracker
  private readonly dialer: DiscoveryDialer
  /** Relays, hole punching and `mesh doctor` (network/node-reachability.ts). */
  private readonly reach: NodeReachability
  private readonly rendezvous: DhtRendezvous
  private readonly registry: ProjectRegistry
  private readonly announcer: Announcer
  private readonly coordinator: Coordinator
  /** Folded rows of finished reducing projects, read once (a finished result does not change). */
  private readonly foldedResults = new Map<string, number[] | undefined>()
  private readonly volunteering: Volunteering
  /** Keeps the blobs fetched as a volunteer within the cache limits. */
  private readonly blobCache: BlobCacheSweeper
  private progressProvider: ProgressProvider
  private control?: ControlServer
  /** The volunteer page (`--web`), served once libp2p listens. */
  private webPage?: VolunteerPageServer
  /** Names of credited peers kept in the store, for peers not connected now. */
  private knownNames?: KnownNames
  /** The ledger's receipts as last read; cleared when a chunk is verified here or this peer earns a receipt. */
  private receipts?: Promise<Receipt[]>
  /** History writes in flight, awaited before the store closes. */
  private recording: Promise<void> = Promise.resolve()
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
    // Dawn's native messages go to the data dir's compute log, never over the terminal.
    const logFile = join(config.dataDir, COMPUTE_LOG)
    this.coordinator = new Coordinator({
      openSpotCheckDevice: async kind => await openComputeDevice(kind === 'cpu' ? { prefer: 'cpu', logFile } : { logFile }),
      ...config.coordinator, libp2p, store, blobs, privateKey, events: this
    })
    this.blobCache = new BlobCacheSweeper(blobs, {}, libp2p.logger.forComponent('mesh:blob-cache'))
    this.volunteering = new Volunteering({
      libp2p, store, blobs, events: this, log: libp2p.logger.forComponent('mesh:volunteering'), openDevice: config.openDevice ?? (async () => await openComputeDevice({ ...config.volunteerDevice, logFile })), tuning: { ...config.volunteer, directPath: peer => this.reach.path(peer) }
    })
    const fromStore = storeProgressProvider(store, id => this.own.get(id)?.manifest)
    this.progressProvider = config.progress ?? (async id => this.coordinator.progress(id) ?? await fromStore(id))
    this.tracker = new PeerTracker(libp2p, {
      onJoined: peer => { this.emit('peer:joined', peer) },
      onLeft: peer => { this.emit('peer:left', peer) }
    })
    this.dialer = new DiscoveryDialer(libp2p, libp2p.logger.forComponent('mesh:dialer'))
    this.reach = new NodeReachability(libp2p, {
      serving: config.nat !== false && config.nat?.relay != null,
      swarmKey: config.swarmKey != null,
      dial: (peer, addresses) => { this.dialer.dial(peer, addresses) },
      emit: (type, detail) => { this.emit(type, detail) },
      log: libp2p.logger.forComponent('mesh:reachability')
    })
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
      onAnnounced: project => { this.emit('project:announced', summarizeDiscovered(project)) },
      onUpdated: project => { this.emit('project:updated', summarizeDiscovered(project)) },
      onOffline: project => { this.emit('project:offline', summarizeDiscovered(project)) }
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
    let node: MeshNode<Extra> | undefined
    try {
      // Before any network: a lab certificate that cannot be used is the user's to fix (exit 2), with nothing started.
      const webCertificate = config.web != null ? await pageCertificateFor(config.web, config.dataDir) : undefined
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
        blob: { source: blobs },
        services: options.services,
        ...(config.nat != null ? { nat: config.nat } : {})
      })
      node = new MeshNode<Extra>(libp2p, store, blobs, privateKey, config)
      await node.begin(webCertificate)
      return node
    } catch (err) {
      await node?.control?.close().catch(() => {})
      node?.coordinator.stop()
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

  /** The volunteer page's URLs (`--web`), the one to share first; empty without one. */
  webPageUrls (): string[] {
    return this.webPage?.urls() ?? []
  }

  /** The certificate the page is served with over HTTPS (its fingerprint is what a volunteer compares in the browser's warning). */
  webPageCertificate (): Pick<PageCertificate, 'fingerprint' | 'selfSigned'> | undefined {
    const certificate = this.webPage?.certificate
    return certificate == null ? undefined : { fingerprint: certificate.fingerprint, selfSigned: certificate.selfSigned }
  }

  /** The fingerprint to compare when the browser warns: this peer's own certificate on a page other machines open over https. */
  webPageFingerprint (): string | undefined {
    const certificate = this.webPageCertificate()
    return certificate?.selfSigned === true && this.webPageUrls().some(url => url.startsWith('https:')) ? certificate.fingerprint : undefined
  }

  peers (): PeerSummary[] {
    return this.tracker.list()
  }

  /** Own projects first, then those discovered on the topic. */
  projects (): ProjectSummary[] {
    const own = [...this.own.values()].map(project => this.summarizeOwn(project))
    const discovered = this.registry.list().map(project => summarizeDiscovered(project))
    return [...own, ...discovered]
  }

  project (id: string): ProjectSummary | undefined {
    const own = this.own.get(id)
    if (own != null) return this.summarizeOwn(own)
    const discovered = this.registry.get(id)
    return discovered == null ? undefined : summarizeDiscovered(discovered)
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
   * Builds, signs and stores a project, starts coordinating it, then
   * announces it. Throws an InputError for a spec the researcher must fix.
   */
  async publish (spec: ProjectSpec): Promise<ProjectSummary> {
    const manifest = await buildProject(spec, { privateKey: this.privateKey, blobs: this.blobs })
    await this.coordinator.addProject(manifest)
    await this.store.projects.put(manifest.id, manifest.signedBytes)
    const project: OwnProject = { manifest, progress: { done: 0, total: manifest.chunkCount, volunteers: 0, status: 'running' } }
    this.own.set(manifest.id, project)
    await this.refreshProgress(project)
    const summary = this.summarizeOwn(project)
    this.emit('project:announced', summary)
    await this.announcer.announce(manifest, project.progress)
    return summary
  }

  /** Resolves when an own project is done or failed (or the node stops); answers its status. */
  async waitUntilFinished (projectId: string, options: AbortOptions = {}): Promise<'running' | 'done' | 'failed'> {
    if (this.coordinator.progress(projectId) == null) {
      const record = await loadProjectRecord(this.store, projectId)
      if (record == null) throw new InputError(`project ${projectId} is not one of this peer's projects`)
      return record.status
    }
    return await this.coordinator.waitUntilFinished(projectId, options.signal)
  }

  /** Own projects this peer coordinates now (running ones, and those finished since it started). */
  coordinatedProjectIds (): string[] {
    return this.coordinator.projectIds()
  }

  /** When a volunteer of a coordinated project last reached this peer (ms since epoch). */
  lastContact (projectId: string, volunteer: string): number | undefined {
    return this.coordinator.snapshot(projectId)?.volunteers.find(v => v.peer === volunteer)?.lastSeen
  }

  /** Figures of an own project; undefined for a project that is not this peer's. */
  async projectStats (projectId: string): Promise<ProjectStats | undefined> {
    const records = await this.projectRecords(projectId)
    if (records == null) return undefined
    return await withFoldedResult(computeProjectStats(records, Date.now()), this.store, this.foldedResults)
  }

  async status (): Promise<StatusReport> {
    const stats = await Promise.all(this.ownProjectIds().map(async id => await this.projectStats(id)))
    return { peerId: this.peerId, name: this.name, running: true, projects: stats.filter(s => s != null) }
  }

  async health (): Promise<HealthStats> {
    const snapshots = this.coordinator.projectIds().map(id => this.coordinator.snapshot(id)).filter(s => s != null)
    return healthStats({
      peersConnected: this.tracker.list().filter(p => p.connected).length,
      projectsKnown: this.own.size + this.registry.list().length,
      connections: this.libp2p.getConnections().length,
      chunkStates: snapshots.flatMap(s => s.chunks.map(c => c.state)),
      responseSamples: snapshots.flatMap(s => s.responseSamples)
    })
  }

  /** Top volunteers by verified FLOPs, from the receipts this peer issued and earned. */
  async leaderboard (): Promise<LeaderboardEntry[]> {
    // The UI asks several times a second: the ledger is read again only after a receipt may have been added.
    this.receipts ??= ledgerReceipts(this.store).catch(err => {
      this.receipts = undefined
      throw err
    })
    const receipts = await this.receipts
    const names = new Map<string, string>()
    for (const { volunteer } of receipts) {
      const name = this.nameOf(volunteer)
      if (name != null) names.set(volunteer, name)
    }
    return leaderboard(receipts, { names })
  }

  /** Finished own projects, most recent first. */
  async history (): Promise<HistoryEntry[]> {
    return await listHistory(this.store)
  }

  /** Streams the verified result of an own, finished project to a file. */
  async exportProject (projectId: string, format: ExportFormat, path: string, options: AbortOptions = {}): Promise<ExportSummary> {
    return await exportProject(this.store, projectId, format, path, options)
  }


  /** Publishes a past project's spec again, as a new project. */
  async replay (projectId: string): Promise<ProjectSummary> {
    return await this.publish(await loadReplaySpec(this.store, this.blobs, projectId))
  }

  // --- this peer as a volunteer ---

  /**
   * Starts contributing to a discovered project, leaving the current one.
   * Resolves once the run has started; its `finished` settles when this peer
   * leaves the project (done, failed, max chunks, refused, unreachable, or
   * `leave()`). Throws InputError for a project it cannot or may not run.
   */
  async join (projectId: string, options: JoinOptions = {}): Promise<VolunteerRun> {
    if (this.own.has(projectId)) throw new InputError(`project ${projectId} is this peer's own: volunteers are other peers`)
    const project = this.registry.get(projectId)
    if (project == null) throw new InputError(`project ${projectId} has not been announced to this peer`)
    if (project.progress.status === 'done' || project.progress.status === 'failed') throw new InputError(`project ${projectId} is ${project.progress.status}`)
    // Connect to the owner now: libp2p 3 does not dial discovered peers by itself.
    this.dialer.dial(peerIdFromString(project.manifest.owner), project.ownerAddresses)
    return await this.volunteering.join(project.manifest, options)
  }

  /** Stops contributing and releases this peer's leases. */
  async leave (): Promise<void> {
    await this.volunteering.leave()
  }

  async pause (): Promise<void> {
    await this.setPrefs({ paused: true })
  }

  async resume (): Promise<void> {
    await this.setPrefs({ paused: false })
  }

  prefs (): VolunteerPrefs {
    return this.volunteering.prefs()
  }

  /** Changes (and, by default, persists) the volunteer preferences; answers those now in force. */
  async setPrefs (change: Partial<VolunteerPrefs>, options: SetPrefsOptions = {}): Promise<VolunteerPrefs> {
    const prefs = await this.volunteering.setPrefs(change, options)
    this.emit('work:status', this.volunteering.status())
    return prefs
  }

  volunteerStatus (): VolunteerStatus {
    return this.volunteering.status()
  }

  /**
   * Starts the volunteer policy (idle, battery, schedule, CPU, snooze) with
   * this machine's sources; the volunteer loop obeys it from then on. Answers
   * the policy in force, its state and what each source found here.
   */
  async startPolicy (options: PolicyStart): Promise<PolicyReport> {
    const report = await this.volunteering.policy.start(options)
    this.emit('work:status', this.volunteering.status())
    return report
  }

  /** The volunteer policy's state now; undefined when this peer does not run it. */
  policyState (): PolicyState | undefined {
    return this.volunteering.policy.state()
  }

  volunteerPolicy (): VolunteerPolicy | undefined {
    return this.volunteering.policy.policy()
  }

  /** Changes the running policy (a snooze, the UI's settings) and keeps it in the data dir. */
  async updatePolicy (update: Partial<VolunteerPolicy>): Promise<PolicyState> {
    const state = await this.volunteering.policy.update(update)
    this.emit('work:status', this.volunteering.status())
    return state
  }

  /** The project this peer is contributing to now, if any. */
  currentRun (): VolunteerRun | undefined {
    return this.volunteering.currentRun()
  }

  /** The compute device volunteering uses (opened on first use, then reused). */
  async computeDevice (): Promise<ComputeDevice> {
    return await this.volunteering.computeDevice()
  }

  async deviceSummary (): Promise<DeviceSummary> {
    return await this.volunteering.deviceSummary()
  }

  /** Replaces where own projects' progress comes from. */
  setProgressProvider (provider: ProgressProvider): void {
    this.progressProvider = provider
  }

  /** Announces every own project now (e.g. after a status change). */
  async announceNow (): Promise<void> {
    await Promise.all([...this.own.values()].map(async project => { await this.refreshProgress(project) }))
    await this.announcer.announceAll()
  }

  /** What this peer knows of its reachability beyond the LAN: public addresses, NAT, relays, paths. */
  reachability (): ReachabilityReport {
    return this.reach.report()
  }

  /** `mesh doctor`: the reachability report with a verdict (and its fix) per finding, and the path to each project's researcher. */
  doctor (): DoctorReport {
    return this.reach.doctor(this.projects().map(p => ({ id: p.id, name: p.name, owner: p.owner, ...(p.ownerName != null ? { ownerName: p.ownerName } : {}), own: p.own, status: p.status })), this.addresses())
  }

  /** Connects to the researchers of the discovered running projects (for `mesh doctor`, which then sees the paths to them). */
  reachResearchers (): void {
    for (const project of this.registry.list()) {
      if (project.offline || project.progress.status === 'done' || project.progress.status === 'failed') continue
      this.dialer.dial(peerIdFromString(project.manifest.owner), project.ownerAddresses)
    }
  }

  /** Gossipsub's score of a peer, as this node sees it (negative after invalid messages). */
  gossipScore (peerId: string): number {
    return (this.libp2p.services.pubsub as unknown as { getScore: (id: string) => number }).getScore(peerId)
  }

  async stop (): Promise<void> {
    this.stopping ??= this.shutdown()
    await this.stopping
  }

  private async begin (webCertificate?: PageCertificate): Promise<void> {
    await this.registry.load()
    await this.volunteering.start()
    this.coordinator.start()
    await this.coordinator.resume()
    await this.loadOwnProjects()
    this.knownNames = await KnownNames.load(this.store, this.log)
    if (this.name != null) this.knownNames.remember(this.peerId, this.name)
    this.addEventListener('project:done', ({ detail }) => { this.projectFinished(detail.projectId) })
    this.addEventListener('project:failed', ({ detail }) => { this.projectFinished(detail.projectId) })
    this.addEventListener('chunk:verified', ({ detail }) => {
      this.receipts = undefined
      const name = this.tracker.nameOf(detail.volunteer)
      if (name != null) this.knownNames?.remember(detail.volunteer, name)
    })
    this.addEventListener('work:status', () => { this.receipts = undefined })
    this.addEventListener('project:updated', ({ detail }) => {
      if (!detail.own && (detail.status === 'done' || detail.status === 'failed')) void this.volunteering.projectOver(detail.id, detail.status)
    })
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
    if (this.config.controlSocket) await this.serveControl()
    this.tracker.start()
    this.dialer.start()
    await this.libp2p.start()
    if (this.config.web != null && webCertificate != null) await this.serveWebPage(this.config.web, webCertificate)
    this.announcer.start()
    this.rendezvous.start()
    this.reach.start()
    this.blobCache.start()
    this.timers = [
      setInterval(() => { this.registry.sweep() }, OFFLINE_SWEEP_MS),
      setInterval(() => { void this.refreshAllProgress() }, PROGRESS_REFRESH_MS)
    ]
    if (this.own.size > 0) void this.announceNow()
  }

  private async serveWebPage (web: WebPageOptions, certificate: PageCertificate): Promise<void> {
    const isResearcher = (peerId: string): boolean => this.registry.list().some(project => project.manifest.owner === peerId && !project.offline)
    this.webPage = await VolunteerPageServer.start(web, {
      peerId: this.peerId,
      name: this.name,
      certificate,
      bridgeTargets: meshBridgeTargets(this.libp2p, isResearcher),
      log: message => { this.log(message) }
    })
  }

  private async shutdown (): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    await this.control?.close().catch(() => {})
    await this.webPage?.close().catch(() => {})
    // Leases are released over the network, so before libp2p stops.
    await this.volunteering.stop()
    this.coordinator.stop()
    this.announcer.stop()
    this.dialer.stop()
    await this.rendezvous.stop()
    await this.reach.stop()
    this.tracker.stop()
    await this.libp2p.stop()
    await this.recording
    await this.blobCache.stop()
    await this.store.close()
  }

  /** `mesh status` and `mesh export` reach this peer through a socket in the data dir; a peer without one still runs. */
  private async serveControl (): Promise<void> {
    try {
      this.control = await ControlServer.listen(this.config.dataDir, controlHandlers(this))
    } catch (err: any) {
      this.log.error('cannot serve the control socket in %s - %e', this.config.dataDir, err)
    }
  }

  /**
   * Own projects: those the coordinator resumed, and finished ones from the
   * store. A stored own manifest the coordinator never took on (its inputs
   * were refused) is not listed: nobody would ever compute it.
   */
  private async loadOwnProjects (): Promise<void> {
    for await (const [id, bytes] of this.store.projects.iterator()) {
      let manifest: ProjectManifest
      try {
        manifest = await decodeSignedManifest(bytes)
      } catch {
        continue
      }
      if (manifest.owner !== this.peerId) continue
      const record = await loadProjectRecord(this.store, id)
      if (record == null || (record.status === 'running' && this.coordinator.progress(id) == null)) {
        this.log('own project %s is not coordinated; not listed', id)
        continue
      }
      const project: OwnProject = { manifest, progress: { done: 0, total: manifest.chunkCount, volunteers: 0, status: record.status } }
      this.own.set(id, project)
      await this.refreshProgress(project)
      if (record.status !== 'running' && !(await hasHistory(this.store, id))) await this.recordHistory(id)
    }
  }

  /** A project finished: its history entry is written and the news announced at once. */
  private projectFinished (projectId: string): void {
    if (!this.own.has(projectId)) return
    const recording = this.recordHistory(projectId).catch((err: Error) => { this.log.error('recording the history of %s failed - %e', projectId, err) })
    this.recording = Promise.all([this.recording, recording]).then(() => {})
    void this.refreshAllProgress()
  }

  private async recordHistory (projectId: string): Promise<void> {
    const project = this.own.get(projectId)
    const records = await this.projectRecords(projectId)
    if (project == null || records == null) return
    const entry = historyEntry({ ...records, finishedAt: records.finishedAt ?? Date.now() })
    await writeHistory(this.store, entry, project.manifest)
  }

  /** An own project's raw records: live from the coordinator, else from the store. */
  private async projectRecords (projectId: string): Promise<ProjectRecords | undefined> {
    const project = this.own.get(projectId)
    if (project == null) return undefined
    const summary = this.summarizeOwn(project)
    const snapshot = this.coordinator.snapshot(projectId)
    if (snapshot != null) return recordsFromSnapshot(summary, snapshot, peer => this.nameOf(peer))
    return await recordsFromStore(this.store, project.manifest, summary, peer => this.nameOf(peer))
  }

  private nameOf (peer: string): string | undefined {
    return peer === this.peerId ? this.name : this.tracker.nameOf(peer) ?? this.knownNames?.get(peer)
  }

  private async refreshAllProgress (): Promise<void> {
    for (const project of this.own.values()) {
      // A finished project the coordinator does not hold cannot change: no need to count its results again.
      if (project.progress.status !== 'running' && this.coordinator.progress(project.manifest.id) == null) continue
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
    const progress = this.coordinator.progress(project.manifest.id) ?? project.progress
    return summarizeProject(project.manifest, { progress, own: true, offline: false, lastHeard: Date.now(), ownerName: this.name })
  }

  private emit<K extends keyof MeshEvents> (type: K, detail: MeshEvents[K]): void {
    this.safeDispatchEvent(type, { detail } as any)
  }
}

export type { AnnouncedProgress, OwnProgress, ProgressProvider, ProjectSpec }

/** The page's certificate: the lab's (`--web-cert`, `--web-key`) or this peer's own, kept in its data dir. */
async function pageCertificateFor (web: WebPageOptions, dataDir: string): Promise<PageCertificate> {
  const files = web.certificateFiles
  return files != null ? await loadLabCertificate(files.cert, files.key) : await ownPageCertificate(dataDir)
}
