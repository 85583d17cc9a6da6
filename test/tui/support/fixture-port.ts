import { TypedEventEmitter } from '@libp2p/interface'
import { computeProjectStats, healthStats, historyEntry, leaderboard, type ChunkRecord, type ProjectRecords } from '../../../src/node/metrics.ts'
import type {
  DeviceSummary, HealthStats, HistoryEntry, LeaderboardEntry, MeshEvents, PeerSummary, ProjectStats,
  ProjectSummary, VolunteerPrefs
} from '../../../src/node/types.ts'
import { UI_DEFAULT_POLICY, checkPolicy, evaluatePolicy, type PolicyReadings, type VolunteerPolicy } from '../../../src/node/volunteer/policy/index.ts'
import type { ExportFormat, JoinOptions, MeshEventMap, MeshPort, PolicyView, PublishSpec, PublishedProject, VolunteerState } from '../../../src/tui/mesh-port.ts'

/**
 * Given state for the UI tests: a MeshPort whose answers are plain data the
 * test sets, built with the real figure functions of src/node/metrics.ts,
 * and which records every call the UI makes. It extends the same event
 * emitter a MeshNode does, so the port's event typing is checked against it.
 */

/** The fixture's clock: real time, so ages the app computes from Date.now() read naturally. */
export const NOW = Date.now()
const GFLOP = 1e9

export const selfId = '12D3KooWSelfPeerAAAAAAAAAAAAAAAAAAAAAAAAAAAAself01'
export const bobId = '12D3KooWBobPeerBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBbob02'
export const carolId = '12D3KooWCarolPeerCCCCCCCCCCCCCCCCCCCCCCCCCCcarol03'

export const device: DeviceSummary = {
  backend: 'opengles', featureLevel: 'compatibility', description: 'llvmpipe (Mesa)', fallbackReasons: ['no core adapter (no Vulkan)']
}

export function project (fields: Partial<ProjectSummary> & Pick<ProjectSummary, 'id' | 'name'>): ProjectSummary {
  return {
    description: '', owner: bobId, ownerName: 'bob', kernel: 'matmul', dims: '512x512 · 512x512',
    chunks: { done: 0, total: 16 }, volunteers: 0, own: false, status: 'running',
    verification: { redundancy: 1, spotCheck: 0 }, createdAt: NOW - 60_000, lastHeard: NOW, ...fields
  }
}

export const wgslSource = [
  'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {',
  '  var out: array<f32, OUT_COLS>;',
  '  out[0] = sqrt(row[0] * row[0] + row[1] * row[1]);',
  '  return out;',
  '}'
].join('\n')

export const ownProject = project({ id: 'proj-own-000001', name: 'mm-own', owner: selfId, ownerName: 'alice', own: true, chunks: { done: 10, total: 24 }, volunteers: 2 })
export const bobProject = project({ id: 'proj-bob-000002', name: 'bob-matmul', chunks: { done: 3, total: 16 }, volunteers: 1 })
export const mapProject = project({ id: 'proj-map-000003', name: 'norms', owner: carolId, ownerName: 'carol', kernel: 'map', dims: '10000 rows -> 1 cols', customWgsl: wgslSource })

export const peers: PeerSummary[] = [
  { id: bobId, name: 'bob', addresses: ['/ip4/10.0.0.2/tcp/4001'], connected: true, lastSeen: NOW - 1_000, rttMs: 3.2 },
  { id: carolId, name: 'carol', addresses: ['/ip4/10.0.0.3/tcp/4001'], connected: true, lastSeen: NOW - 5_000, rttMs: 14 }
]

/** The own project's records: 24 chunks of 2 GFLOP, 10 verified by bob and carol, 3 leased, one lost volunteer. */
export function ownRecords (): ProjectRecords {
  const chunks: ChunkRecord[] = Array.from({ length: 24 }, (_, index) => {
    if (index < 10) {
      return {
        index, state: 'verified', attempts: index === 4 ? 2 : 1, leasedAt: NOW - 10_000 + index * 500, verifiedAt: NOW - 9_000 + index * 800,
        volunteer: index % 2 === 0 ? bobId : carolId, computeMs: 1_500, transferMs: 300, bytesMoved: 2 * 1024 * 1024, flops: 2 * GFLOP
      }
    }
    if (index < 13) return { index, state: 'leased', attempts: 1, leasedAt: NOW - 1_000, volunteer: bobId, flops: 2 * GFLOP }
    return { index, state: 'queued', attempts: index === 13 ? 1 : 0, flops: 2 * GFLOP }
  })
  return {
    project: ownProject,
    chunks,
    startedAt: NOW - 10_000,
    volunteers: [
      { peer: bobId, name: 'bob', status: 'active' },
      { peer: carolId, name: 'carol', status: 'active' },
      { peer: '12D3KooWDaveLostDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDdave04', name: 'dave', status: 'lost' }
    ],
    timeline: [
      { at: NOW - 11_000, kind: 'published', text: 'published mm-own (24 chunks)' },
      { at: NOW - 10_000, kind: 'joined', text: 'bob joined' },
      { at: NOW - 8_000, kind: 'lost', text: 'dave left: chunk 13 requeued' },
      { at: NOW - 7_900, kind: 'requeued', text: 'chunk 13 requeued (connection closed)' },
      { at: NOW - 2_000, kind: 'verified', text: 'chunk 9 verified from carol' }
    ],
    mismatches: 1,
    spotChecks: 2
  }
}

