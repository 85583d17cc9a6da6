import type { ChunkState, ProjectSummary, RoundsProgress, TimelineEntry, VolunteerRow } from '../types.ts'

/**
 * The raw records the figures are computed from. The coordinator keeps them
 * (in memory and in the store) and hands them over as a snapshot; every
 * function in src/node/metrics/ is pure over these, so a figure shown in the
 * UI and printed by `mesh status --json` is the same number.
 */

/** Researcher-side record of one chunk of an own project. Times are ms since epoch. */
export interface ChunkRecord {
  readonly index: number
  readonly state: ChunkState
  /** Leases given out for this chunk so far (backup copies and retries included). */
  readonly attempts: number
  /** When the chunk was last leased. */
  readonly leasedAt?: number
  /** When it was first leased, where known (a replica or backup copy leases it again later). */
  readonly firstLeasedAt?: number
  /** When its result was accepted. */
  readonly verifiedAt?: number
  /** The volunteer holding the lease, or whose result was accepted. */
  readonly volunteer?: string
  /**
   * Of a verified chunk: every volunteer whose result agreed with the accepted
   * one (redundancy 2 or more: more than `volunteer`), each credited with the
   * chunk. Without it, `volunteer` alone is.
   */
  readonly agreed?: readonly string[]
  /**
   * Of a chunk not verified yet, on a live coordinator: the volunteers holding
   * a lease of it now (a backup copy or a second replica makes several).
   * Without it, `volunteer` holds it while the chunk is leased or verifying.
   */
  readonly holders?: readonly string[]
  /** Of a chunk not verified yet: copies returned and waiting for agreement, of `replicas` needed. */
  readonly results?: number
  readonly replicas?: number
  /** Compute time the volunteer reported for the accepted result. */
  readonly computeMs?: number
  /** Time spent moving this chunk's data: lease payload out, result back. */
  readonly transferMs?: number
  /** Bytes of this chunk that crossed the network (both directions). */
  readonly bytesMoved?: number
  /** The kernel's declared floating-point operations for this chunk. */
  readonly flops: number
}

/** A receipt the researcher signed for one verified chunk (the credit unit). */
export interface Receipt {
  readonly projectId: string
  readonly chunk: number
  readonly volunteer: string
  readonly flops: number
  readonly computeMs: number
  /** ms since epoch */
  readonly issuedAt: number
}

/** Round-trip time of one work-protocol request, in ms. */
export type ResponseSample = number

/** What the coordinator knows about a volunteer of one project. */
export interface VolunteerInfo {
  readonly peer: string
  readonly name?: string
  readonly status: VolunteerRow['status']
  /**
   * FLOPs of the chunks this volunteer's copies were verified for and the
   * compute time it reported for those copies, as the coordinator tallied
   * them while running (every agreeing copy, not only the accepted one).
   * Its speed is measured from these when given, else from the chunks whose
   * accepted result was its own.
   */
  readonly flops?: number
  readonly computeMs?: number
}

/** Everything the figures of one own project are computed from. */
export interface ProjectRecords {
  readonly project: ProjectSummary
  readonly chunks: readonly ChunkRecord[]
  readonly volunteers: readonly VolunteerInfo[]
  readonly timeline: readonly TimelineEntry[]
  readonly mismatches: number
  readonly spotChecks: number
  /** When work started (first lease); defaults to the earliest leasedAt of the chunks. */
  readonly startedAt?: number
  /** When the project finished (done or failed); figures then stop at this time. */
  readonly finishedAt?: number
  readonly failure?: string
  /** Why chunks wait (see ProjectStats.waiting); absent: nothing known. */
  readonly waiting?: readonly string[]
  /** Absent means true. */
  readonly flopsKnown?: boolean
  /** An iterative project's rounds, and the work of its rounds before the current one (whose chunks `chunks` lists). */
  readonly rounds?: RoundsProgress
  readonly earlierRounds?: EarlierRoundsWork
}

export interface EarlierRoundsWork {
  readonly computeMs: number
  readonly transferMs: number
  readonly bytesMoved: number
}
