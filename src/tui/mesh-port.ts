import type { PublishRequest } from '../node/publish/publish-request.ts'
import type { DoctorReport } from '../node/doctor/doctor.ts'
import type { RunOutcome } from '../node/volunteer/project-worker.ts'
import type { PolicyState, VolunteerPolicy } from '../node/volunteer/policy/index.ts'
import type {
  DeviceSummary, HealthStats, HistoryEntry, LeaderboardEntry, MeshEvents, PeerSummary, ProjectStats,
  ProjectSummary, VolunteerPrefs, VolunteerStatus
} from '../node/types.ts'

/**
 * Everything the terminal UI needs from a running peer, and nothing more.
 * MeshNode implements it structurally; the UI never sees libp2p, LevelDB or
 * WebGPU. Readers may answer at once or with a promise (the UI awaits both).
 */
export interface MeshPort {
  readonly peerId: string
  /** Display name of this peer. */
  readonly name: string
  readonly device: DeviceSummary
  /** The URLs of the volunteer page this peer serves (`--web`), the one to share first; empty without one. */
  webPageUrls(): readonly string[]
  /** The SHA-256 fingerprint of the page's certificate when this peer made it itself (the browser warns once; the volunteer compares it). */
  webPageFingerprint(): string | undefined

  peers(): MaybePromise<PeerSummary[]>
  /** Own and discovered projects. */
  projects(): MaybePromise<ProjectSummary[]>
  /** Figures of an own project; undefined for a project this peer does not coordinate. */
  projectStats(projectId: string): MaybePromise<ProjectStats | undefined>
  health(): MaybePromise<HealthStats>
  /** `mesh doctor`'s verdicts on reachability beyond the LAN; absent where the port cannot tell. */
  doctor?(): MaybePromise<DoctorReport>
  leaderboard(): MaybePromise<LeaderboardEntry[]>
  history(): MaybePromise<HistoryEntry[]>
  volunteerStatus(): MaybePromise<VolunteerState>
  prefs(): MaybePromise<VolunteerPrefs>
  /** Changes and persists volunteer preferences; answers the preferences now in force. */
  setPrefs(change: Partial<VolunteerPrefs>, options?: PortCallOptions): Promise<VolunteerPrefs>
  /** When this peer computes (idle, battery, schedule, snooze) and why it pauses; undefined when it runs no policy. */
  policy(): MaybePromise<PolicyView | undefined>
  /** Changes and persists the policy (a snooze: `{ snoozeUntil }`); answers it with its state now. */
  updatePolicy(update: Partial<VolunteerPolicy>, options?: PortCallOptions): Promise<PolicyView>

  /** One-line problems with a spec (missing file, bad shape, WGSL error), checked before anything is announced. */
  validatePublish(spec: PublishSpec, options?: PortCallOptions): Promise<string[]>
  /** Builds, signs, stores and announces a project; answers it with what the researcher should know (trial sizing). */
  publish(spec: PublishSpec, options?: PortCallOptions): Promise<PublishedProject>
  /** Starts contributing to a project (leaving the current one, if any). */
  join(projectId: string, options: JoinOptions): Promise<void>
  pause(options?: PortCallOptions): Promise<void>
  resume(options?: PortCallOptions): Promise<void>
  /** Stops contributing and releases this peer's leases. */
  leave(options?: PortCallOptions): Promise<void>
  /** Writes the verified result of an own, finished project. */
  exportProject(projectId: string, format: ExportFormat, path: string, options?: PortCallOptions): Promise<void>
  /** Publishes the spec of a past project again, as a new project. */
  replay(historyProjectId: string, options?: PortCallOptions): Promise<ProjectSummary>

  addEventListener<K extends MeshEventName>(type: K, listener: ((event: MeshEventMap[K]) => void) | null): void
  removeEventListener<K extends MeshEventName>(type: K, listener: ((event: MeshEventMap[K]) => void) | null): void
}

export type MaybePromise<T> = T | Promise<T>

/** A published project and the notes of loading it (the trial's chunk sizing, a device that cannot run it). */
export type PublishedProject = ProjectSummary & { readonly notes?: readonly string[] }

/** How this peer's last run as a volunteer ended, once it has. */
export interface RunEnd {
  readonly projectId: string
  /** unsupported: this peer's device cannot compute the project; refused, unreachable: the researcher's doing. */
  readonly outcome: RunOutcome
  readonly reason?: string
}

/** The volunteer policy as the UI shows it. */
export interface PolicyView {
  readonly policy: VolunteerPolicy
  readonly state: PolicyState
}

/** The volunteer's status, with how the run on `projectId` ended when it has. */
export type VolunteerState = VolunteerStatus & { readonly ended?: RunEnd }

export interface PortCallOptions {
  readonly signal?: AbortSignal
}

export interface JoinOptions extends PortCallOptions {
  /** The volunteer has read and accepted the project's researcher-written WGSL. */
  readonly acceptCustomWgsl: boolean
}

export type ExportFormat = 'npy' | 'csv' | 'json' | 'png'
export const exportFormats: readonly ExportFormat[] = ['npy', 'csv', 'json', 'png']

export type MeshEventName = keyof MeshEvents
/** The events of src/node/types.ts as the CustomEvents a MeshNode dispatches. */
export type MeshEventMap = { [K in MeshEventName]: CustomEvent<MeshEvents[K]> }

/**
 * What the publish form produces: the same request as `mesh publish`'s flags
 * (paths and sizes, not matrices), loaded and checked by the peer.
 */
export type PublishSpec = PublishRequest
export type { MatmulInputs } from '../node/publish/publish-request.ts'
