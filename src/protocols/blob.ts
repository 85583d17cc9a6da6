import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface BlobRequest {
  hash: string
  fromPiece: number
  maxPieces: number
}

export namespace BlobRequest {
  let _codec: Codec<BlobRequest>

  export const codec = (): Codec<BlobRequest> => {
    if (_codec == null) {
      _codec = message<BlobRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.hash != null && obj.hash !== '')) {
          w.uint32(10)
          w.string(obj.hash)
        }

        if ((obj.fromPiece != null && obj.fromPiece !== 0)) {
          w.uint32(16)
          w.uint32(obj.fromPiece)
        }

        if ((obj.maxPieces != null && obj.maxPieces !== 0)) {
          w.uint32(24)
          w.uint32(obj.maxPieces)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: '',
          fromPiece: 0,
          maxPieces: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hash = reader.string()
              break
            }
            case 2: {
              obj.fromPiece = reader.uint32()
              break
            }
            case 3: {
              obj.maxPieces = reader.uint32()
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
                field: `${prefix}.hash`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.fromPiece`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.maxPieces`,
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

  export interface BlobRequestHashFieldEvent {
    field: '$.hash'
    value: string
  }

  export interface BlobRequestFromPieceFieldEvent {
    field: '$.fromPiece'
    value: number
  }

  export interface BlobRequestMaxPiecesFieldEvent {
    field: '$.maxPieces'
    value: number
  }

  export function encode (obj: Partial<BlobRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobRequest>): BlobRequest {
    return decodeMessage(buf, BlobRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobRequest>): Generator<BlobRequestHashFieldEvent | BlobRequestFromPieceFieldEvent | BlobRequestMaxPiecesFieldEvent> {
    return streamMessage(buf, BlobRequest.codec(), opts)
  }
}

export enum BlobStatus {
  FOUND = 'FOUND',
  NOT_FOUND = 'NOT_FOUND',
  MALFORMED = 'MALFORMED',
  BUSY = 'BUSY'
}

enum __BlobStatusValues {
  FOUND = 0,
  NOT_FOUND = 1,
  MALFORMED = 2,
  BUSY = 3
}

export namespace BlobStatus {
  export const codec = (): Codec<BlobStatus> => {
    return enumeration<BlobStatus>(__BlobStatusValues)
  }
}

export interface BlobHeader {
  status: BlobStatus
  size: number
  pieces: number
  pieceSize: number
  message: string
}

export namespace BlobHeader {
  let _codec: Codec<BlobHeader>

  export const codec = (): Codec<BlobHeader> => {
    if (_codec == null) {
      _codec = message<BlobHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __BlobStatusValues[obj.status] !== 0) {
          w.uint32(8)
          BlobStatus.codec().encode(obj.status, w)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.pieces != null && obj.pieces !== 0)) {
          w.uint32(24)
          w.uint32(obj.pieces)
        }

        if ((obj.pieceSize != null && obj.pieceSize !== 0)) {
          w.uint32(32)
          w.uint32(obj.pieceSize)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(42)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: BlobStatus.FOUND,
          size: 0,
          pieces: 0,
          pieceSize: 0,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = BlobStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
              break
            }
            case 3: {
              obj.pieces = reader.uint32()
              break
            }
            case 4: {
              obj.pieceSize = reader.uint32()
              break
            }
            case 5: {
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
                field: `${prefix}.status`,
                value: BlobStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.pieces`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.pieceSize`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
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

  export interface BlobHeaderStatusFieldEvent {
    field: '$.status'
    value: BlobStatus
  }

  export interface BlobHeaderSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface BlobHeaderPiecesFieldEvent {
    field: '$.pieces'
    value: number
  }

  export interface BlobHeaderPieceSizeFieldEvent {
    field: '$.pieceSize'
    value: number
  }

  export interface BlobHeaderMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<BlobHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobHeader>): BlobHeader {
    return decodeMessage(buf, BlobHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobHeader>): Generator<BlobHeaderStatusFieldEvent | BlobHeaderSizeFieldEvent | BlobHeaderPiecesFieldEvent | BlobHeaderPieceSizeFieldEvent | BlobHeaderMessageFieldEvent> {
    return streamMessage(buf, BlobHeader.codec(), opts)
  }
}

export interface BlobPiece {
  index: number
  data: Uint8Array<ArrayBuffer>
}

export namespace BlobPiece {
  let _codec: Codec<BlobPiece>

  export const codec = (): Codec<BlobPiece> => {
    if (_codec == null) {
      _codec = message<BlobPiece>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.data = reader.bytes()
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
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
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

  export interface BlobPieceIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface BlobPieceDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BlobPiece>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobPiece.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobPiece>): BlobPiece {
    return decodeMessage(buf, BlobPiece.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobPiece>): Generator<BlobPieceIndexFieldEvent | BlobPieceDataFieldEvent> {
    return streamMessage(buf, BlobPiece.codec(), opts)
  }
}
