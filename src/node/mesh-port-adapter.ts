import { resolve } from 'node:path'
import { InputError } from '../errors.ts'
import type {
  ExportFormat, JoinOptions, MeshEventMap, MeshEventName, MeshPort, PolicyView, PortCallOptions, PublishSpec, PublishedProject, RunEnd, VolunteerState
} from '../tui/mesh-port.ts'
import type { MeshNode } from './mesh-node.ts'
import type { VolunteerPolicy } from './volunteer/policy/index.ts'
import { loadProject, type LoadedProject } from './publish/publish-request.ts'
import type { DoctorReport } from './doctor/doctor.ts'
import type {
  DeviceSummary, HealthStats, HistoryEntry, LeaderboardEntry, PeerSummary, ProjectStats, ProjectSummary, VolunteerPrefs
} from './types.ts'

/** What the adapter uses of a MeshNode. */
export type PortNode = Pick<MeshNode<any>,
  'peerId' | 'name' | 'peers' | 'projects' | 'projectStats' | 'health' | 'doctor' | 'leaderboard' | 'history' | 'volunteerStatus' |
  'prefs' | 'setPrefs' | 'publish' | 'join' | 'pause' | 'resume' | 'leave' | 'exportProject' | 'replay' | 'stop' |
  'startPolicy' | 'policyState' | 'volunteerPolicy' | 'updatePolicy' | 'addEventListener' | 'removeEventListener' | 'webPageUrls' | 'webPageFingerprint'>

export interface MeshPortOptions {
  /** Policy fields for this run only, over what the data dir keeps (not saved). */
  readonly policy?: Partial<VolunteerPolicy>
}

/**
 * The terminal UI's view of a running MeshNode (src/tui/mesh-port.ts): a
 * thin layer that turns the publish form's request into a checked project
 * spec and otherwise passes calls through. `stop()` stops the peer.
 */
export class MeshPortAdapter implements MeshPort {
  readonly peerId: string
  readonly name: string
  /** Specs already loaded by validatePublish, so publishing the same request reads its files (and runs its trial) once. */
  private readonly loaded = new WeakMap<PublishSpec, LoadedProject>()
  /** How the latest run ended; `runs` counts joins, so an older run ending late is not taken for it. */
  private ended?: RunEnd
  private runs = 0

  constructor (private readonly node: PortNode, readonly device: DeviceSummary) {
    this.peerId = node.peerId
    this.name = node.name
  }

  webPageUrls (): string[] { return this.node.webPageUrls() }
  webPageFingerprint (): string | undefined { return this.node.webPageFingerprint() }
  peers (): PeerSummary[] { return this.node.peers() }
  projects (): ProjectSummary[] { return this.node.projects() }
  async projectStats (projectId: string): Promise<ProjectStats | undefined> { return await this.node.projectStats(projectId) }
  async health (): Promise<HealthStats> { return await this.node.health() }
  doctor (): DoctorReport { return this.node.doctor() }
  async leaderboard (): Promise<LeaderboardEntry[]> { return await this.node.leaderboard() }
  async history (): Promise<HistoryEntry[]> { return await this.node.history() }
  volunteerStatus (): VolunteerState {
    const status = this.node.volunteerStatus()
    return this.ended != null && this.ended.projectId === status.projectId ? { ...status, ended: this.ended } : status
  }
  prefs (): VolunteerPrefs { return this.node.prefs() }

  async setPrefs (change: Partial<VolunteerPrefs>): Promise<VolunteerPrefs> {
    return await this.node.setPrefs(change)
  }

  /** Starts the volunteer policy with the UI's defaults: a person works at this machine, so compute when it is idle. */
  async startPolicy (update?: Partial<VolunteerPolicy>): Promise<void> {
    await this.node.startPolicy({ mode: 'ui', ...(update != null ? { update, persist: false } : {}) })
  }

  policy (): PolicyView | undefined {
    const policy = this.node.volunteerPolicy()
    const state = this.node.policyState()
    return policy == null || state == null ? undefined : { policy, state }
  }

  async updatePolicy (update: Partial<VolunteerPolicy>): Promise<PolicyView> {
    const state = await this.node.updatePolicy(update)
    const policy = this.node.volunteerPolicy()
    if (policy == null) throw new Error('the volunteer policy is not running on this peer')
    return { policy, state }
  }

  /** Loads and checks the request as `mesh publish` does; each problem the researcher must fix is one line. */
  async validatePublish (spec: PublishSpec): Promise<string[]> {
    try {
      this.loaded.set(spec, await loadProject(spec))
      return []
    } catch (err) {
      if (err instanceof InputError) return [err.message]
      throw err
    }
  }

  async publish (spec: PublishSpec): Promise<PublishedProject> {
    const { spec: project, notes } = this.loaded.get(spec) ?? await loadProject(spec)
    this.loaded.delete(spec)
    return { ...await this.node.publish(project), notes }
  }

  /** Resolves once the run has started; the run itself goes on until the project ends or `leave()`. */
  async join (projectId: string, options: JoinOptions): Promise<void> {
    const run = await this.node.join(projectId, { acceptCustomWgsl: options.acceptCustomWgsl })
    const token = ++this.runs
    this.ended = undefined
    run.finished.then(({ projectId, outcome, reason }) => {
      if (token === this.runs) this.ended = { projectId, outcome, ...(reason != null ? { reason } : {}) }
    }, () => {})
  }

  async pause (): Promise<void> { await this.node.pause() }
  async resume (): Promise<void> { await this.node.resume() }
  async leave (): Promise<void> { await this.node.leave() }

  /** A relative path is relative to the directory `mesh` was started in. */
  async exportProject (projectId: string, format: ExportFormat, path: string, options: PortCallOptions = {}): Promise<void> {
    await this.node.exportProject(projectId, format, resolve(path), options)
  }

  async replay (historyProjectId: string): Promise<ProjectSummary> {
    return await this.node.replay(historyProjectId)
  }

  addEventListener<K extends MeshEventName> (type: K, listener: ((event: MeshEventMap[K]) => void) | null): void {
    this.node.addEventListener(type, listener)
  }

  removeEventListener<K extends MeshEventName> (type: K, listener: ((event: MeshEventMap[K]) => void) | null): void {
    this.node.removeEventListener(type, listener)
  }

  async stop (): Promise<void> {
    await this.node.stop()
  }
}

/**
 * The UI's port over a started peer. The compute device is opened here, so
 * the home screen can name it (volunteering reuses it); a machine without
 * one still gets the UI, which says why, and can publish. The volunteer
 * policy starts here too, with the UI's defaults.
 */
export async function meshPortFor (node: PortNode & Pick<MeshNode<any>, 'deviceSummary'>, options: MeshPortOptions = {}): Promise<MeshPortAdapter> {
  let device: DeviceSummary
  try {
    device = await node.deviceSummary()
  } catch (err: any) {
    device = { backend: 'none', featureLevel: 'none', description: `no compute device: ${String(err?.message ?? err).split('\n')[0]}`, fallbackReasons: [] }
  }
  const port = new MeshPortAdapter(node, device)
  await port.startPolicy(options.policy)
  return port
}