export function ownStats (now = NOW): ProjectStats {
  return computeProjectStats(ownRecords(), now)
}

export function sampleLeaderboard (): LeaderboardEntry[] {
  const receipts = [
    ...Array.from({ length: 6 }, (_, i) => ({ projectId: 'p', chunk: i, volunteer: bobId, flops: 2 * GFLOP, computeMs: 1_500, issuedAt: NOW })),
    ...Array.from({ length: 4 }, (_, i) => ({ projectId: 'p', chunk: 10 + i, volunteer: carolId, flops: 2 * GFLOP, computeMs: 1_600, issuedAt: NOW })),
    { projectId: 'q', chunk: 0, volunteer: selfId, flops: 3 * GFLOP, computeMs: 900, issuedAt: NOW },
    { projectId: 'q', chunk: 1, volunteer: '12D3KooWEveEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEeve05', flops: 1 * GFLOP, computeMs: 400, issuedAt: NOW }
  ]
  return leaderboard(receipts, { names: new Map([[bobId, 'bob'], [carolId, 'carol'], [selfId, 'alice']]) })
}

export function sampleHistory (): HistoryEntry[] {
  const records = ownRecords()
  const done = { ...records, project: { ...records.project, id: 'proj-old-000009', name: 'old-run' }, chunks: records.chunks.map(c => ({ ...c, state: 'verified' as const, verifiedAt: NOW - 1_000, volunteer: bobId, computeMs: 1_000, flops: 2 * GFLOP })) }
  return [historyEntry({ ...done, finishedAt: NOW - 500 })]
}

export interface FixtureState {
  peers: PeerSummary[]
  projects: ProjectSummary[]
  stats: Map<string, ProjectStats>
  health: HealthStats
  leaderboard: LeaderboardEntry[]
  history: HistoryEntry[]
  status: VolunteerState
  prefs: VolunteerPrefs
  /** What validatePublish answers. */
  publishProblems: string[]
  /** The notes publish answers with (a trial's chunk sizing). */
  publishNotes: string[]
  /** The volunteer policy; undefined: this peer runs none. */
  policy?: VolunteerPolicy
  /** What the policy's sources read (the real engine turns them into its state). */
  readings: Omit<PolicyReadings, 'now'>
  /** The volunteer page's URLs (`--web`); none by default. */
  webPageUrls: string[]
  webPageFingerprint?: string
}

export function defaultFixtureState (): FixtureState {
  return {
    peers: [...peers],
    projects: [ownProject, bobProject, mapProject],
    stats: new Map([[ownProject.id, ownStats()]]),
    health: healthStats({ peersConnected: 2, projectsKnown: 3, connections: 2, chunkStates: ownStats().chunkStates, responseSamples: [2, 4, 6, 8, 30] }),
    leaderboard: sampleLeaderboard(),
    history: sampleHistory(),
    status: { state: 'idle', chunksComputed: 0, creditsFlops: 0, receipts: 0 },
    prefs: { paused: false, maxDutyCycle: 1, acceptCustomWgsl: true },
    publishProblems: [],
    publishNotes: [],
    policy: UI_DEFAULT_POLICY,
    readings: { idle: { idleMs: 10 * 60_000 }, power: { onBattery: false }, cpu: { percent: 5 } },
    webPageUrls: []
  }
}

export interface PortCall {
  readonly method: string
  readonly args: unknown[]
}

export class FixturePort extends TypedEventEmitter<MeshEventMap> implements MeshPort {
  readonly peerId = selfId
  readonly name = 'alice'
  readonly device = device
  readonly state: FixtureState
  readonly calls: PortCall[] = []
  /** How many times the UI read state (any reader). */
  reads = 0
  stopped = false

  constructor (state: Partial<FixtureState> = {}) {
    super()
    this.state = { ...defaultFixtureState(), ...state }
  }

