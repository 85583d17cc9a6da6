/**
 * What a running peer exposes to the CLI and the terminal UI: plain data and
 * typed events. The UI renders these and never touches libp2p, LevelDB or
 * WebGPU; every figure it shows is computed in src/node/.
 */

export interface PeerSummary {
  readonly id: string
  readonly name?: string
  readonly addresses: string[]
  readonly connected: boolean
  /** ms since epoch */
  readonly lastSeen: number
  /** Mean response time of our requests to this peer, when measured. */
  readonly rttMs?: number
}

export type ProjectStatus = 'running' | 'done' | 'failed' | 'offline'

export interface VerificationPolicy {
  /** Distinct volunteers whose results must agree (1 = no replication). */
  readonly redundancy: number
  /** Fraction of chunks recomputed on the researcher with the CPU reference. */
  readonly spotCheck: number
}

/** A project as every peer sees it (own or discovered on the topic). */
export interface ProjectSummary {
  readonly id: string
  readonly name: string
  readonly description: string
  /** Owner's peer id. */
  readonly owner: string
  readonly ownerName?: string
  readonly kernel: string
  /** e.g. "512x256 · 256x512" for matmul, "10000 rows -> 3 cols" for map. */
  readonly dims: string
  readonly chunks: { readonly done: number, readonly total: number }
  readonly volunteers: number
  readonly own: boolean
  readonly status: ProjectStatus
  /** Researcher-written WGSL that volunteers must accept before running. */
  readonly customWgsl?: string
  readonly verification: VerificationPolicy
  /** ms since epoch */
  readonly createdAt: number
  /** When the last announcement of it was heard (ms since epoch). */
  readonly lastHeard: number
}

export type ChunkState = 'queued' | 'leased' | 'verifying' | 'verified' | 'failed'

export interface VolunteerRow {
  readonly peer: string
  readonly name?: string
  readonly chunksVerified: number
  readonly chunksInFlight: number
  readonly gflops: number
  readonly status: 'active' | 'idle' | 'lost' | 'banned'
}

export interface TimelineEntry {
  /** ms since epoch */
  readonly at: number
  readonly kind: 'published' | 'joined' | 'leased' | 'verified' | 'requeued' | 'lost' | 'mismatch' | 'banned' | 'done' | 'failed' | 'resumed' | 'spot-check' | 'round'
  readonly text: string
}

/** Researcher-side figures of one own project (DESIGN.md section 9, issue 5). */
export interface ProjectStats {
  readonly project: ProjectSummary
  readonly chunkStates: ChunkState[]
  readonly progress: number
  readonly chunksPerSec: number
  readonly gflops: number
  /** Seconds left at the current rate; undefined before any chunk is done. */
  readonly etaSeconds?: number
  /** Sum of chunk compute times over wall time. */
  readonly speedup: number
  readonly activeVolunteers: number
  /**
   * Distinct volunteers credited with a verified chunk, every agreeing one
   * under redundancy (the "4 volunteers" of "4 volunteers, 3.7x").
   */
  readonly contributors?: number
  readonly efficiency: {
    readonly computeMs: number
    readonly transferMs: number
    readonly bytesMoved: number
    /** compute / (compute + transfer) */
    readonly ratio: number
  }
  readonly verification: {
    readonly verified: number
    readonly mismatches: number
    readonly spotChecks: number
    readonly bannedVolunteers: number
  }
  readonly volunteers: VolunteerRow[]
  /** Chunks verified per second, sampled once a second, newest last. */
  readonly throughputHistory: number[]
  readonly timeline: TimelineEntry[]
  readonly wallMs: number
  readonly failure?: string
  /** Why chunks wait, in words (a policy no volunteer present can meet, devices that cannot run the kernel); empty when nothing holds them up. */
  readonly waiting: string[]
  /** False when the kernel's FLOPs are unknown (researcher WGSL without --flops-per-item): gflops is then 0, not a figure. */
  readonly flopsKnown: boolean
  /** The one row a finished project with --reduce folded into (what export writes). */
  readonly result?: number[]
  /** An iterative project's rounds: where it is, and each closed round's figures. */
  readonly rounds?: RoundsProgress
}

export interface HealthStats {
  readonly peersConnected: number
  readonly projectsKnown: number
  readonly chunksQueued: number
  readonly chunksInFlight: number
  readonly chunksDone: number
  readonly meanResponseMs: number
  readonly p95ResponseMs: number
  readonly connections: number
}

export interface LeaderboardEntry {
  readonly rank: number
  readonly peer: string
  readonly name?: string
  readonly flops: number
  readonly chunks: number
  readonly computeMs: number
  readonly badge?: 'gold' | 'silver' | 'bronze'
}

