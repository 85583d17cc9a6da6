import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ManifestInput {
  name: string
  rows: number
  cols: number
  sha256: Uint8Array<ArrayBuffer>
  size: bigint
}

export namespace ManifestInput {
  let _codec: Codec<ManifestInput>

  export const codec = (): Codec<ManifestInput> => {
    if (_codec == null) {
      _codec = message<ManifestInput>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.rows != null && obj.rows !== 0)) {
          w.uint32(16)
          w.uint32(obj.rows)
        }

        if ((obj.cols != null && obj.cols !== 0)) {
          w.uint32(24)
          w.uint32(obj.cols)
        }

        if ((obj.sha256 != null && obj.sha256.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.sha256)
        }

        if ((obj.size != null && obj.size !== 0n)) {
          w.uint32(40)
          w.uint64(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          rows: 0,
          cols: 0,
          sha256: uint8ArrayAlloc(0),
          size: 0n
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
              obj.rows = reader.uint32()
              break
            }
            case 3: {
              obj.cols = reader.uint32()
              break
            }
            case 4: {
              obj.sha256 = reader.bytes()
              break
            }
            case 5: {
              obj.size = reader.uint64()
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
                field: `${prefix}.rows`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.cols`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sha256`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64()
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

  export interface ManifestInputNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ManifestInputRowsFieldEvent {
    field: '$.rows'
    value: number
  }

  export interface ManifestInputColsFieldEvent {
    field: '$.cols'
    value: number
  }

  export interface ManifestInputSha256FieldEvent {
    field: '$.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ManifestInputSizeFieldEvent {
    field: '$.size'
    value: bigint
  }

  export function encode (obj: Partial<ManifestInput>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ManifestInput.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestInput>): ManifestInput {
    return decodeMessage(buf, ManifestInput.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestInput>): Generator<ManifestInputNameFieldEvent | ManifestInputRowsFieldEvent | ManifestInputColsFieldEvent | ManifestInputSha256FieldEvent | ManifestInputSizeFieldEvent> {
    return streamMessage(buf, ManifestInput.codec(), opts)
  }
}

export interface ManifestVerification {
  redundancy: number
  spotCheck: number
}

export namespace ManifestVerification {
  let _codec: Codec<ManifestVerification>

  export const codec = (): Codec<ManifestVerification> => {
    if (_codec == null) {
      _codec = message<ManifestVerification>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.redundancy != null && obj.redundancy !== 0)) {
          w.uint32(8)
          w.uint32(obj.redundancy)
        }

        if ((obj.spotCheck != null && obj.spotCheck !== 0)) {
          w.uint32(17)
          w.double(obj.spotCheck)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          redundancy: 0,
          spotCheck: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.redundancy = reader.uint32()
              break
            }
            case 2: {
              obj.spotCheck = reader.double()
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
                field: `${prefix}.redundancy`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.spotCheck`,
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

  export interface ManifestVerificationRedundancyFieldEvent {
    field: '$.redundancy'
    value: number
  }

  export interface ManifestVerificationSpotCheckFieldEvent {
    field: '$.spotCheck'
    value: number
  }

  export function encode (obj: Partial<ManifestVerification>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ManifestVerification.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestVerification>): ManifestVerification {
    return decodeMessage(buf, ManifestVerification.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestVerification>): Generator<ManifestVerificationRedundancyFieldEvent | ManifestVerificationSpotCheckFieldEvent> {
    return streamMessage(buf, ManifestVerification.codec(), opts)
  }
}

export interface Manifest {
  version: number
  name: string
  description: string
  kernel: string
  params: string
  inputs: ManifestInput[]
  outputCols: number
  rowsPerChunk: number
  chunkCount: number
  verification?: ManifestVerification
  createdAt: bigint
  owner: string
  ownerPublicKey: Uint8Array<ArrayBuffer>
}

export namespace Manifest {
  let _codec: Codec<Manifest>

  export const codec = (): Codec<Manifest> => {
    if (_codec == null) {
      _codec = message<Manifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.description != null && obj.description !== '')) {
          w.uint32(26)
          w.string(obj.description)
        }

        if ((obj.kernel != null && obj.kernel !== '')) {
          w.uint32(34)
          w.string(obj.kernel)
        }

        if ((obj.params != null && obj.params !== '')) {
          w.uint32(42)
          w.string(obj.params)
        }

        if (obj.inputs != null && obj.inputs.length > 0) {
          for (const value of obj.inputs) {
            w.uint32(50)
            ManifestInput.codec().encode(value, w)
          }
        }

        if ((obj.outputCols != null && obj.outputCols !== 0)) {
          w.uint32(56)
          w.uint32(obj.outputCols)
        }

        if ((obj.rowsPerChunk != null && obj.rowsPerChunk !== 0)) {
          w.uint32(64)
          w.uint32(obj.rowsPerChunk)
        }

        if ((obj.chunkCount != null && obj.chunkCount !== 0)) {
          w.uint32(72)
          w.uint32(obj.chunkCount)
        }

        if (obj.verification != null) {
          w.uint32(82)
          ManifestVerification.codec().encode(obj.verification, w)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0n)) {
          w.uint32(88)
          w.uint64(obj.createdAt)
        }

        if ((obj.owner != null && obj.owner !== '')) {
          w.uint32(98)
          w.string(obj.owner)
        }

        if ((obj.ownerPublicKey != null && obj.ownerPublicKey.byteLength > 0)) {
          w.uint32(106)
          w.bytes(obj.ownerPublicKey)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          name: '',
          description: '',
          kernel: '',
          params: '',
          inputs: [],
          outputCols: 0,
          rowsPerChunk: 0,
          chunkCount: 0,
          createdAt: 0n,
          owner: '',
          ownerPublicKey: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.description = reader.string()
              break
            }
            case 4: {
              obj.kernel = reader.string()
              break
            }
            case 5: {
              obj.params = reader.string()
              break
            }
            case 6: {
              if (opts.limits?.inputs != null && obj.inputs.length === opts.limits.inputs) {
                throw new MaxLengthError('Decode error - repeated field "inputs" had too many elements')
              }

              obj.inputs.push(ManifestInput.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.inputs$
              }))
              break
            }
            case 7: {
              obj.outputCols = reader.uint32()
              break
            }
            case 8: {
              obj.rowsPerChunk = reader.uint32()
              break
            }
            case 9: {
              obj.chunkCount = reader.uint32()
              break
            }
            case 10: {
              obj.verification = ManifestVerification.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.verification
              })
              break
            }
            case 11: {
              obj.createdAt = reader.uint64()
              break
            }
            case 12: {
              obj.owner = reader.string()
              break
            }
            case 13: {
              obj.ownerPublicKey = reader.bytes()
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
          inputs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.kernel`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.params`,
                value: reader.string()
              }
              break
            }
            case 6: {
              if (opts.limits?.inputs != null && obj.inputs === opts.limits.inputs) {
                throw new MaxLengthError('Streaming decode error - repeated field "inputs" had too many elements')
              }

              for (const evt of ManifestInput.codec().stream(reader, reader.uint32(), `${prefix}.inputs[]`, {
                limits: opts.limits?.inputs$
              })) {
                yield {
                  ...evt,
                  index: obj.inputs
                }
              }

              obj.inputs++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.outputCols`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.rowsPerChunk`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.chunkCount`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield * ManifestVerification.codec().stream(reader, reader.uint32(), `${prefix}.verification`, {
                limits: opts.limits?.verification
              })

              break
            }
            case 11: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.owner`,
                value: reader.string()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.ownerPublicKey`,
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

  export interface ManifestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ManifestNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ManifestDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface ManifestKernelFieldEvent {
    field: '$.kernel'
    value: string
  }

  export interface ManifestParamsFieldEvent {
    field: '$.params'
    value: string
  }

  export interface ManifestInputsNameFieldEvent {
    field: '$.inputs[].name'
    value: string
    index: number
  }

  export interface ManifestInputsRowsFieldEvent {
    field: '$.inputs[].rows'
    value: number
    index: number
  }

  export interface ManifestInputsColsFieldEvent {
    field: '$.inputs[].cols'
    value: number
    index: number
  }

  export interface ManifestInputsSha256FieldEvent {
    field: '$.inputs[].sha256'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ManifestInputsSizeFieldEvent {
    field: '$.inputs[].size'
    value: bigint
    index: number
  }

  export interface ManifestOutputColsFieldEvent {
    field: '$.outputCols'
    value: number
  }

  export interface ManifestRowsPerChunkFieldEvent {
    field: '$.rowsPerChunk'
    value: number
  }

  export interface ManifestChunkCountFieldEvent {
    field: '$.chunkCount'
    value: number
  }

  export interface ManifestVerificationRedundancyFieldEvent {
    field: '$.verification.redundancy'
    value: number
  }

  export interface ManifestVerificationSpotCheckFieldEvent {
    field: '$.verification.spotCheck'
    value: number
  }

  export interface ManifestCreatedAtFieldEvent {
    field: '$.createdAt'
    value: bigint
  }

  export interface ManifestOwnerFieldEvent {
    field: '$.owner'
    value: string
  }

  export interface ManifestOwnerPublicKeyFieldEvent {
    field: '$.ownerPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Manifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Manifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Manifest {
    return decodeMessage(buf, Manifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Generator<ManifestVersionFieldEvent | ManifestNameFieldEvent | ManifestDescriptionFieldEvent | ManifestKernelFieldEvent | ManifestParamsFieldEvent | ManifestInputsNameFieldEvent | ManifestInputsRowsFieldEvent | ManifestInputsColsFieldEvent | ManifestInputsSha256FieldEvent | ManifestInputsSizeFieldEvent | ManifestOutputColsFieldEvent | ManifestRowsPerChunkFieldEvent | ManifestChunkCountFieldEvent | ManifestVerificationRedundancyFieldEvent | ManifestVerificationSpotCheckFieldEvent | ManifestCreatedAtFieldEvent | ManifestOwnerFieldEvent | ManifestOwnerPublicKeyFieldEvent> {
    return streamMessage(buf, Manifest.codec(), opts)
  }
}

export interface SignedManifest {
  manifest: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedManifest {
  let _codec: Codec<SignedManifest>

  export const codec = (): Codec<SignedManifest> => {
    if (_codec == null) {
      _codec = message<SignedManifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.manifest != null && obj.manifest.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.manifest)
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
          manifest: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.manifest = reader.bytes()
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
                field: `${prefix}.manifest`,
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

  export interface SignedManifestManifestFieldEvent {
    field: '$.manifest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedManifestSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedManifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedManifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedManifest>): SignedManifest {
    return decodeMessage(buf, SignedManifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedManifest>): Generator<SignedManifestManifestFieldEvent | SignedManifestSignatureFieldEvent> {
    return streamMessage(buf, SignedManifest.codec(), opts)
  }
}

export interface AnnouncementBody {
  signedManifest: Uint8Array<ArrayBuffer>
  chunksDone: number
  chunksTotal: number
  volunteers: number
  status: string
  addresses: Uint8Array<ArrayBuffer>[]
  sequence: bigint
  timestamp: bigint
  ownerName: string
}

export namespace AnnouncementBody {
  let _codec: Codec<AnnouncementBody>

  export const codec = (): Codec<AnnouncementBody> => {
    if (_codec == null) {
      _codec = message<AnnouncementBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.signedManifest != null && obj.signedManifest.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.signedManifest)
        }

        if ((obj.chunksDone != null && obj.chunksDone !== 0)) {
          w.uint32(16)
          w.uint32(obj.chunksDone)
        }

        if ((obj.chunksTotal != null && obj.chunksTotal !== 0)) {
          w.uint32(24)
          w.uint32(obj.chunksTotal)
        }

        if ((obj.volunteers != null && obj.volunteers !== 0)) {
          w.uint32(32)
          w.uint32(obj.volunteers)
        }

        if ((obj.status != null && obj.status !== '')) {
          w.uint32(42)
          w.string(obj.status)
        }

        if (obj.addresses != null && obj.addresses.length > 0) {
          for (const value of obj.addresses) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(56)
          w.uint64(obj.sequence)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0n)) {
          w.uint32(64)
          w.uint64(obj.timestamp)
        }

        if ((obj.ownerName != null && obj.ownerName !== '')) {
          w.uint32(74)
          w.string(obj.ownerName)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          signedManifest: uint8ArrayAlloc(0),
          chunksDone: 0,
          chunksTotal: 0,
          volunteers: 0,
          status: '',
          addresses: [],
          sequence: 0n,
          timestamp: 0n,
          ownerName: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.signedManifest = reader.bytes()
              break
            }
            case 2: {
              obj.chunksDone = reader.uint32()
              break
            }
            case 3: {
              obj.chunksTotal = reader.uint32()
              break
            }
            case 4: {
              obj.volunteers = reader.uint32()
              break
            }
            case 5: {
              obj.status = reader.string()
              break
            }
            case 6: {
              if (opts.limits?.addresses != null && obj.addresses.length === opts.limits.addresses) {
                throw new MaxLengthError('Decode error - repeated field "addresses" had too many elements')
              }

              obj.addresses.push(reader.bytes())
              break
            }
            case 7: {
              obj.sequence = reader.uint64()
              break
            }
            case 8: {
              obj.timestamp = reader.uint64()
              break
            }
            case 9: {
              obj.ownerName = reader.string()
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
          addresses: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.signedManifest`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.chunksDone`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.chunksTotal`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.volunteers`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.status`,
                value: reader.string()
              }
              break
            }
            case 6: {
              if (opts.limits?.addresses != null && obj.addresses === opts.limits.addresses) {
                throw new MaxLengthError('Streaming decode error - repeated field "addresses" had too many elements')
              }

              yield {
                field: `${prefix}.addresses[]`,
                index: obj.addresses,
                value: reader.bytes()
              }

              obj.addresses++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.ownerName`,
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

  export interface AnnouncementBodySignedManifestFieldEvent {
    field: '$.signedManifest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementBodyChunksDoneFieldEvent {
    field: '$.chunksDone'
    value: number
  }

  export interface AnnouncementBodyChunksTotalFieldEvent {
    field: '$.chunksTotal'
    value: number
  }

  export interface AnnouncementBodyVolunteersFieldEvent {
    field: '$.volunteers'
    value: number
  }

  export interface AnnouncementBodyStatusFieldEvent {
    field: '$.status'
    value: string
  }

  export interface AnnouncementBodyAddressesFieldEvent {
    field: '$.addresses[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementBodySequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export interface AnnouncementBodyTimestampFieldEvent {
    field: '$.timestamp'
    value: bigint
  }

  export interface AnnouncementBodyOwnerNameFieldEvent {
    field: '$.ownerName'
    value: string
  }

  export function encode (obj: Partial<AnnouncementBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AnnouncementBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnnouncementBody>): AnnouncementBody {
    return decodeMessage(buf, AnnouncementBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnnouncementBody>): Generator<AnnouncementBodySignedManifestFieldEvent | AnnouncementBodyChunksDoneFieldEvent | AnnouncementBodyChunksTotalFieldEvent | AnnouncementBodyVolunteersFieldEvent | AnnouncementBodyStatusFieldEvent | AnnouncementBodyAddressesFieldEvent | AnnouncementBodySequenceFieldEvent | AnnouncementBodyTimestampFieldEvent | AnnouncementBodyOwnerNameFieldEvent> {
    return streamMessage(buf, AnnouncementBody.codec(), opts)
  }
}

export interface Announcement {
  body: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Announcement {
  let _codec: Codec<Announcement>

  export const codec = (): Codec<Announcement> => {
    if (_codec == null) {
      _codec = message<Announcement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.body)
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
          body: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.body = reader.bytes()
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
                field: `${prefix}.body`,
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

  export interface AnnouncementBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnouncementSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Announcement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Announcement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Announcement {
    return decodeMessage(buf, Announcement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Generator<AnnouncementBodyFieldEvent | AnnouncementSignatureFieldEvent> {
    return streamMessage(buf, Announcement.codec(), opts)
  }
}
