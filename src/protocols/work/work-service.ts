import { TypedEventEmitter, serviceCapabilities } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { reader } from 'protons-runtime'
import {
  CLIENT_TIMEOUT_MS, FRAME_OVERHEAD_BYTES, IDLE_STREAM_MS, MAX_HELD_CHUNKS, MAX_IDLE_STREAMS_PER_PEER, MAX_INBOUND_STREAMS, MAX_LEASE_BYTES, MAX_LEASE_IDS, MAX_LEASES_PER_RESPONSE, MAX_OUTBOUND_STREAMS,
  MAX_RECEIPTS_PER_RESPONSE, MAX_RESULT_BYTES, MAX_SHARED_INPUTS, MAX_SMALL_REQUEST_BYTES, REQUEST_TIMEOUT_MS, WORK_PROTOCOL
} from './constants.ts'
import { WorkErrorResponse, WorkProtocolError } from './errors.ts'
import { isRelayedConnection, openDirectStream, RelayedConnectionError } from '../direct-stream.ts'
import { checkWorkRequest, MalformedWorkRequestError, type WorkRequestKind } from './validate.ts'
import { LeaseStatus, ResultStatus, WorkErrorCode, WorkRequest, WorkResponse } from '../work.ts'
import type { LeaseAsk, Work, WorkAnswer, WorkComponents, WorkHandler, WorkInit, WorkRejection, WorkRequestContext, WorkServiceEvents } from './index.ts'
import type { Heartbeat, HeartbeatResponse, LeaseRequest, LeaseResponse, Release, ReleaseResponse, ResultResponse, ResultSubmission } from '../work.ts'
import type { AbortOptions, Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Length of the longest varint length prefix we accept, on top of a frame's data. */
const LENGTH_PREFIX_BYTES = 10

type Frames = ReturnType<typeof lpStream>

/** An outbound stream that answered a request and may carry the next one. */
interface IdleStream {
  readonly stream: Stream
  readonly frames: Frames
  timer?: ReturnType<typeof setTimeout>
}

const REQUEST_LIMITS = {
  lease: { heldChunks: MAX_HELD_CHUNKS },
  heartbeat: { leaseIds: MAX_LEASE_IDS },
  release: { leaseIds: MAX_LEASE_IDS }
}

const RESPONSE_LIMITS = {
  lease: { lease: { shared: MAX_SHARED_INPUTS }, more: MAX_LEASES_PER_RESPONSE - 1, more$: { shared: MAX_SHARED_INPUTS } },
  heartbeat: { dropped: MAX_LEASE_IDS },
  receipts: MAX_RECEIPTS_PER_RESPONSE
}

/**
 * The wire side of `/mesh/work/1.0.0`: requests and responses take turns on
 * a stream, one at a time; a client reuses a stream that answered for its
 * next request. Inbound streams never throw: an unreadable or oversized frame
 * aborts the stream, a malformed request gets a MALFORMED error (and the
 * stream ends), and both emit `rejected`.
 */
export class WorkService extends TypedEventEmitter<WorkServiceEvents> implements Work, Startable {
  readonly [Symbol.toStringTag] = '@mesh/work'
  readonly [serviceCapabilities] = ['@mesh/work']

  private readonly components: WorkComponents
  private readonly log: Logger
  private readonly maxRequestBytes: number
  private readonly maxResponseBytes: number
  private readonly requestTimeoutMs: number
  private readonly clientTimeoutMs: number
  private readonly maxInboundStreams: number
  private readonly maxOutboundStreams: number
  private handler: WorkHandler | undefined
  private started = false
  private readonly idleStreams = new Map<string, IdleStream[]>()

  constructor (components: WorkComponents, init: WorkInit = {}) {
    super()
    this.components = components
    this.log = components.logger.forComponent('mesh:work')
    this.handler = init.handler
    this.maxRequestBytes = (init.maxResultBytes ?? MAX_RESULT_BYTES) + FRAME_OVERHEAD_BYTES
    this.maxResponseBytes = (init.maxLeaseBytes ?? MAX_LEASE_BYTES) + FRAME_OVERHEAD_BYTES
    this.requestTimeoutMs = init.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
    this.clientTimeoutMs = init.clientTimeoutMs ?? CLIENT_TIMEOUT_MS
    this.maxInboundStreams = init.maxInboundStreams ?? MAX_INBOUND_STREAMS
    this.maxOutboundStreams = init.maxOutboundStreams ?? MAX_OUTBOUND_STREAMS
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(WORK_PROTOCOL, (stream, connection) => this.handleStream(stream, connection), {
      maxInboundStreams: this.maxInboundStreams,
      maxOutboundStreams: this.maxOutboundStreams
    })
    this.started = true
  }

  async stop (): Promise<void> {
    await this.components.registrar.unhandle(WORK_PROTOCOL)
    for (const idle of this.idleStreams.values()) {
      for (const { stream, timer } of idle) {
        clearTimeout(timer)
        stream.abort(new Error('work service stopped'))
      }
    }
    this.idleStreams.clear()
    this.started = false
  }

  isStarted (): boolean {
    return this.started
  }

  serve (handler: WorkHandler | undefined): void {
    this.handler = handler
  }

  async lease (peer: PeerId, request: LeaseAsk, options?: AbortOptions): Promise<WorkAnswer<LeaseResponse>> {
    return this.exchange(peer, { lease: { ...request, heldChunks: request.heldChunks ?? [] } }, 'lease', options)
  }

  async submit (peer: PeerId, request: ResultSubmission, options?: AbortOptions): Promise<WorkAnswer<ResultResponse>> {
    return this.exchange(peer, { result: request }, 'result', options)
  }

  async heartbeat (peer: PeerId, request: Heartbeat, options?: AbortOptions): Promise<WorkAnswer<HeartbeatResponse>> {
    return this.exchange(peer, { heartbeat: request }, 'heartbeat', options)
  }

  async release (peer: PeerId, request: Release, options?: AbortOptions): Promise<WorkAnswer<ReleaseResponse>> {
    return this.exchange(peer, { release: request }, 'release', options)
  }

  private async exchange<K extends WorkRequestKind>(peer: PeerId, request: WorkRequest, kind: K, options?: AbortOptions): Promise<WorkAnswer<NonNullable<WorkResponse[K]>>> {
    const timeout = AbortSignal.timeout(this.clientTimeoutMs)
    const signal = options?.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
    const idle = this.takeIdleStream(peer)
    if (idle != null) {
      const answered = await this.exchangeOn(idle, peer, request, kind, signal, true)
      if (answered != null) return answered
    }
    const stream = await openDirectStream(this.components.connectionManager, peer, WORK_PROTOCOL, { signal })
    const frames = lpStream(stream, { maxDataLength: this.maxResponseBytes, maxBufferSize: this.maxResponseBytes + LENGTH_PREFIX_BYTES })
    return (await this.exchangeOn({ stream, frames }, peer, request, kind, signal, false))!
  }

  /**
   * One request and its response on `on`. On a reused stream that fails
   * before answering, returns undefined: the researcher may have ended the
   * idle stream just as we wrote, so it read nothing and we ask again on a
   * new stream.
   */
  private async exchangeOn<K extends WorkRequestKind>(on: IdleStream, peer: PeerId, request: WorkRequest, kind: K, signal: AbortSignal, reused: boolean): Promise<WorkAnswer<NonNullable<WorkResponse[K]>> | undefined> {
    let frame: Uint8ArrayList
    try {
      await on.frames.write(WorkRequest.encode(request), { signal })
      frame = await on.frames.read({ signal })
    } catch (err: any) {
      on.stream.abort(err)
      if (reused && !signal.aborted) return undefined
      throw err
    }
    let response: WorkResponse
    try {
      response = WorkResponse.decode(frame, { limits: RESPONSE_LIMITS })
    } catch (err: any) {
      on.stream.abort(err)
      throw err
    }
    if (response.error != null) {
      on.stream.abort(new WorkErrorResponse(response.error.code, response.error.message))
      throw new WorkErrorResponse(response.error.code, response.error.message)
    }
    const answer = response[kind]
    if (answer == null) {
      const err = new WorkProtocolError(`${peer.toString()} answered a ${kind} request without a ${kind} response`)
      on.stream.abort(err)
      throw err
    }
    this.keepIdleStream(peer, on)
    return { answer: answer as NonNullable<WorkResponse[K]>, receipts: response.receipts }
  }

  private takeIdleStream (peer: PeerId): IdleStream | undefined {
    const idle = this.idleStreams.get(peer.toString())
    while (idle != null && idle.length > 0) {
      const candidate = idle.pop()!
      clearTimeout(candidate.timer)
      if (isReusable(candidate.stream)) return candidate
      candidate.stream.abort(new Error('stale work stream'))
    }
    return undefined
  }

  private keepIdleStream (peer: PeerId, on: IdleStream): void {
    const key = peer.toString()
    const idle = this.idleStreams.get(key) ?? []
    if (!this.started || !isReusable(on.stream) || idle.length >= MAX_IDLE_STREAMS_PER_PEER) {
      on.stream.close().catch(err => { on.stream.abort(err) })
      return
    }
    on.timer = setTimeout(() => {
      const index = idle.indexOf(on)
      if (index >= 0) idle.splice(index, 1)
      if (idle.length === 0 && this.idleStreams.get(key) === idle) this.idleStreams.delete(key)
      on.stream.close().catch(err => { on.stream.abort(err) })
    }, IDLE_STREAM_MS)
    on.timer.unref?.()
    idle.push(on)
    this.idleStreams.set(key, idle)
  }

  private async handleStream (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer
    // libp2p refuses streams on limited (relayed) connections; a relay without limits gives one it does not.
    if (isRelayedConnection(connection)) {
      stream.abort(new RelayedConnectionError(peer.toString(), WORK_PROTOCOL))
      return
    }
    const frames = lpStream(stream, {
      maxDataLength: this.maxRequestBytes,
      maxBufferSize: this.maxRequestBytes + LENGTH_PREFIX_BYTES,
      lengthDecoder: bytes => this.checkedRequestLength(peer, bytes)
    })
    // When the request being read began to arrive: the stream's opening for the first one.
    let arriving: number | undefined = performance.now()
    const onMessage = (): void => { arriving ??= performance.now() }
    stream.addEventListener('message', onMessage)
    try {
      for (let answered = 0; ; answered++) {
        const signal = AbortSignal.timeout(this.requestTimeoutMs)
        let frame: Uint8ArrayList
        try {
          frame = await frames.read({ signal })
        } catch (err: any) {
          if (answered > 0 && arriving == null) {
            // Between requests: the volunteer is done with this stream, or left it idle too long.
            await stream.close({ signal: AbortSignal.timeout(this.requestTimeoutMs) }).catch(closeErr => { stream.abort(closeErr) })
            return
          }
          // Oversized, truncated or too slow: no request to answer.
          this.reject({ from: peer.toString(), what: 'frame', reason: `${err?.name ?? 'Error'}: ${err?.message ?? err}` })
          stream.abort(err instanceof Error ? err : new Error(String(err)))
          return
        }
        try {
          const context: WorkRequestContext = { signal, readMs: performance.now() - (arriving ?? performance.now()), requestBytes: frame.byteLength }
          arriving = undefined
          const response = await this.answer(peer, frame, context)
          await frames.write(WorkResponse.encode(response), { signal })
          if (response.error != null) {
            await stream.close({ signal })
            return
          }
        } catch (err: any) {
          this.log.error('failed to answer %p - %e', peer, err)
          stream.abort(err instanceof Error ? err : new Error(String(err)))
          return
        }
      }
    } finally {
      stream.removeEventListener('message', onMessage)
    }
  }

  /**
   * Decodes a request's length prefix and refuses, before any of its bytes
   * are buffered, a frame larger than this peer may send: result-sized frames
   * only from peers the handler owes a result slot (see resultBytesAllowed).
   */
  private checkedRequestLength (peer: PeerId, prefix: Uint8ArrayList): number {
    // Throws RangeError while the varint is incomplete: lpStream then reads another byte.
    const length = reader(prefix.subarray()).uint64Number()
    const allowed = this.requestBytesAllowed(peer)
    if (length > allowed) throw new RequestTooLargeError(`request too long: ${length} bytes, more than the ${allowed} this peer may send now`)
    return length
  }

  private requestBytesAllowed (peer: PeerId): number {
    const resultBytes = this.handler?.resultBytesAllowed?.(peer)
    if (resultBytes == null) return this.handler == null ? MAX_SMALL_REQUEST_BYTES : this.maxRequestBytes
    return Math.min(this.maxRequestBytes, Math.max(MAX_SMALL_REQUEST_BYTES, resultBytes + FRAME_OVERHEAD_BYTES))
  }

  private async answer (peer: PeerId, frame: Uint8ArrayList, context: WorkRequestContext): Promise<Partial<WorkResponse>> {
    let request: WorkRequest
    let kind: WorkRequestKind
    try {
      request = WorkRequest.decode(frame, { limits: REQUEST_LIMITS })
      kind = checkWorkRequest(request)
    } catch (err: any) {
      const reason = err instanceof MalformedWorkRequestError ? err.message : `undecodable request: ${err?.message ?? err}`
      this.reject({ from: peer.toString(), what: 'request', reason })
      return { error: { code: WorkErrorCode.MALFORMED, message: reason } }
    }
    const handler = this.handler
    if (handler == null) {
      return { error: { code: WorkErrorCode.NOT_SERVING, message: 'this peer coordinates no projects' } }
    }
    try {
      const response = await this.dispatch(handler, kind, peer, request, context)
      return { ...response, receipts: handler.takeReceipts(peer, MAX_RECEIPTS_PER_RESPONSE) }
    } catch (err: any) {
      this.log.error('work handler failed on a %s request from %p - %e', kind, peer, err)
      return { error: { code: WorkErrorCode.INTERNAL, message: 'internal error' } }
    }
  }

  private async dispatch (handler: WorkHandler, kind: WorkRequestKind, peer: PeerId, request: WorkRequest, context: WorkRequestContext): Promise<Partial<WorkResponse>> {
    switch (kind) {
      case 'lease': {
        const lease = await handler.lease(peer, request.lease!, context)
        if (lease.status === LeaseStatus.REFUSED || lease.status === LeaseStatus.RATE_LIMITED) {
          this.reject({ from: peer.toString(), what: 'lease', reason: `${lease.status}: ${lease.message}` })
        }
        return { lease }
      }
      case 'result': {
        const result = await handler.result(peer, request.result!, context)
        if (result.status === ResultStatus.REJECTED) {
          this.reject({ from: peer.toString(), what: 'result', reason: `${result.code}: ${result.message}` })
        }
        return { result }
      }
      case 'heartbeat':
        return { heartbeat: await handler.heartbeat(peer, request.heartbeat!, context) }
      case 'release':
        return { release: await handler.release(peer, request.release!, context) }
    }
  }

  private reject (rejection: WorkRejection): void {
    this.log('rejected %s from %s: %s', rejection.what, rejection.from, rejection.reason)
    this.safeDispatchEvent('rejected', { detail: rejection })
  }
}

/** A peer announced a request larger than it may send (see checkedRequestLength). */
class RequestTooLargeError extends Error {
  override name = 'RequestTooLargeError'
}

/** Open both ways with nothing unread: it can carry another request. */
function isReusable (stream: Stream): boolean {
  return stream.status === 'open' && stream.writeStatus === 'writable' && stream.remoteWriteStatus === 'writable' &&
    stream.readStatus === 'readable' && stream.readBufferLength === 0
}
