/**
 * `/mesh/work/1.0.0`: volunteers lease chunks, return results, renew leases
 * by heartbeat and release them when stopping (DESIGN.md sections 4 and 5).
 *
 * This package is the wire layer only: framing, codecs, limits, timeouts and
 * errors. What a request means is decided by a `WorkHandler` (the researcher's
 * coordinator), attached with `serve()`.
 *
 * @example
 * ```ts
 * const node = await createLibp2p({ ..., services: { work: work() } })
 * node.services.work.serve(coordinator)                 // researcher side
 * const answer = await node.services.work.lease(owner, { projectId, device, gflops }) // volunteer side
 * ```
 */
import { WorkService } from './work-service.ts'
import type { Heartbeat, HeartbeatResponse, LeaseRequest, LeaseResponse, Release, ReleaseResponse, ResultResponse, ResultSubmission, SignedReceipt } from '../work.ts'
import type { AbortOptions, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { StreamServiceComponents } from '../stream-service-components.ts'

export { WORK_PROTOCOL, KERNEL_TIME_LIMIT_REASON, MAX_LEASE_BYTES, MAX_LEASES_PER_RESPONSE, MAX_RESULT_BYTES } from './constants.ts'
export { WorkErrorResponse, WorkProtocolError } from './errors.ts'
export { signReceipt, verifyReceipt, type VerifiedReceipt } from './receipts.ts'
export * from '../work.ts'

/** What the wire layer measured about one inbound request. */
export interface WorkRequestContext extends AbortOptions {
  signal: AbortSignal
  /** From the stream opening to the whole request read: a result's upload time. */
  readMs: number
  /** Encoded size of the request. */
  requestBytes: number
}

/** What the application (the coordinator) decides; the wire layer never does. Methods must not throw. */
export interface WorkHandler {
  lease (peer: PeerId, request: LeaseRequest, context: WorkRequestContext): Promise<LeaseResponse>
  result (peer: PeerId, request: ResultSubmission, context: WorkRequestContext): Promise<ResultResponse>
  heartbeat (peer: PeerId, request: Heartbeat, context: WorkRequestContext): Promise<HeartbeatResponse>
  release (peer: PeerId, request: Release, context: WorkRequestContext): Promise<ReleaseResponse>
  /** Receipts `peer` earned and has not been sent yet; handed over (removed) by this call. */
  takeReceipts (peer: PeerId, max: number): SignedReceipt[]
  /**
   * The largest result `peer` may hand in now (the output of the largest
   * chunk it was leased), or 0 when it is owed none: its frames are then held
   * to MAX_SMALL_REQUEST_BYTES. Without this method any peer may send frames
   * up to the service's maximum.
   */
  resultBytesAllowed? (peer: PeerId): number
}

/** Every answer carries the receipts the volunteer earned since its last exchange. */
export interface WorkAnswer<T> {
  readonly answer: T
  readonly receipts: SignedReceipt[]
}

/** A request or frame refused by the wire layer or the handler. */
export interface WorkRejection {
  readonly from?: string
  readonly what: string
  readonly reason: string
}

export interface WorkServiceEvents {
  rejected: CustomEvent<WorkRejection>
}

/** A lease request as a caller writes it: a volunteer of a one-pass project holds no chunks. */
export type LeaseAsk = Omit<LeaseRequest, 'heldChunks'> & { readonly heldChunks?: number[] }

export interface Work extends TypedEventTarget<WorkServiceEvents> {
  /** Answer inbound requests with `handler` (replaces any earlier one); `undefined` stops serving. */
  serve (handler: WorkHandler | undefined): void
  lease (peer: PeerId, request: LeaseAsk, options?: AbortOptions): Promise<WorkAnswer<LeaseResponse>>
  submit (peer: PeerId, request: ResultSubmission, options?: AbortOptions): Promise<WorkAnswer<ResultResponse>>
  heartbeat (peer: PeerId, request: Heartbeat, options?: AbortOptions): Promise<WorkAnswer<HeartbeatResponse>>
  release (peer: PeerId, request: Release, options?: AbortOptions): Promise<WorkAnswer<ReleaseResponse>>
}

export interface WorkInit {
  /** Answers inbound requests from the start; see `Work.serve`. */
  handler?: WorkHandler
  /** @default MAX_RESULT_BYTES */
  maxResultBytes?: number
  /** @default MAX_LEASE_BYTES */
  maxLeaseBytes?: number
  /** @default REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
  /** @default CLIENT_TIMEOUT_MS */
  clientTimeoutMs?: number
  /** @default MAX_INBOUND_STREAMS */
  maxInboundStreams?: number
  /** @default MAX_OUTBOUND_STREAMS */
  maxOutboundStreams?: number
}

export interface WorkComponents extends StreamServiceComponents {}

export function work (init: WorkInit = {}): (components: WorkComponents) => Work {
  return (components) => new WorkService(components, init)
}