  private read<T> (value: T): T {
    this.reads++
    return value
  }

  // Not counted in `reads`: the URLs are fixed once the peer started, so the UI reads them once.
  webPageUrls (): string[] { return this.state.webPageUrls }
  webPageFingerprint (): string | undefined { return this.state.webPageFingerprint }
  peers (): PeerSummary[] { return this.read(this.state.peers) }
  projects (): ProjectSummary[] { return this.read(this.state.projects) }
  async projectStats (projectId: string): Promise<ProjectStats | undefined> { return this.read(this.state.stats.get(projectId)) }
  health (): HealthStats { return this.read(this.state.health) }
  async leaderboard (): Promise<LeaderboardEntry[]> { return this.read(this.state.leaderboard) }
  async history (): Promise<HistoryEntry[]> { return this.read(this.state.history) }
  prefs (): VolunteerPrefs { return this.read(this.state.prefs) }

  /** As a MeshNode's: paused by the preferences or the policy, with the reason. */
  volunteerStatus (): VolunteerState {
    const status = this.read(this.state.status)
    const policy = this.policy()
    const pausedReason = this.state.prefs.paused ? 'paused in the preferences' : policy?.state.compute === false ? policy.state.reason : undefined
    if (pausedReason == null) return status
    return { ...status, pausedReason, ...(status.state === 'idle' || status.state === 'stopped' ? { state: 'paused' as const } : {}) }
  }

  policy (): PolicyView | undefined {
    const { policy, readings } = this.state
    if (policy == null) return undefined
    return { policy, state: evaluatePolicy(policy, { now: Date.now(), ...readings }) }
  }

  async updatePolicy (update: Partial<VolunteerPolicy>): Promise<PolicyView> {
    this.calls.push({ method: 'updatePolicy', args: [update] })
    if (this.state.policy == null) throw new Error('the volunteer policy is not running on this peer')
    this.state.policy = checkPolicy({ ...this.state.policy, ...update })
    this.emit('work:status', this.volunteerStatus())
    return this.policy()!
  }

  async setPrefs (change: Partial<VolunteerPrefs>): Promise<VolunteerPrefs> {
    this.calls.push({ method: 'setPrefs', args: [change] })
    this.state.prefs = { ...this.state.prefs, ...change }
    return this.state.prefs
  }

  async validatePublish (spec: PublishSpec): Promise<string[]> {
    this.calls.push({ method: 'validatePublish', args: [spec] })
    return this.state.publishProblems
  }

  async publish (spec: PublishSpec): Promise<PublishedProject> {
    this.calls.push({ method: 'publish', args: [spec] })
    const published = project({ id: `proj-new-${this.state.projects.length}`, name: spec.name ?? 'unnamed', owner: selfId, own: true, ownerName: 'alice' })
    this.state.projects = [...this.state.projects, published]
    this.state.stats.set(published.id, computeProjectStats({ project: published, chunks: [], volunteers: [], timeline: [], mismatches: 0, spotChecks: 0 }, NOW))
    this.emit('project:announced', published)
    return { ...published, notes: this.state.publishNotes }
  }

  async join (projectId: string, options: JoinOptions): Promise<void> {
    this.calls.push({ method: 'join', args: [projectId, options] })
    this.state.status = { ...this.state.status, projectId, state: 'computing', currentChunk: 3 }
    this.emit('work:status', this.state.status)
  }

  async pause (): Promise<void> {
    this.calls.push({ method: 'pause', args: [] })
    this.state.prefs = { ...this.state.prefs, paused: true }
    this.state.status = { ...this.state.status, state: 'paused' }
  }

  async resume (): Promise<void> {
    this.calls.push({ method: 'resume', args: [] })
    this.state.prefs = { ...this.state.prefs, paused: false }
    this.state.status = { ...this.state.status, state: 'computing' }
  }

  async leave (): Promise<void> {
    this.calls.push({ method: 'leave', args: [] })
    this.state.status = { ...this.state.status, projectId: undefined, state: 'stopped', currentChunk: undefined }
  }

  async exportProject (projectId: string, format: ExportFormat, path: string): Promise<void> {
    this.calls.push({ method: 'exportProject', args: [projectId, format, path] })
  }

  async replay (historyProjectId: string): Promise<ProjectSummary> {
    this.calls.push({ method: 'replay', args: [historyProjectId] })
    return await this.publish({ kernel: 'matmul', name: 'old-run', inputs: { from: 'size', size: 64 } })
  }

  async stop (): Promise<void> {
    this.stopped = true
  }

  emit<K extends keyof MeshEvents> (type: K, detail: MeshEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  called (method: string): PortCall[] {
    return this.calls.filter(c => c.method === method)
  }
}
