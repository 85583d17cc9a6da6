import { createLibp2p, type Libp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, type Identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { TypedEventEmitter, type PeerId, type PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { pageBridge } from './bridge-transport.ts'
import { bridgeAddress, type PageOrigin } from './page-config.ts'
import { ANNOUNCE_TOPIC, MAX_ANNOUNCEMENT_BYTES, announcementValidator } from '../../protocols/announce.ts'
import { work, type Work } from '../../protocols/work/index.ts'
import { blob, type BlobTransfer } from '../../protocols/blob/index.ts'
import { openStore, type MeshStore } from '../../store/store.ts'
import { BlobStore } from '../../store/blob-store.ts'
import { loadOrCreateIdentity } from '../../node/network/identity.ts'
import { ProjectRegistry } from '../../node/discovery/project-registry.ts'
import { summarizeDiscovered } from '../../node/project-summary.ts'
import { Volunteer, type JoinOptions } from '../../node/volunteer/index.ts'
import { listEarnedReceipts } from '../../node/volunteer/ledger.ts'
import { loadPrefs, savePrefs } from '../../node/volunteer/prefs.ts'
import { InputError } from '../../errors.ts'
import type { VolunteerRun } from '../../node/volunteer/volunteering.ts'
import type { MeshEventMap } from '../../node/coordinator/events.ts'
import type { ProjectSummary, VolunteerPrefs, VolunteerStatus } from '../../node/types.ts'
import type { Receipt } from '../../node/metrics.ts'
import type { GpuComputeDevice } from '../../compute/device/gpu-device.ts'

/** The IndexedDB database of the tab's peer: its key, earned receipts, preferences and cached inputs. */
export const PAGE_DATABASE = 'constellation-mesh-volunteer'
/** How often the serving peer is dialled again after the connection dropped. */
const REDIAL_MS = 3_000
const DIAL_TIMEOUT_MS = 10_000
const RESEARCHER_DIAL_ATTEMPTS = 4
const RESEARCHER_REDIAL_MS = 1_000
/** How often announced projects are checked for owners gone quiet (as MeshNode does). */
const OFFLINE_SWEEP_MS = 1_000

type PageServices = { identify: Identify, pubsub: GossipSub, work: Work, blob: BlobTransfer }

export interface BrowserPeerInit {
  /** The page's origin: the tab reaches every peer through the serving peer's bridge there. */
  readonly origin: PageOrigin
  /** The peer that served the page. */
  readonly servingPeerId: string
  readonly device: GpuComputeDevice
  /** Shown to researchers (identify's agent version), e.g. "browser tab". */
  readonly name: string
  /** The IndexedDB database; default PAGE_DATABASE. */
  readonly database?: string
}

/**
 * The tab's mesh peer: a js-libp2p node over WebSockets with the mesh's own
 * protocols (the announcement topic and its validator, work, blob), its key
 * and receipts in IndexedDB (the same store layout as a Node peer's), the
 * announced projects (the same registry), and the same volunteer loop
 * computing on the tab's GPU. It offers what `volunteerUntil` drives
 * (projects, join, prefs, events), so `?auto=1` is `mesh volunteer --auto`.
 */
export class BrowserPeer extends TypedEventEmitter<MeshEventMap> {
  readonly peerId: string
  private readonly registry: ProjectRegistry
  private readonly volunteer: Volunteer
  private current: VolunteerPrefs
  private run?: VolunteerRun
  private timers: Array<ReturnType<typeof setInterval>> = []
  private stopped = false
  private redialing?: ReturnType<typeof setTimeout>
  private readonly servingPeer: PeerId

  private constructor (
    readonly libp2p: Libp2p<PageServices>,
    readonly store: MeshStore,
    readonly blobs: BlobStore,
    private readonly init: BrowserPeerInit,
    prefs: VolunteerPrefs
  ) {
    super()
    this.peerId = libp2p.peerId.toString()
    this.current = prefs
    this.servingPeer = peerIdFromString(init.servingPeerId)
    this.registry = new ProjectRegistry({
      store,
      selfId: this.peerId,
      log: libp2p.logger.forComponent('mesh:registry'),
      onAnnounced: project => { this.safeDispatchEvent('project:announced', { detail: summarizeDiscovered(project) }) },
      onUpdated: project => { this.safeDispatchEvent('project:updated', { detail: summarizeDiscovered(project) }) },
      onOffline: project => { this.safeDispatchEvent('project:offline', { detail: summarizeDiscovered(project) }) }
    })
    this.volunteer = new Volunteer({ libp2p, store, blobs, device: init.device, events: this, prefs })
  }

  static async start (init: BrowserPeerInit): Promise<BrowserPeer> {
    const store = await openStore(init.database ?? PAGE_DATABASE)
    try {
      const privateKey = await loadOrCreateIdentity(store)
      const blobs = new BlobStore(store)
      await blobs.removeIncomplete()
      const libp2p = await createPageLibp2p(privateKey, init.name)
      const peer = new BrowserPeer(libp2p, store, blobs, init, await loadPrefs(store))
      await peer.begin()
      return peer
    } catch (err) {
      await store.close()
      throw err
    }
  }

  /** Announced projects, as the Node peers list them. */
  projects (): ProjectSummary[] {
    return this.registry.list().map(project => summarizeDiscovered(project))
  }

  project (id: string): ProjectSummary | undefined {
    const project = this.registry.get(id)
    return project == null ? undefined : summarizeDiscovered(project)
  }

  prefs (): VolunteerPrefs {
    return this.current
  }

  async setPrefs (change: Partial<VolunteerPrefs>): Promise<VolunteerPrefs> {
    // In force at once (a second change while the first is being saved builds on it), then kept.
    const next = { ...this.current, ...change }
    this.volunteer.setPrefs(next)
    this.current = next
    this.safeDispatchEvent('work:status', { detail: this.status() })
    await savePrefs(this.store, next)
    return next
  }

  status (): VolunteerStatus {
    return this.volunteer.status()
  }

  currentRun (): VolunteerRun | undefined {
    return this.run
  }

  /** Whether the tab is connected to the peer that served it. */
  connectedToServingPeer (): boolean {
    return this.libp2p.getConnections(this.servingPeer).length > 0
  }

  /** The receipts this tab's key earned, kept across visits. */
  async receipts (): Promise<Receipt[]> {
    return await listEarnedReceipts(this.store)
  }

  /**
   * Connects to the project's researcher, through the serving peer's bridge
   * (any researcher on the mesh, whatever it listens on), and starts the volunteer loop on it (leaving the
   * current project). Throws InputError for a project this tab cannot run:
   * over, not accepted, or a researcher a browser cannot reach.
   */
  async join (projectId: string, options: JoinOptions = {}): Promise<VolunteerRun> {
    const project = this.registry.get(projectId)
    if (project == null) throw new InputError(`project ${projectId} has not been announced to this tab`)
    if (project.progress.status !== 'running' || project.offline) throw new InputError(`project ${projectId} is ${project.offline ? 'offline' : project.progress.status}`)
    await this.leave()
    const owner = peerIdFromString(project.manifest.owner)
    if (this.libp2p.getConnections(owner).length === 0) await this.dialResearcher(owner, project.manifest.name)
    const finished = this.volunteer.join(project.manifest, options)
    // The loop refuses a project before it starts (custom WGSL not accepted, buffers this device cannot bind): the caller's InputError.
    let refused: unknown
    finished.catch(err => { refused = err })
    await new Promise(resolve => setTimeout(resolve, 0))
    if (refused !== undefined) throw refused
    const run: VolunteerRun = { projectId, finished }
    this.run = run
    finished.catch(() => {}).finally(() => { if (this.run === run) this.run = undefined })
    return run
  }

  /** Stops computing and releases this tab's leases. */
  async leave (): Promise<void> {
    await this.volunteer.stop()
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const timer of this.timers) clearInterval(timer)
    clearTimeout(this.redialing)
    await this.leave()
    await this.libp2p.stop()
    await this.store.close()
  }

  private async begin (): Promise<void> {
    await this.registry.load()
    this.libp2p.services.pubsub.topicValidators.set(ANNOUNCE_TOPIC, announcementValidator({
      accepted: announcement => { this.registry.heard(announcement).catch((err: Error) => { console.warn('recording an announcement failed', err) }) },
      rejected: (from, reason) => { console.warn(`rejected an announcement from ${from.toString()}: ${reason}`) }
    }))
    this.libp2p.addEventListener('peer:disconnect', ({ detail }) => {
      if (detail.equals(this.servingPeer)) this.redialSoon()
    })
    this.addEventListener('project:updated', ({ detail }) => {
      // The researcher announced the project over: stop at once rather than wait for its peer to answer.
      if ((detail.status === 'done' || detail.status === 'failed') && this.run?.projectId === detail.id) {
        setTimeout(() => { if (this.run?.projectId === detail.id) void this.leave() }, 2_000)
      }
    })
    await this.libp2p.start()
    this.libp2p.services.pubsub.subscribe(ANNOUNCE_TOPIC)
    this.timers.push(setInterval(() => { this.registry.sweep() }, OFFLINE_SWEEP_MS))
    await this.dialServingPeer()
  }

  private async dialServingPeer (): Promise<void> {
    try {
      await this.libp2p.dial(bridgeAddress(this.init.origin, this.init.servingPeerId), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
    } catch (err: any) {
      console.warn('dialling the serving peer failed', err)
      this.redialSoon()
    }
    this.safeDispatchEvent('work:status', { detail: this.status() })
  }

  private redialSoon (): void {
    if (this.stopped || this.redialing != null) return
    this.safeDispatchEvent('work:status', { detail: this.status() })
    this.redialing = setTimeout(() => {
      this.redialing = undefined
      if (!this.connectedToServingPeer()) void this.dialServingPeer()
    }, REDIAL_MS)
  }

  /**
   * Tries a few times: tabs bridged through one serving peer reach the
   * researcher from one address, and libp2p lets a host open only a few
   * connections a second, so many tabs starting at once must wait their turn.
   */
  private async dialResearcher (owner: PeerId, projectName: string): Promise<void> {
    const address = bridgeAddress(this.init.origin, owner.toString())
    for (let attempt = 1; ; attempt++) {
      try {
        await this.libp2p.dial(address, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
        return
      } catch (err: any) {
        if (attempt >= RESEARCHER_DIAL_ATTEMPTS || this.stopped) {
          throw new InputError(`cannot reach the researcher of ${projectName} through the peer that served this page (${address.toString()}): ${err?.message ?? err}`)
        }
        await new Promise(resolve => setTimeout(resolve, RESEARCHER_REDIAL_MS * attempt))
      }
    }
  }
}

/** A browser's libp2p: WebSockets to the page's bridge, Noise, Yamux, identify, gossipsub on the announcement topic, the work and blob protocols. */
async function createPageLibp2p (privateKey: PrivateKey, name: string): Promise<Libp2p<PageServices>> {
  return await createLibp2p({
    start: false,
    privateKey,
    addresses: { listen: [] },
    nodeInfo: { name: 'mesh', version: 'browser', userAgent: `mesh/browser name=${encodeURIComponent(name)}` },
    transports: [pageBridge()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // js-libp2p's browser default refuses private and loopback addresses: a lab's page is on its LAN.
    connectionGater: { denyDialMultiaddr: async () => false },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        allowedTopics: [ANNOUNCE_TOPIC],
        maxInboundDataLength: 4 * MAX_ANNOUNCEMENT_BYTES
      }),
      work: work(),
      blob: blob()
    }
  })
}
