import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface WorkRequest {
  lease?: LeaseRequest
  result?: ResultSubmission
  heartbeat?: Heartbeat
  release?: Release
}

export namespace WorkRequest {
  let _codec: Codec<WorkRequest>

  export const codec = (): Codec<WorkRequest> => {
    if (_codec == null) {
      _codec = message<WorkRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.lease != null) {
          w.uint32(10)
          LeaseRequest.codec().encode(obj.lease, w)
        }

        if (obj.result != null) {
          w.uint32(18)
          ResultSubmission.codec().encode(obj.result, w)
        }

        if (obj.heartbeat != null) {
          w.uint32(26)
          Heartbeat.codec().encode(obj.heartbeat, w)
        }

        if (obj.release != null) {
          w.uint32(34)
          Release.codec().encode(obj.release, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.lease = LeaseRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.lease
              })
              break
            }
            case 2: {
              obj.result = ResultSubmission.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
              })
              break
            }
            case 3: {
              obj.heartbeat = Heartbeat.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heartbeat
              })
              break
            }
            case 4: {
              obj.release = Release.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.release
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * LeaseRequest.codec().stream(reader, reader.uint32(), `${prefix}.lease`, {
                limits: opts.limits?.lease
              })

              break
            }
            case 2: {
              yield * ResultSubmission.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
              })

              break
            }
            case 3: {
              yield * Heartbeat.codec().stream(reader, reader.uint32(), `${prefix}.heartbeat`, {
                limits: opts.limits?.heartbeat
              })

              break
            }
            case 4: {
              yield * Release.codec().stream(reader, reader.uint32(), `${prefix}.release`, {
                limits: opts.limits?.release
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface WorkRequestLeaseProjectIdFieldEvent {
    field: '$.lease.projectId'
    value: string
  }

  export interface WorkRequestLeaseDeviceFieldEvent {
    field: '$.lease.device'
    value: string
  }

  export interface WorkRequestLeaseGflopsFieldEvent {
    field: '$.lease.gflops'
    value: number
  }

  export interface WorkRequestLeaseCountFieldEvent {
    field: '$.lease.count'
    value: number
  }

  export interface WorkRequestLeaseHeldChunksFieldEvent {
    field: '$.lease.heldChunks[]'
    index: number
    value: number
  }

  export interface WorkRequestResultLeaseIdFieldEvent {
    field: '$.result.leaseId'
    value: string
  }

  export interface WorkRequestResultResultFieldEvent {
    field: '$.result.result'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WorkRequestResultComputeMsFieldEvent {
    field: '$.result.computeMs'
    value: number
  }

  export interface WorkRequestResultFetchMsFieldEvent {
    field: '$.result.fetchMs'
    value: number
  }

  export interface WorkRequestResultBlobBytesFieldEvent {
    field: '$.result.blobBytes'
    value: number
  }

  export interface WorkRequestHeartbeatLeaseIdsFieldEvent {
    field: '$.heartbeat.leaseIds[]'
    index: number
    value: string
  }

  export interface WorkRequestHeartbeatGflopsFieldEvent {
    field: '$.heartbeat.gflops'
    value: number
  }

  export interface WorkRequestReleaseLeaseIdsFieldEvent {
    field: '$.release.leaseIds[]'
    index: number
    value: string
  }

  export interface WorkRequestReleaseReasonFieldEvent {
    field: '$.release.reason'
    value: string
  }

  export function encode (obj: Partial<WorkRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WorkRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkRequest>): WorkRequest {
    return decodeMessage(buf, WorkRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkRequest>): Generator<WorkRequestLeaseProjectIdFieldEvent | WorkRequestLeaseDeviceFieldEvent | WorkRequestLeaseGflopsFieldEvent | WorkRequestLeaseCountFieldEvent | WorkRequestLeaseHeldChunksFieldEvent | WorkRequestResultLeaseIdFieldEvent | WorkRequestResultResultFieldEvent | WorkRequestResultComputeMsFieldEvent | WorkRequestResultFetchMsFieldEvent | WorkRequestResultBlobBytesFieldEvent | WorkRequestHeartbeatLeaseIdsFieldEvent | WorkRequestHeartbeatGflopsFieldEvent | WorkRequestReleaseLeaseIdsFieldEvent | WorkRequestReleaseReasonFieldEvent> {
    return streamMessage(buf, WorkRequest.codec(), opts)
  }
}

export interface WorkResponse {
  lease?: LeaseResponse
  result?: ResultResponse
  heartbeat?: HeartbeatResponse
  release?: ReleaseResponse
  error?: WorkError
  receipts: SignedReceipt[]
}

export namespace WorkResponse {
  let _codec: Codec<WorkResponse>

  export const codec = (): Codec<WorkResponse> => {
    if (_codec == null) {
      _codec = message<WorkResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.lease != null) {
          w.uint32(10)
          LeaseResponse.codec().encode(obj.lease, w)
        }

        if (obj.result != null) {
          w.uint32(18)
          ResultResponse.codec().encode(obj.result, w)
        }

        if (obj.heartbeat != null) {
          w.uint32(26)
          HeartbeatResponse.codec().encode(obj.heartbeat, w)
        }

        if (obj.release != null) {
          w.uint32(34)
          ReleaseResponse.codec().encode(obj.release, w)
        }

        if (obj.error != null) {
          w.uint32(42)
          WorkError.codec().encode(obj.error, w)
        }

        if (obj.receipts != null && obj.receipts.length > 0) {
          for (const value of obj.receipts) {
            w.uint32(50)
            SignedReceipt.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          receipts: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.lease = LeaseResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.lease
              })
              break
            }
            case 2: {
              obj.result = ResultResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
              })
              break
            }
            case 3: {
              obj.heartbeat = HeartbeatResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heartbeat
              })
              break
            }
            case 4: {
              obj.release = ReleaseResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.release
              })
              break
            }
            case 5: {
              obj.error = WorkError.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 6: {
              if (opts.limits?.receipts != null && obj.receipts.length === opts.limits.receipts) {
                throw new MaxLengthError('Decode error - repeated field "receipts" had too many elements')
              }

              obj.receipts.push(SignedReceipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipts$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          receipts: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * LeaseResponse.codec().stream(reader, reader.uint32(), `${prefix}.lease`, {
                limits: opts.limits?.lease
              })

              break
            }
            case 2: {
              yield * ResultResponse.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
              })

              break
            }
            case 3: {
              yield * HeartbeatResponse.codec().stream(reader, reader.uint32(), `${prefix}.heartbeat`, {
                limits: opts.limits?.heartbeat
              })

              break
            }
            case 4: {
              yield * ReleaseResponse.codec().stream(reader, reader.uint32(), `${prefix}.release`, {
                limits: opts.limits?.release
              })

              break
            }
            case 5: {
              yield * WorkError.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 6: {
              if (opts.limits?.receipts != null && obj.receipts === opts.limits.receipts) {
                throw new MaxLengthError('Streaming decode error - repeated field "receipts" had too many elements')
              }

              for (const evt of SignedReceipt.codec().stream(reader, reader.uint32(), `${prefix}.receipts[]`, {
                limits: opts.limits?.receipts$
              })) {
                yield {
                  ...evt,
                  index: obj.receipts
                }
              }

              obj.receipts++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface WorkResponseLeaseStatusFieldEvent {
    field: '$.lease.status'
    value: LeaseStatus
  }

  export interface WorkResponseLeaseLeaseLeaseIdFieldEvent {
    field: '$.lease.lease.leaseId'
    value: string
  }

  export interface WorkResponseLeaseLeaseProjectIdFieldEvent {
    field: '$.lease.lease.projectId'
    value: string
  }

  export interface WorkResponseLeaseLeaseChunkFieldEvent {
    field: '$.lease.lease.chunk'
    value: number
  }

  export interface WorkResponseLeaseLeaseRowStartFieldEvent {
    field: '$.lease.lease.rowStart'
    value: number
  }

  export interface WorkResponseLeaseLeaseRowEndFieldEvent {
    field: '$.lease.lease.rowEnd'
    value: number
  }

  export interface WorkResponseLeaseLeaseRowColsFieldEvent {
    field: '$.lease.lease.rowCols'
    value: number
  }

  export interface WorkResponseLeaseLeaseRowsFieldEvent {
    field: '$.lease.lease.rows'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WorkResponseLeaseLeaseSharedNameFieldEvent {
    field: '$.lease.lease.shared[].name'
    value: string
    index: number
  }

  export interface WorkResponseLeaseLeaseSharedHashFieldEvent {
    field: '$.lease.lease.shared[].hash'
    value: string
    index: number
  }

  export interface WorkResponseLeaseLeaseSharedSizeFieldEvent {
    field: '$.lease.lease.shared[].size'
    value: number
    index: number
  }

  export interface WorkResponseLeaseLeaseSharedRowsFieldEvent {
    field: '$.lease.lease.shared[].rows'
    value: number
    index: number
  }

  export interface WorkResponseLeaseLeaseSharedColsFieldEvent {
    field: '$.lease.lease.shared[].cols'
    value: number
    index: number
  }

  export interface WorkResponseLeaseLeaseDeadlineMsFieldEvent {
    field: '$.lease.lease.deadlineMs'
    value: number
  }

  export interface WorkResponseLeaseLeaseHeartbeatMsFieldEvent {
    field: '$.lease.lease.heartbeatMs'
    value: number
  }

  export interface WorkResponseLeaseLeaseOutputColsFieldEvent {
    field: '$.lease.lease.outputCols'
    value: number
  }

  export interface WorkResponseLeaseLeaseRoundFieldEvent {
    field: '$.lease.lease.round'
    value: number
  }

  export interface WorkResponseLeaseLeaseRowsHeldFieldEvent {
    field: '$.lease.lease.rowsHeld'
    value: boolean
  }

  export interface WorkResponseLeaseRetryAfterMsFieldEvent {
    field: '$.lease.retryAfterMs'
    value: number
  }

  export interface WorkResponseLeaseMessageFieldEvent {
    field: '$.lease.message'
    value: string
  }

  export interface WorkResponseLeaseMoreLeaseIdFieldEvent {
    field: '$.lease.more[].leaseId'
    value: string
    index: number
  }

  export interface WorkResponseLeaseMoreProjectIdFieldEvent {
    field: '$.lease.more[].projectId'
    value: string
    index: number
  }

  export interface WorkResponseLeaseMoreChunkFieldEvent {
    field: '$.lease.more[].chunk'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreRowStartFieldEvent {
    field: '$.lease.more[].rowStart'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreRowEndFieldEvent {
    field: '$.lease.more[].rowEnd'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreRowColsFieldEvent {
    field: '$.lease.more[].rowCols'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreRowsFieldEvent {
    field: '$.lease.more[].rows'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface WorkResponseLeaseMoreSharedNameFieldEvent {
    field: '$.lease.more[].shared[].name'
    value: string
    index: number
  }

  export interface WorkResponseLeaseMoreSharedHashFieldEvent {
    field: '$.lease.more[].shared[].hash'
    value: string
    index: number
  }

  export interface WorkResponseLeaseMoreSharedSizeFieldEvent {
    field: '$.lease.more[].shared[].size'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreSharedRowsFieldEvent {
    field: '$.lease.more[].shared[].rows'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreSharedColsFieldEvent {
    field: '$.lease.more[].shared[].cols'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreDeadlineMsFieldEvent {
    field: '$.lease.more[].deadlineMs'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreHeartbeatMsFieldEvent {
    field: '$.lease.more[].heartbeatMs'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreOutputColsFieldEvent {
    field: '$.lease.more[].outputCols'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreRoundFieldEvent {
    field: '$.lease.more[].round'
    value: number
    index: number
  }

  export interface WorkResponseLeaseMoreRowsHeldFieldEvent {
    field: '$.lease.more[].rowsHeld'
    value: boolean
    index: number
  }

  export interface WorkResponseResultStatusFieldEvent {
    field: '$.result.status'
    value: ResultStatus
  }

  export interface WorkResponseResultCodeFieldEvent {
    field: '$.result.code'
    value: RejectCode
  }

  export interface WorkResponseResultMessageFieldEvent {
    field: '$.result.message'
    value: string
  }

  export interface WorkResponseResultReceiptReceiptFieldEvent {
    field: '$.result.receipt.receipt'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WorkResponseResultReceiptSignatureFieldEvent {
    field: '$.result.receipt.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WorkResponseHeartbeatDroppedFieldEvent {
    field: '$.heartbeat.dropped[]'
    index: number
    value: string
  }

  export interface WorkResponseReleaseReleasedFieldEvent {
    field: '$.release.released'
    value: number
  }

  export interface WorkResponseErrorCodeFieldEvent {
    field: '$.error.code'
    value: WorkErrorCode
  }

  export interface WorkResponseErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface WorkResponseReceiptsReceiptFieldEvent {
    field: '$.receipts[].receipt'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface WorkResponseReceiptsSignatureFieldEvent {
    field: '$.receipts[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<WorkResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WorkResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkResponse>): WorkResponse {
    return decodeMessage(buf, WorkResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkResponse>): Generator<WorkResponseLeaseStatusFieldEvent | WorkResponseLeaseLeaseLeaseIdFieldEvent | WorkResponseLeaseLeaseProjectIdFieldEvent | WorkResponseLeaseLeaseChunkFieldEvent | WorkResponseLeaseLeaseRowStartFieldEvent | WorkResponseLeaseLeaseRowEndFieldEvent | WorkResponseLeaseLeaseRowColsFieldEvent | WorkResponseLeaseLeaseRowsFieldEvent | WorkResponseLeaseLeaseSharedNameFieldEvent | WorkResponseLeaseLeaseSharedHashFieldEvent | WorkResponseLeaseLeaseSharedSizeFieldEvent | WorkResponseLeaseLeaseSharedRowsFieldEvent | WorkResponseLeaseLeaseSharedColsFieldEvent | WorkResponseLeaseLeaseDeadlineMsFieldEvent | WorkResponseLeaseLeaseHeartbeatMsFieldEvent | WorkResponseLeaseLeaseOutputColsFieldEvent | WorkResponseLeaseLeaseRoundFieldEvent | WorkResponseLeaseLeaseRowsHeldFieldEvent | WorkResponseLeaseRetryAfterMsFieldEvent | WorkResponseLeaseMessageFieldEvent | WorkResponseLeaseMoreLeaseIdFieldEvent | WorkResponseLeaseMoreProjectIdFieldEvent | WorkResponseLeaseMoreChunkFieldEvent | WorkResponseLeaseMoreRowStartFieldEvent | WorkResponseLeaseMoreRowEndFieldEvent | WorkResponseLeaseMoreRowColsFieldEvent | WorkResponseLeaseMoreRowsFieldEvent | WorkResponseLeaseMoreSharedNameFieldEvent | WorkResponseLeaseMoreSharedHashFieldEvent | WorkResponseLeaseMoreSharedSizeFieldEvent | WorkResponseLeaseMoreSharedRowsFieldEvent | WorkResponseLeaseMoreSharedColsFieldEvent | WorkResponseLeaseMoreDeadlineMsFieldEvent | WorkResponseLeaseMoreHeartbeatMsFieldEvent | WorkResponseLeaseMoreOutputColsFieldEvent | WorkResponseLeaseMoreRoundFieldEvent | WorkResponseLeaseMoreRowsHeldFieldEvent | WorkResponseResultStatusFieldEvent | WorkResponseResultCodeFieldEvent | WorkResponseResultMessageFieldEvent | WorkResponseResultReceiptReceiptFieldEvent | WorkResponseResultReceiptSignatureFieldEvent | WorkResponseHeartbeatDroppedFieldEvent | WorkResponseReleaseReleasedFieldEvent | WorkResponseErrorCodeFieldEvent | WorkResponseErrorMessageFieldEvent | WorkResponseReceiptsReceiptFieldEvent | WorkResponseReceiptsSignatureFieldEvent> {
    return streamMessage(buf, WorkResponse.codec(), opts)
  }
}

export interface LeaseRequest {
  projectId: string
  device: string
  gflops: number
  count?: number
  heldChunks: number[]
}

export namespace LeaseRequest {
  let _codec: Codec<LeaseRequest>

  export const codec = (): Codec<LeaseRequest> => {
    if (_codec == null) {
      _codec = message<LeaseRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.projectId != null && obj.projectId !== '')) {
          w.uint32(10)
          w.string(obj.projectId)
        }

        if ((obj.device != null && obj.device !== '')) {
          w.uint32(18)
          w.string(obj.device)
        }

        if ((obj.gflops != null && obj.gflops !== 0)) {
          w.uint32(25)
          w.double(obj.gflops)
        }

        if (obj.count != null) {
          w.uint32(32)
          w.uint32(obj.count)
        }

        if (obj.heldChunks != null && obj.heldChunks.length > 0) {
          for (const value of obj.heldChunks) {
            w.uint32(40)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          projectId: '',
          device: '',
          gflops: 0,
          heldChunks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.projectId = reader.string()
              break
            }
            case 2: {
              obj.device = reader.string()
              break
            }
            case 3: {
              obj.gflops = reader.double()
              break
            }
            case 4: {
              obj.count = reader.uint32()
              break
            }
            case 5: {
              if (opts.limits?.heldChunks != null && obj.heldChunks.length === opts.limits.heldChunks) {
                throw new MaxLengthError('Decode error - repeated field "heldChunks" had too many elements')
              }

              obj.heldChunks.push(reader.uint32())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          heldChunks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.projectId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.device`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.gflops`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              if (opts.limits?.heldChunks != null && obj.heldChunks === opts.limits.heldChunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "heldChunks" had too many elements')
              }

              yield {
                field: `${prefix}.heldChunks[]`,
                index: obj.heldChunks,
                value: reader.uint32()
              }

              obj.heldChunks++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface LeaseRequestProjectIdFieldEvent {
    field: '$.projectId'
    value: string
  }

  export interface LeaseRequestDeviceFieldEvent {
    field: '$.device'
    value: string
  }

  export interface LeaseRequestGflopsFieldEvent {
    field: '$.gflops'
    value: number
  }

  export interface LeaseRequestCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface LeaseRequestHeldChunksFieldEvent {
    field: '$.heldChunks[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<LeaseRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LeaseRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseRequest>): LeaseRequest {
    return decodeMessage(buf, LeaseRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseRequest>): Generator<LeaseRequestProjectIdFieldEvent | LeaseRequestDeviceFieldEvent | LeaseRequestGflopsFieldEvent | LeaseRequestCountFieldEvent | LeaseRequestHeldChunksFieldEvent> {
    return streamMessage(buf, LeaseRequest.codec(), opts)
  }
}

export enum LeaseStatus {
  LEASED = 'LEASED',
  NO_WORK = 'NO_WORK',
  PROJECT_DONE = 'PROJECT_DONE',
  PROJECT_FAILED = 'PROJECT_FAILED',
  UNKNOWN_PROJECT = 'UNKNOWN_PROJECT',
  REFUSED = 'REFUSED',
  TOO_MANY_LEASES = 'TOO_MANY_LEASES',
  RATE_LIMITED = 'RATE_LIMITED'
}

enum __LeaseStatusValues {
  LEASED = 0,
  NO_WORK = 1,
  PROJECT_DONE = 2,
  PROJECT_FAILED = 3,
  UNKNOWN_PROJECT = 4,
  REFUSED = 5,
  TOO_MANY_LEASES = 6,
  RATE_LIMITED = 7
}

export namespace LeaseStatus {
  export const codec = (): Codec<LeaseStatus> => {
    return enumeration<LeaseStatus>(__LeaseStatusValues)
  }
}

export interface LeaseResponse {
  status: LeaseStatus
  lease?: ChunkLease
  retryAfterMs: number
  message: string
  more: ChunkLease[]
}

export namespace LeaseResponse {
  let _codec: Codec<LeaseResponse>

  export const codec = (): Codec<LeaseResponse> => {
    if (_codec == null) {
      _codec = message<LeaseResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __LeaseStatusValues[obj.status] !== 0) {
          w.uint32(8)
          LeaseStatus.codec().encode(obj.status, w)
        }

        if (obj.lease != null) {
          w.uint32(18)
          ChunkLease.codec().encode(obj.lease, w)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.retryAfterMs)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(34)
          w.string(obj.message)
        }

        if (obj.more != null && obj.more.length > 0) {
          for (const value of obj.more) {
            w.uint32(42)
            ChunkLease.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: LeaseStatus.LEASED,
          retryAfterMs: 0,
          message: '',
          more: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = LeaseStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.lease = ChunkLease.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.lease
              })
              break
            }
            case 3: {
              obj.retryAfterMs = reader.uint32()
              break
            }
            case 4: {
              obj.message = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.more != null && obj.more.length === opts.limits.more) {
                throw new MaxLengthError('Decode error - repeated field "more" had too many elements')
              }

              obj.more.push(ChunkLease.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.more$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          more: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: LeaseStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield * ChunkLease.codec().stream(reader, reader.uint32(), `${prefix}.lease`, {
                limits: opts.limits?.lease
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.retryAfterMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 5: {
              if (opts.limits?.more != null && obj.more === opts.limits.more) {
                throw new MaxLengthError('Streaming decode error - repeated field "more" had too many elements')
              }

              for (const evt of ChunkLease.codec().stream(reader, reader.uint32(), `${prefix}.more[]`, {
                limits: opts.limits?.more$
              })) {
                yield {
                  ...evt,
                  index: obj.more
                }
              }

              obj.more++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface LeaseResponseStatusFieldEvent {
    field: '$.status'
    value: LeaseStatus
  }

  export interface LeaseResponseLeaseLeaseIdFieldEvent {
    field: '$.lease.leaseId'
    value: string
  }

  export interface LeaseResponseLeaseProjectIdFieldEvent {
    field: '$.lease.projectId'
    value: string
  }

  export interface LeaseResponseLeaseChunkFieldEvent {
    field: '$.lease.chunk'
    value: number
  }

  export interface LeaseResponseLeaseRowStartFieldEvent {
    field: '$.lease.rowStart'
    value: number
  }

  export interface LeaseResponseLeaseRowEndFieldEvent {
    field: '$.lease.rowEnd'
    value: number
  }

  export interface LeaseResponseLeaseRowColsFieldEvent {
    field: '$.lease.rowCols'
    value: number
  }

  export interface LeaseResponseLeaseRowsFieldEvent {
    field: '$.lease.rows'
    value: Uint8Array<ArrayBuffer>
  }

  export interface LeaseResponseLeaseSharedNameFieldEvent {
    field: '$.lease.shared[].name'
    value: string
    index: number
  }

  export interface LeaseResponseLeaseSharedHashFieldEvent {
    field: '$.lease.shared[].hash'
    value: string
    index: number
  }

  export interface LeaseResponseLeaseSharedSizeFieldEvent {
    field: '$.lease.shared[].size'
    value: number
    index: number
  }

  export interface LeaseResponseLeaseSharedRowsFieldEvent {
    field: '$.lease.shared[].rows'
    value: number
    index: number
  }

  export interface LeaseResponseLeaseSharedColsFieldEvent {
    field: '$.lease.shared[].cols'
    value: number
    index: number
  }

  export interface LeaseResponseLeaseDeadlineMsFieldEvent {
    field: '$.lease.deadlineMs'
    value: number
  }

  export interface LeaseResponseLeaseHeartbeatMsFieldEvent {
    field: '$.lease.heartbeatMs'
    value: number
  }

  export interface LeaseResponseLeaseOutputColsFieldEvent {
    field: '$.lease.outputCols'
    value: number
  }

  export interface LeaseResponseLeaseRoundFieldEvent {
    field: '$.lease.round'
    value: number
  }

  export interface LeaseResponseLeaseRowsHeldFieldEvent {
    field: '$.lease.rowsHeld'
    value: boolean
  }

  export interface LeaseResponseRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export interface LeaseResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface LeaseResponseMoreLeaseIdFieldEvent {
    field: '$.more[].leaseId'
    value: string
    index: number
  }

  export interface LeaseResponseMoreProjectIdFieldEvent {
    field: '$.more[].projectId'
    value: string
    index: number
  }

  export interface LeaseResponseMoreChunkFieldEvent {
    field: '$.more[].chunk'
    value: number
    index: number
  }

  export interface LeaseResponseMoreRowStartFieldEvent {
    field: '$.more[].rowStart'
    value: number
    index: number
  }

  export interface LeaseResponseMoreRowEndFieldEvent {
    field: '$.more[].rowEnd'
    value: number
    index: number
  }

  export interface LeaseResponseMoreRowColsFieldEvent {
    field: '$.more[].rowCols'
    value: number
    index: number
  }

  export interface LeaseResponseMoreRowsFieldEvent {
    field: '$.more[].rows'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface LeaseResponseMoreSharedNameFieldEvent {
    field: '$.more[].shared[].name'
    value: string
    index: number
  }

  export interface LeaseResponseMoreSharedHashFieldEvent {
    field: '$.more[].shared[].hash'
    value: string
    index: number
  }

  export interface LeaseResponseMoreSharedSizeFieldEvent {
    field: '$.more[].shared[].size'
    value: number
    index: number
  }

  export interface LeaseResponseMoreSharedRowsFieldEvent {
    field: '$.more[].shared[].rows'
    value: number
    index: number
  }

  export interface LeaseResponseMoreSharedColsFieldEvent {
    field: '$.more[].shared[].cols'
    value: number
    index: number
  }

  export interface LeaseResponseMoreDeadlineMsFieldEvent {
    field: '$.more[].deadlineMs'
    value: number
    index: number
  }

  export interface LeaseResponseMoreHeartbeatMsFieldEvent {
    field: '$.more[].heartbeatMs'
    value: number
    index: number
  }

  export interface LeaseResponseMoreOutputColsFieldEvent {
    field: '$.more[].outputCols'
    value: number
    index: number
  }

  export interface LeaseResponseMoreRoundFieldEvent {
    field: '$.more[].round'
    value: number
    index: number
  }

  export interface LeaseResponseMoreRowsHeldFieldEvent {
    field: '$.more[].rowsHeld'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<LeaseResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LeaseResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseResponse>): LeaseResponse {
    return decodeMessage(buf, LeaseResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseResponse>): Generator<LeaseResponseStatusFieldEvent | LeaseResponseLeaseLeaseIdFieldEvent | LeaseResponseLeaseProjectIdFieldEvent | LeaseResponseLeaseChunkFieldEvent | LeaseResponseLeaseRowStartFieldEvent | LeaseResponseLeaseRowEndFieldEvent | LeaseResponseLeaseRowColsFieldEvent | LeaseResponseLeaseRowsFieldEvent | LeaseResponseLeaseSharedNameFieldEvent | LeaseResponseLeaseSharedHashFieldEvent | LeaseResponseLeaseSharedSizeFieldEvent | LeaseResponseLeaseSharedRowsFieldEvent | LeaseResponseLeaseSharedColsFieldEvent | LeaseResponseLeaseDeadlineMsFieldEvent | LeaseResponseLeaseHeartbeatMsFieldEvent | LeaseResponseLeaseOutputColsFieldEvent | LeaseResponseLeaseRoundFieldEvent | LeaseResponseLeaseRowsHeldFieldEvent | LeaseResponseRetryAfterMsFieldEvent | LeaseResponseMessageFieldEvent | LeaseResponseMoreLeaseIdFieldEvent | LeaseResponseMoreProjectIdFieldEvent | LeaseResponseMoreChunkFieldEvent | LeaseResponseMoreRowStartFieldEvent | LeaseResponseMoreRowEndFieldEvent | LeaseResponseMoreRowColsFieldEvent | LeaseResponseMoreRowsFieldEvent | LeaseResponseMoreSharedNameFieldEvent | LeaseResponseMoreSharedHashFieldEvent | LeaseResponseMoreSharedSizeFieldEvent | LeaseResponseMoreSharedRowsFieldEvent | LeaseResponseMoreSharedColsFieldEvent | LeaseResponseMoreDeadlineMsFieldEvent | LeaseResponseMoreHeartbeatMsFieldEvent | LeaseResponseMoreOutputColsFieldEvent | LeaseResponseMoreRoundFieldEvent | LeaseResponseMoreRowsHeldFieldEvent> {
    return streamMessage(buf, LeaseResponse.codec(), opts)
  }
}

export interface SharedInput {
  name: string
  hash: string
  size: number
  rows: number
  cols: number
}

export namespace SharedInput {
  let _codec: Codec<SharedInput>

  export const codec = (): Codec<SharedInput> => {
    if (_codec == null) {
      _codec = message<SharedInput>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.hash != null && obj.hash !== '')) {
          w.uint32(18)
          w.string(obj.hash)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if ((obj.rows != null && obj.rows !== 0)) {
          w.uint32(32)
          w.uint32(obj.rows)
        }

        if ((obj.cols != null && obj.cols !== 0)) {
          w.uint32(40)
          w.uint32(obj.cols)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          hash: '',
          size: 0,
          rows: 0,
          cols: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.hash = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              obj.rows = reader.uint32()
              break
            }
            case 5: {
              obj.cols = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.hash`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.rows`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.cols`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SharedInputNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface SharedInputHashFieldEvent {
    field: '$.hash'
    value: string
  }

  export interface SharedInputSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface SharedInputRowsFieldEvent {
    field: '$.rows'
    value: number
  }

  export interface SharedInputColsFieldEvent {
    field: '$.cols'
    value: number
  }

  export function encode (obj: Partial<SharedInput>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SharedInput.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SharedInput>): SharedInput {
    return decodeMessage(buf, SharedInput.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SharedInput>): Generator<SharedInputNameFieldEvent | SharedInputHashFieldEvent | SharedInputSizeFieldEvent | SharedInputRowsFieldEvent | SharedInputColsFieldEvent> {
    return streamMessage(buf, SharedInput.codec(), opts)
  }
}

export interface ChunkLease {
  leaseId: string
  projectId: string
  chunk: number
  rowStart: number
  rowEnd: number
  rowCols: number
  rows: Uint8Array<ArrayBuffer>
  shared: SharedInput[]
  deadlineMs: number
  heartbeatMs: number
  outputCols: number
  round?: number
  rowsHeld?: boolean
}

export namespace ChunkLease {
  let _codec: Codec<ChunkLease>

  export const codec = (): Codec<ChunkLease> => {
    if (_codec == null) {
      _codec = message<ChunkLease>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.leaseId != null && obj.leaseId !== '')) {
          w.uint32(10)
          w.string(obj.leaseId)
        }

        if ((obj.projectId != null && obj.projectId !== '')) {
          w.uint32(18)
          w.string(obj.projectId)
        }

        if ((obj.chunk != null && obj.chunk !== 0)) {
          w.uint32(24)
          w.uint32(obj.chunk)
        }

        if ((obj.rowStart != null && obj.rowStart !== 0)) {
          w.uint32(32)
          w.uint32(obj.rowStart)
        }

        if ((obj.rowEnd != null && obj.rowEnd !== 0)) {
          w.uint32(40)
          w.uint32(obj.rowEnd)
        }

        if ((obj.rowCols != null && obj.rowCols !== 0)) {
          w.uint32(48)
          w.uint32(obj.rowCols)
        }

        if ((obj.rows != null && obj.rows.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.rows)
        }

        if (obj.shared != null && obj.shared.length > 0) {
          for (const value of obj.shared) {
            w.uint32(66)
            SharedInput.codec().encode(value, w)
          }
        }

        if ((obj.deadlineMs != null && obj.deadlineMs !== 0)) {
          w.uint32(72)
          w.uint32(obj.deadlineMs)
        }

        if ((obj.heartbeatMs != null && obj.heartbeatMs !== 0)) {
          w.uint32(80)
          w.uint32(obj.heartbeatMs)
        }

        if ((obj.outputCols != null && obj.outputCols !== 0)) {
          w.uint32(88)
          w.uint32(obj.outputCols)
        }

        if (obj.round != null) {
          w.uint32(96)
          w.uint32(obj.round)
        }

        if (obj.rowsHeld != null) {
          w.uint32(104)
          w.bool(obj.rowsHeld)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          leaseId: '',
          projectId: '',
          chunk: 0,
          rowStart: 0,
          rowEnd: 0,
          rowCols: 0,
          rows: uint8ArrayAlloc(0),
          shared: [],
          deadlineMs: 0,
          heartbeatMs: 0,
          outputCols: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.leaseId = reader.string()
              break
            }
            case 2: {
              obj.projectId = reader.string()
              break
            }
            case 3: {
              obj.chunk = reader.uint32()
              break
            }
            case 4: {
              obj.rowStart = reader.uint32()
              break
            }
            case 5: {
              obj.rowEnd = reader.uint32()
              break
            }
            case 6: {
              obj.rowCols = reader.uint32()
              break
            }
            case 7: {
              obj.rows = reader.bytes()
              break
            }
            case 8: {
              if (opts.limits?.shared != null && obj.shared.length === opts.limits.shared) {
                throw new MaxLengthError('Decode error - repeated field "shared" had too many elements')
              }

              obj.shared.push(SharedInput.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shared$
              }))
              break
            }
            case 9: {
              obj.deadlineMs = reader.uint32()
              break
            }
            case 10: {
              obj.heartbeatMs = reader.uint32()
              break
            }
            case 11: {
              obj.outputCols = reader.uint32()
              break
            }
            case 12: {
              obj.round = reader.uint32()
              break
            }
            case 13: {
              obj.rowsHeld = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          shared: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.leaseId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.projectId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.chunk`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.rowStart`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.rowEnd`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.rowCols`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.rows`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              if (opts.limits?.shared != null && obj.shared === opts.limits.shared) {
                throw new MaxLengthError('Streaming decode error - repeated field "shared" had too many elements')
              }

              for (const evt of SharedInput.codec().stream(reader, reader.uint32(), `${prefix}.shared[]`, {
                limits: opts.limits?.shared$
              })) {
                yield {
                  ...evt,
                  index: obj.shared
                }
              }

              obj.shared++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.deadlineMs`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.heartbeatMs`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.outputCols`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint32()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.rowsHeld`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChunkLeaseLeaseIdFieldEvent {
    field: '$.leaseId'
    value: string
  }

  export interface ChunkLeaseProjectIdFieldEvent {
    field: '$.projectId'
    value: string
  }

  export interface ChunkLeaseChunkFieldEvent {
    field: '$.chunk'
    value: number
  }

  export interface ChunkLeaseRowStartFieldEvent {
    field: '$.rowStart'
    value: number
  }

  export interface ChunkLeaseRowEndFieldEvent {
    field: '$.rowEnd'
    value: number
  }

  export interface ChunkLeaseRowColsFieldEvent {
    field: '$.rowCols'
    value: number
  }

  export interface ChunkLeaseRowsFieldEvent {
    field: '$.rows'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChunkLeaseSharedNameFieldEvent {
    field: '$.shared[].name'
    value: string
    index: number
  }

  export interface ChunkLeaseSharedHashFieldEvent {
    field: '$.shared[].hash'
    value: string
    index: number
  }

  export interface ChunkLeaseSharedSizeFieldEvent {
    field: '$.shared[].size'
    value: number
    index: number
  }

  export interface ChunkLeaseSharedRowsFieldEvent {
    field: '$.shared[].rows'
    value: number
    index: number
  }

  export interface ChunkLeaseSharedColsFieldEvent {
    field: '$.shared[].cols'
    value: number
    index: number
  }

  export interface ChunkLeaseDeadlineMsFieldEvent {
    field: '$.deadlineMs'
    value: number
  }

  export interface ChunkLeaseHeartbeatMsFieldEvent {
    field: '$.heartbeatMs'
    value: number
  }

  export interface ChunkLeaseOutputColsFieldEvent {
    field: '$.outputCols'
    value: number
  }

  export interface ChunkLeaseRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface ChunkLeaseRowsHeldFieldEvent {
    field: '$.rowsHeld'
    value: boolean
  }

  export function encode (obj: Partial<ChunkLease>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChunkLease.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkLease>): ChunkLease {
    return decodeMessage(buf, ChunkLease.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkLease>): Generator<ChunkLeaseLeaseIdFieldEvent | ChunkLeaseProjectIdFieldEvent | ChunkLeaseChunkFieldEvent | ChunkLeaseRowStartFieldEvent | ChunkLeaseRowEndFieldEvent | ChunkLeaseRowColsFieldEvent | ChunkLeaseRowsFieldEvent | ChunkLeaseSharedNameFieldEvent | ChunkLeaseSharedHashFieldEvent | ChunkLeaseSharedSizeFieldEvent | ChunkLeaseSharedRowsFieldEvent | ChunkLeaseSharedColsFieldEvent | ChunkLeaseDeadlineMsFieldEvent | ChunkLeaseHeartbeatMsFieldEvent | ChunkLeaseOutputColsFieldEvent | ChunkLeaseRoundFieldEvent | ChunkLeaseRowsHeldFieldEvent> {
    return streamMessage(buf, ChunkLease.codec(), opts)
  }
}

export interface ResultSubmission {
  leaseId: string
  result: Uint8Array<ArrayBuffer>
  computeMs: number
  fetchMs: number
  blobBytes: number
}

export namespace ResultSubmission {
  let _codec: Codec<ResultSubmission>

  export const codec = (): Codec<ResultSubmission> => {
    if (_codec == null) {
      _codec = message<ResultSubmission>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.leaseId != null && obj.leaseId !== '')) {
          w.uint32(10)
          w.string(obj.leaseId)
        }

        if ((obj.result != null && obj.result.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.result)
        }

        if ((obj.computeMs != null && obj.computeMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.computeMs)
        }

        if ((obj.fetchMs != null && obj.fetchMs !== 0)) {
          w.uint32(32)
          w.uint32(obj.fetchMs)
        }

        if ((obj.blobBytes != null && obj.blobBytes !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.blobBytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          leaseId: '',
          result: uint8ArrayAlloc(0),
          computeMs: 0,
          fetchMs: 0,
          blobBytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.leaseId = reader.string()
              break
            }
            case 2: {
              obj.result = reader.bytes()
              break
            }
            case 3: {
              obj.computeMs = reader.uint32()
              break
            }
            case 4: {
              obj.fetchMs = reader.uint32()
              break
            }
            case 5: {
              obj.blobBytes = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.leaseId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.result`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.computeMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.fetchMs`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.blobBytes`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ResultSubmissionLeaseIdFieldEvent {
    field: '$.leaseId'
    value: string
  }

  export interface ResultSubmissionResultFieldEvent {
    field: '$.result'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResultSubmissionComputeMsFieldEvent {
    field: '$.computeMs'
    value: number
  }

  export interface ResultSubmissionFetchMsFieldEvent {
    field: '$.fetchMs'
    value: number
  }

  export interface ResultSubmissionBlobBytesFieldEvent {
    field: '$.blobBytes'
    value: number
  }

  export function encode (obj: Partial<ResultSubmission>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResultSubmission.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResultSubmission>): ResultSubmission {
    return decodeMessage(buf, ResultSubmission.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResultSubmission>): Generator<ResultSubmissionLeaseIdFieldEvent | ResultSubmissionResultFieldEvent | ResultSubmissionComputeMsFieldEvent | ResultSubmissionFetchMsFieldEvent | ResultSubmissionBlobBytesFieldEvent> {
    return streamMessage(buf, ResultSubmission.codec(), opts)
  }
}

export enum ResultStatus {
  VERIFIED = 'VERIFIED',
  PENDING = 'PENDING',
  REJECTED = 'REJECTED'
}

enum __ResultStatusValues {
  VERIFIED = 0,
  PENDING = 1,
  REJECTED = 2
}

export namespace ResultStatus {
  export const codec = (): Codec<ResultStatus> => {
    return enumeration<ResultStatus>(__ResultStatusValues)
  }
}

export enum RejectCode {
  NONE = 'NONE',
  UNKNOWN_LEASE = 'UNKNOWN_LEASE',
  DUPLICATE = 'DUPLICATE',
  WRONG_SIZE = 'WRONG_SIZE',
  MISMATCH = 'MISMATCH',
  BANNED = 'BANNED',
  ALREADY_DONE = 'ALREADY_DONE',
  NOT_ACCEPTING = 'NOT_ACCEPTING'
}

enum __RejectCodeValues {
  NONE = 0,
  UNKNOWN_LEASE = 1,
  DUPLICATE = 2,
  WRONG_SIZE = 3,
  MISMATCH = 4,
  BANNED = 5,
  ALREADY_DONE = 6,
  NOT_ACCEPTING = 7
}

export namespace RejectCode {
  export const codec = (): Codec<RejectCode> => {
    return enumeration<RejectCode>(__RejectCodeValues)
  }
}

export interface ResultResponse {
  status: ResultStatus
  code: RejectCode
  message: string
  receipt?: SignedReceipt
}

export namespace ResultResponse {
  let _codec: Codec<ResultResponse>

  export const codec = (): Codec<ResultResponse> => {
    if (_codec == null) {
      _codec = message<ResultResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __ResultStatusValues[obj.status] !== 0) {
          w.uint32(8)
          ResultStatus.codec().encode(obj.status, w)
        }

        if (obj.code != null && __RejectCodeValues[obj.code] !== 0) {
          w.uint32(16)
          RejectCode.codec().encode(obj.code, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.receipt != null) {
          w.uint32(34)
          SignedReceipt.codec().encode(obj.receipt, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: ResultStatus.VERIFIED,
          code: RejectCode.NONE,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = ResultStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.code = RejectCode.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.receipt = SignedReceipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipt
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: ResultStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: RejectCode.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield * SignedReceipt.codec().stream(reader, reader.uint32(), `${prefix}.receipt`, {
                limits: opts.limits?.receipt
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ResultResponseStatusFieldEvent {
    field: '$.status'
    value: ResultStatus
  }

  export interface ResultResponseCodeFieldEvent {
    field: '$.code'
    value: RejectCode
  }

  export interface ResultResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface ResultResponseReceiptReceiptFieldEvent {
    field: '$.receipt.receipt'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResultResponseReceiptSignatureFieldEvent {
    field: '$.receipt.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ResultResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResultResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResultResponse>): ResultResponse {
    return decodeMessage(buf, ResultResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResultResponse>): Generator<ResultResponseStatusFieldEvent | ResultResponseCodeFieldEvent | ResultResponseMessageFieldEvent | ResultResponseReceiptReceiptFieldEvent | ResultResponseReceiptSignatureFieldEvent> {
    return streamMessage(buf, ResultResponse.codec(), opts)
  }
}

export interface Heartbeat {
  leaseIds: string[]
  gflops: number
}

export namespace Heartbeat {
  let _codec: Codec<Heartbeat>

  export const codec = (): Codec<Heartbeat> => {
    if (_codec == null) {
      _codec = message<Heartbeat>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.leaseIds != null && obj.leaseIds.length > 0) {
          for (const value of obj.leaseIds) {
            w.uint32(10)
            w.string(value)
          }
        }

        if ((obj.gflops != null && obj.gflops !== 0)) {
          w.uint32(17)
          w.double(obj.gflops)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          leaseIds: [],
          gflops: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.leaseIds != null && obj.leaseIds.length === opts.limits.leaseIds) {
                throw new MaxLengthError('Decode error - repeated field "leaseIds" had too many elements')
              }

              obj.leaseIds.push(reader.string())
              break
            }
            case 2: {
              obj.gflops = reader.double()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          leaseIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.leaseIds != null && obj.leaseIds === opts.limits.leaseIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "leaseIds" had too many elements')
              }

              yield {
                field: `${prefix}.leaseIds[]`,
                index: obj.leaseIds,
                value: reader.string()
              }

              obj.leaseIds++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.gflops`,
                value: reader.double()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HeartbeatLeaseIdsFieldEvent {
    field: '$.leaseIds[]'
    index: number
    value: string
  }

  export interface HeartbeatGflopsFieldEvent {
    field: '$.gflops'
    value: number
  }

  export function encode (obj: Partial<Heartbeat>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Heartbeat.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Heartbeat {
    return decodeMessage(buf, Heartbeat.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Generator<HeartbeatLeaseIdsFieldEvent | HeartbeatGflopsFieldEvent> {
    return streamMessage(buf, Heartbeat.codec(), opts)
  }
}

export interface HeartbeatResponse {
  dropped: string[]
}

export namespace HeartbeatResponse {
  let _codec: Codec<HeartbeatResponse>

  export const codec = (): Codec<HeartbeatResponse> => {
    if (_codec == null) {
      _codec = message<HeartbeatResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.dropped != null && obj.dropped.length > 0) {
          for (const value of obj.dropped) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          dropped: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.dropped != null && obj.dropped.length === opts.limits.dropped) {
                throw new MaxLengthError('Decode error - repeated field "dropped" had too many elements')
              }

              obj.dropped.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          dropped: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.dropped != null && obj.dropped === opts.limits.dropped) {
                throw new MaxLengthError('Streaming decode error - repeated field "dropped" had too many elements')
              }

              yield {
                field: `${prefix}.dropped[]`,
                index: obj.dropped,
                value: reader.string()
              }

              obj.dropped++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HeartbeatResponseDroppedFieldEvent {
    field: '$.dropped[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<HeartbeatResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HeartbeatResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeartbeatResponse>): HeartbeatResponse {
    return decodeMessage(buf, HeartbeatResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeartbeatResponse>): Generator<HeartbeatResponseDroppedFieldEvent> {
    return streamMessage(buf, HeartbeatResponse.codec(), opts)
  }
}

export interface Release {
  leaseIds: string[]
  reason?: string
}

export namespace Release {
  let _codec: Codec<Release>

  export const codec = (): Codec<Release> => {
    if (_codec == null) {
      _codec = message<Release>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.leaseIds != null && obj.leaseIds.length > 0) {
          for (const value of obj.leaseIds) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (obj.reason != null) {
          w.uint32(18)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          leaseIds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.leaseIds != null && obj.leaseIds.length === opts.limits.leaseIds) {
                throw new MaxLengthError('Decode error - repeated field "leaseIds" had too many elements')
              }

              obj.leaseIds.push(reader.string())
              break
            }
            case 2: {
              obj.reason = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          leaseIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.leaseIds != null && obj.leaseIds === opts.limits.leaseIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "leaseIds" had too many elements')
              }

              yield {
                field: `${prefix}.leaseIds[]`,
                index: obj.leaseIds,
                value: reader.string()
              }

              obj.leaseIds++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReleaseLeaseIdsFieldEvent {
    field: '$.leaseIds[]'
    index: number
    value: string
  }

  export interface ReleaseReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<Release>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Release.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Release>): Release {
    return decodeMessage(buf, Release.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Release>): Generator<ReleaseLeaseIdsFieldEvent | ReleaseReasonFieldEvent> {
    return streamMessage(buf, Release.codec(), opts)
  }
}

export interface ReleaseResponse {
  released: number
}

export namespace ReleaseResponse {
  let _codec: Codec<ReleaseResponse>

  export const codec = (): Codec<ReleaseResponse> => {
    if (_codec == null) {
      _codec = message<ReleaseResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.released != null && obj.released !== 0)) {
          w.uint32(8)
          w.uint32(obj.released)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          released: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.released = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.released`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReleaseResponseReleasedFieldEvent {
    field: '$.released'
    value: number
  }

  export function encode (obj: Partial<ReleaseResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReleaseResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReleaseResponse>): ReleaseResponse {
    return decodeMessage(buf, ReleaseResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReleaseResponse>): Generator<ReleaseResponseReleasedFieldEvent> {
    return streamMessage(buf, ReleaseResponse.codec(), opts)
  }
}

export enum WorkErrorCode {
  MALFORMED = 'MALFORMED',
  NOT_SERVING = 'NOT_SERVING',
  INTERNAL = 'INTERNAL'
}

enum __WorkErrorCodeValues {
  MALFORMED = 0,
  NOT_SERVING = 1,
  INTERNAL = 2
}

export namespace WorkErrorCode {
  export const codec = (): Codec<WorkErrorCode> => {
    return enumeration<WorkErrorCode>(__WorkErrorCodeValues)
  }
}

export interface WorkError {
  code: WorkErrorCode
  message: string
}

export namespace WorkError {
  let _codec: Codec<WorkError>

  export const codec = (): Codec<WorkError> => {
    if (_codec == null) {
      _codec = message<WorkError>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __WorkErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          WorkErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: WorkErrorCode.MALFORMED,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = WorkErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: WorkErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface WorkErrorCodeFieldEvent {
    field: '$.code'
    value: WorkErrorCode
  }

  export interface WorkErrorMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<WorkError>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WorkError.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkError>): WorkError {
    return decodeMessage(buf, WorkError.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkError>): Generator<WorkErrorCodeFieldEvent | WorkErrorMessageFieldEvent> {
    return streamMessage(buf, WorkError.codec(), opts)
  }
}

export interface Receipt {
  projectId: string
  chunk: number
  volunteer: string
  researcher: string
  flops: number
  computeMs: number
  issuedAt: number
}

export namespace Receipt {
  let _codec: Codec<Receipt>

  export const codec = (): Codec<Receipt> => {
    if (_codec == null) {
      _codec = message<Receipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.projectId != null && obj.projectId !== '')) {
          w.uint32(10)
          w.string(obj.projectId)
        }

        if ((obj.chunk != null && obj.chunk !== 0)) {
          w.uint32(16)
          w.uint32(obj.chunk)
        }

        if ((obj.volunteer != null && obj.volunteer !== '')) {
          w.uint32(26)
          w.string(obj.volunteer)
        }

        if ((obj.researcher != null && obj.researcher !== '')) {
          w.uint32(34)
          w.string(obj.researcher)
        }

        if ((obj.flops != null && obj.flops !== 0)) {
          w.uint32(41)
          w.double(obj.flops)
        }

        if ((obj.computeMs != null && obj.computeMs !== 0)) {
          w.uint32(48)
          w.uint32(obj.computeMs)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.issuedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          projectId: '',
          chunk: 0,
          volunteer: '',
          researcher: '',
          flops: 0,
          computeMs: 0,
          issuedAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.projectId = reader.string()
              break
            }
            case 2: {
              obj.chunk = reader.uint32()
              break
            }
            case 3: {
              obj.volunteer = reader.string()
              break
            }
            case 4: {
              obj.researcher = reader.string()
              break
            }
            case 5: {
              obj.flops = reader.double()
              break
            }
            case 6: {
              obj.computeMs = reader.uint32()
              break
            }
            case 7: {
              obj.issuedAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.projectId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.chunk`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.volunteer`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.researcher`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.flops`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.computeMs`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReceiptProjectIdFieldEvent {
    field: '$.projectId'
    value: string
  }

  export interface ReceiptChunkFieldEvent {
    field: '$.chunk'
    value: number
  }

  export interface ReceiptVolunteerFieldEvent {
    field: '$.volunteer'
    value: string
  }

  export interface ReceiptResearcherFieldEvent {
    field: '$.researcher'
    value: string
  }

  export interface ReceiptFlopsFieldEvent {
    field: '$.flops'
    value: number
  }

  export interface ReceiptComputeMsFieldEvent {
    field: '$.computeMs'
    value: number
  }

  export interface ReceiptIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export function encode (obj: Partial<Receipt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Receipt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Receipt {
    return decodeMessage(buf, Receipt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Generator<ReceiptProjectIdFieldEvent | ReceiptChunkFieldEvent | ReceiptVolunteerFieldEvent | ReceiptResearcherFieldEvent | ReceiptFlopsFieldEvent | ReceiptComputeMsFieldEvent | ReceiptIssuedAtFieldEvent> {
    return streamMessage(buf, Receipt.codec(), opts)
  }
}

export interface SignedReceipt {
  receipt: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedReceipt {
  let _codec: Codec<SignedReceipt>

  export const codec = (): Codec<SignedReceipt> => {
    if (_codec == null) {
      _codec = message<SignedReceipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.receipt != null && obj.receipt.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.receipt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          receipt: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.receipt = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.receipt`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedReceiptReceiptFieldEvent {
    field: '$.receipt'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedReceiptSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedReceipt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedReceipt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedReceipt>): SignedReceipt {
    return decodeMessage(buf, SignedReceipt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedReceipt>): Generator<SignedReceiptReceiptFieldEvent | SignedReceiptSignatureFieldEvent> {
    return streamMessage(buf, SignedReceipt.codec(), opts)
  }
}
