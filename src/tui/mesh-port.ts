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

  peers(): MaybePromise<PeerSummary[]>
  /** Own and discovered projects. */
  projects(): MaybePromise<ProjectSummary[]>
  /** Figures of an own project; undefined for a project this peer does not coordinate. */
  projectStats(projectId: string): MaybePromise<ProjectStats | undefined>
  health(): MaybePromise<HealthStats>
  leaderboard(): MaybePromise<LeaderboardEntry[]>
  history(): MaybePromise<HistoryEntry[]>
  volunteerStatus(): MaybePromise<VolunteerStatus>
  prefs(): MaybePromise<VolunteerPrefs>
  /** Changes and persists volunteer preferences; answers the preferences now in force. */
  setPrefs(change: Partial<VolunteerPrefs>, options?: PortCallOptions): Promise<VolunteerPrefs>

  /** One-line problems with a spec (missing file, bad shape, WGSL error), checked before anything is announced. */
  validatePublish(spec: PublishSpec, options?: PortCallOptions): Promise<string[]>
  /** Builds, signs, stores and announces a project. */
  publish(spec: PublishSpec, options?: PortCallOptions): Promise<ProjectSummary>
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

export interface PortCallOptions {
  readonly signal?: AbortSignal
}

export interface JoinOptions extends PortCallOptions {
  /** The volunteer has read and accepted the project's researcher-written WGSL. */
  readonly acceptCustomWgsl: boolean
}

export type ExportFormat = 'npy' | 'csv' | 'json'
export const exportFormats: readonly ExportFormat[] = ['npy', 'csv', 'json']

export type MeshEventName = keyof MeshEvents
/** The events of src/node/types.ts as the CustomEvents a MeshNode dispatches. */
export type MeshEventMap = { [K in MeshEventName]: CustomEvent<MeshEvents[K]> }

/** Choices shared by both kernels: the same as `mesh publish`'s flags. */
export interface PublishCommon {
  readonly name: string
  readonly description?: string
  /** Rows of the split input per chunk; the kernel's default when absent. */
  readonly rowsPerChunk?: number
  /** Distinct volunteers whose results must agree (1 = no replication). */
  readonly redundancy?: number
  /** Fraction of chunks recomputed on this peer with the CPU reference. */
  readonly spotCheck?: number
}

/** Where a matmul's A and B come from: generated of a size or shape, or .npy files. */
export type MatmulInputs =
  | { readonly from: 'size', readonly size: number, readonly seed?: number }
  | { readonly from: 'shape', readonly m: number, readonly k: number, readonly n: number, readonly seed?: number }
  | { readonly from: 'files', readonly aPath: string, readonly bPath: string }

export interface MatmulPublishSpec extends PublishCommon {
  readonly kernel: 'matmul'
  readonly inputs: MatmulInputs
}

export interface MapPublishSpec extends PublishCommon {
  readonly kernel: 'map'
  readonly wgslPath: string
  /** CSV with a header row, JSON array of rows, or 2-D .npy. */
  readonly dataPath: string
  readonly outCols: number
}

export type PublishSpec = MatmulPublishSpec | MapPublishSpec
