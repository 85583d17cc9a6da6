import type { Candidate } from './agreement.ts'
import type { StoredChunkRecord } from './records.ts'
import type { ChunkRange } from '../../compute/kernel.ts'
import type { ChunkState } from '../types.ts'
import type { ChunkRecord } from '../metrics.ts'

/** One lease of one chunk to one volunteer. Times are ms since epoch. */
export interface Lease {
  readonly id: string
  readonly projectId: string
  readonly chunk: number
  readonly volunteer: string
  readonly issuedAt: number
  readonly deadline: number
  /** A copy of a chunk still in flight elsewhere, given out once the queue was empty. */
  readonly backup: boolean
  /** Last heartbeat (or the lease itself). */
  lastSeen: number
  /** The deadline passed: the chunk was requeued, a late result is still welcome. */
  expired: boolean
  /** Input bytes sent with the lease. */
  payloadBytes: number
}

/** A returned result waiting for agreeing copies or a check. */
export interface PendingResult extends Candidate {
  readonly leaseId: string
  readonly computeMs: number
  readonly transferMs: number
  readonly bytesMoved: number
  readonly receivedAt: number
}

/** In-memory state of one chunk of a running project. */
export class ChunkRun {
  verified = false
  verifying = false
  /**
   * Set while its verified result is being written (settles once the write is
   * committed or failed): no copies go out meanwhile, and it shows as verifying.
   */
  commit?: Promise<unknown>
  attempts = 0
  failures = 0
  backups = 0
  /** Results to collect before deciding: the redundancy, plus one per unresolved mismatch. */
  replicas: number
  lastFailure?: string
  readonly leases = new Map<string, Lease>()
  results: PendingResult[] = []
  /** Volunteers that returned a result for this chunk (never leased it again). */
  readonly submitted = new Set<string>()
  /** When the chunk was first leased (a replica or backup copy leases it again later). */
  firstLeasedAt?: number
  private lastLeasedAt?: number
  verifiedAt?: number
  volunteer?: string
  computeMs?: number
  transferMs?: number
  bytesMoved?: number
  agreed?: readonly string[]
  spotChecked = false

  constructor (
    readonly range: ChunkRange,
    readonly flops: number,
    /** Distinct agreeing copies needed; raised when the researcher cannot spot-check the chunk after all. */
    public redundancy: number,
    /** Recompute this chunk on the researcher (CPU reference, or its own WebGPU device) before accepting it. */
    public spotCheck: boolean
  ) {
    this.replicas = redundancy
  }

  /** When the chunk was last leased. */
  get leasedAt (): number | undefined {
    return this.lastLeasedAt
  }

  set leasedAt (at: number | undefined) {
    this.lastLeasedAt = at
    this.noteFirstLease(at)
  }

  private noteFirstLease (at: number | undefined): void {
    if (at != null && (this.firstLeasedAt == null || at < this.firstLeasedAt)) this.firstLeasedAt = at
  }

  get index (): number {
    return this.range.index
  }

  /** Restores a chunk verified before a restart. */
  restore (record: StoredChunkRecord): void {
    this.attempts = record.attempts
    if (record.state !== 'verified') return
    this.verified = true
    this.leasedAt = record.leasedAt
    this.noteFirstLease(record.firstLeasedAt)
    this.verifiedAt = record.verifiedAt
    this.volunteer = record.volunteer
    this.computeMs = record.computeMs
    this.transferMs = record.transferMs
    this.bytesMoved = record.bytesMoved
    this.agreed = record.agreed
    this.spotChecked = record.spotChecked ?? false
  }

  /** Leases whose deadline has not passed. */
  liveLeases (): number {
    let live = 0
    for (const lease of this.leases.values()) if (!lease.expired) live++
    return live
  }

  /** Copies still to hand out. */
  need (): number {
    if (this.verified || this.verifying || this.commit != null) return 0
    return this.replicas - this.results.length - this.liveLeases()
  }

  /** Whether `peer` holds a lease of it or already returned it. */
  touchedBy (peer: string): boolean {
    if (this.submitted.has(peer)) return true
    for (const lease of this.leases.values()) if (lease.volunteer === peer) return true
    return false
  }

  /**
   * Leased while a copy is out; verifying while checked or written, and while
   * copies came back but more must agree before it is accepted (redundancy):
   * only a chunk nobody holds or computed yet is queued.
   */
  state (failed: boolean): ChunkState {
    if (this.verified) return 'verified'
    if (failed) return 'failed'
    if (this.verifying || this.commit != null) return 'verifying'
    if (this.leases.size > 0) return 'leased'
    return this.results.length > 0 ? 'verifying' : 'queued'
  }

  /**
   * The chunk as the figures see it now: its record plus who holds a lease
   * of it and how many copies came back of those it needs. Not stored (a
   * lease does not outlive the peer).
   */
  snapshot (failed: boolean): ChunkRecord {
    const holders = [...new Set([...this.leases.values()].map(l => l.volunteer))]
    return {
      ...this.record(failed),
      ...(this.verified ? {} : { holders, results: this.results.length, replicas: this.replicas })
    }
  }

  record (failed: boolean): StoredChunkRecord {
    const holder = this.volunteer ?? [...this.leases.values()].at(-1)?.volunteer
    return {
      index: this.index,
      state: this.state(failed),
      attempts: this.attempts,
      leasedAt: this.leasedAt,
      firstLeasedAt: this.firstLeasedAt,
      verifiedAt: this.verifiedAt,
      volunteer: holder,
      computeMs: this.computeMs,
      transferMs: this.transferMs,
      bytesMoved: this.bytesMoved,
      flops: this.flops,
      agreed: this.agreed,
      spotChecked: this.spotChecked
    }
  }
}