export interface HistoryEntry {
  readonly projectId: string
  readonly name: string
  readonly kernel: string
  readonly dims: string
  readonly volunteers: number
  readonly durationMs: number
  readonly chunks: number
  readonly gflops: number
  readonly efficiency: number
  readonly speedup: number
  readonly finishedAt: number
  readonly status: 'done' | 'failed'
}

export interface VolunteerPrefs {
  readonly paused: boolean
  /** 0 < duty <= 1: the loop idles so the GPU is busy at most this share of the time. */
  readonly maxDutyCycle: number
  /** Accept projects with researcher-written WGSL (else built-in kernels only). */
  readonly acceptCustomWgsl: boolean
}

/** Volunteer-side state of this peer's contribution. */
export interface VolunteerStatus {
  readonly projectId?: string
  readonly state: 'idle' | 'fetching' | 'computing' | 'paused' | 'waiting' | 'stopped'
  readonly currentChunk?: number
  readonly chunksComputed: number
  readonly creditsFlops: number
  readonly receipts: number
  readonly lastError?: string
  /** Why this volunteer does not compute now (its policy or the prefs), e.g. "on battery". */
  readonly pausedReason?: string
}

export interface DeviceSummary {
  readonly backend: string
  readonly featureLevel: string
  readonly description: string
  readonly fallbackReasons: string[]
}

/** Events a MeshNode emits (CustomEvent detail types). */
export interface MeshEvents {
  'peer:joined': PeerSummary
  'peer:left': PeerSummary
  'project:announced': ProjectSummary
  'project:updated': ProjectSummary
  'project:offline': ProjectSummary
  /** rowsHeld: a rounds project's shard the volunteer kept from an earlier round went without its rows. */
  'chunk:leased': { projectId: string, chunk: number, volunteer: string, round?: number, rowsHeld?: boolean }
  'chunk:verified': { projectId: string, chunk: number, volunteer: string, computeMs: number, flops: number }
  'chunk:requeued': { projectId: string, chunk: number, volunteer: string, reason: string }
  'volunteer:lost': { projectId: string, volunteer: string, chunks: number[] }
  'volunteer:banned': { projectId: string, volunteer: string, reason: string }
  /** A rounds project folded a round into its next state (final: the project ends with it). */
  'round:closed': RoundSummary & { projectId: string, final: boolean, converged: boolean }
  'project:done': { projectId: string }
  'project:failed': { projectId: string, reason: string }
  'work:chunk-computed': { projectId: string, chunk: number, computeMs: number, flops: number }
  'work:status': VolunteerStatus
  /** The volunteer policy paused computing (reason: "on battery", ...) or let it resume. */
  'work:paused': { code: string, reason?: string }
  'work:resumed': { code: string }
  'rejected': { from?: string, what: string, reason: string }
  /** A peer first reached through a relay now has a direct connection (holePunchMs: from the relayed connection to it). */
  'path:direct': { peer: string, holePunchMs?: number, address: string }
  /** A peer reached only through a relay, and hole punching did not get through: chunks cannot move between the two. */
  'path:none': { peer: string, reason: string }
  /** This peer holds a reservation on a relay (it is reachable through it), or lost it. */
  'relay:reserved': { relay: string, address: string }
  'relay:lost': { relay: string }
  /** The volunteer takes no chunks from this researcher: there is only a relayed connection to it. */
  'work:no-direct-path': { projectId: string, researcher: string, reason: string }
}

/** One closed round of an iterative project, with the kernel's figures (loss, accuracy, inertia) beside the mesh's own. */
export interface RoundSummary {
  /** 0-based. */
  readonly round: number
  /** Largest absolute change of a state value in this round. */
  readonly change: number
  /** Chunks folded into the state, and chunks dropped by the quorum. */
  readonly chunks: number
  readonly dropped: number
  /** ms since epoch */
  readonly closedAt: number
  /** The kernel's figures: `loss`, `accuracy` (train), `inertia` (kmeans). */
  readonly figures: Readonly<Record<string, number>>
}

export interface RoundsProgress {
  /** The round being computed (0-based); equals the closed rounds' count once the project is over. */
  readonly round: number
  /** Most rounds the project runs. */
  readonly of: number
  readonly untilChange?: number
  readonly quorum: number
  /** Why the project stopped before `of` rounds (the state moved less than untilChange). */
  readonly converged?: boolean
  /** Chunks of the current round verified so far, of how many. */
  readonly chunksDone: number
  readonly chunksPerRound: number
  readonly closed: readonly RoundSummary[]
}
