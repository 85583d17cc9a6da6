import type { ChunkRecord, Receipt, VolunteerInfo } from '../metrics.ts'
import type { RoundsProgress, TimelineEntry } from '../types.ts'
import type { EarlierRoundsWork } from '../metrics/records.ts'
import type { WorkProjectStatus } from './records.ts'

/** One volunteer of one project, as the coordinator saw it. */
export interface VolunteerSnapshot extends VolunteerInfo {
  readonly device: string
  /** Speed the volunteer reported, and the speed its verified chunks showed (GFLOPS). */
  readonly declaredGflops?: number
  readonly observedGflops?: number
  readonly leases: number
  readonly chunksVerified: number
  readonly flops: number
  readonly computeMs: number
  /** ms since epoch */
  readonly firstSeen: number
  readonly lastSeen: number
}

export interface LeaseSnapshot {
  readonly id: string
  readonly chunk: number
  readonly volunteer: string
  readonly issuedAt: number
  readonly deadline: number
  readonly lastSeen: number
  readonly expired: boolean
  readonly backup: boolean
}

/**
 * The raw records of one own project at one moment. It has every field of
 * the metrics' ProjectRecords except `project` (the ProjectSummary, which
 * MeshNode builds), so figures are
 * `computeProjectStats({ project: summary, ...snapshot }, Date.now())`.
 */
export interface CoordinatorSnapshot {
  readonly projectId: string
  readonly name: string
  readonly kernel: string
  readonly status: WorkProjectStatus
  readonly failure?: string
  /** When this peer first coordinated the project, and when it finished. */
  readonly startedAt: number
  readonly finishedAt?: number
  /** One record per chunk, in chunk order. */
  readonly chunks: readonly ChunkRecord[]
  readonly volunteers: readonly VolunteerSnapshot[]
  readonly leases: readonly LeaseSnapshot[]
  readonly timeline: readonly TimelineEntry[]
  readonly mismatches: number
  readonly spotChecks: number
  /** Receipts issued for this project (one per agreeing volunteer per verified chunk). */
  readonly receipts: readonly Receipt[]
  /** Time to answer recent work requests on this peer, ms (newest last). */
  readonly responseSamples: readonly number[]
  /** Why chunks wait, in words (see ProjectRun.waitingReasons). */
  readonly waiting: readonly string[]
  readonly flopsKnown: boolean
  /** An iterative project's rounds (see RoundRun), and when its first round's work began: its figures span every round. */
  readonly rounds?: RoundsProgress
  readonly roundsStartedAt?: number
  /** What the rounds before the current one computed and moved (their chunks are no longer listed). */
  readonly earlierRounds?: EarlierRoundsWork
}
