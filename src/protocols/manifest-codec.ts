import { createHash } from 'node:crypto'
import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { Manifest, SignedManifest } from './manifest.ts'
import {
  MANIFEST_SIGNING_DOMAIN, MAX_CHUNKS, MAX_DESCRIPTION_LENGTH, MAX_DIMENSION, MAX_INPUTS, MAX_NAME_LENGTH,
  MAX_ITEM_ROWS, MAX_PARAMS_BYTES, MAX_REDUNDANCY, MAX_SIGNED_MANIFEST_BYTES
} from './announce-limits.ts'

/**
 * Signed project manifests: building, signing, decoding and checking them.
 *
 * The project id is the first 16 bytes (32 lowercase hex characters) of the
 * sha256 of the SignedManifest bytes. Only canonical encodings are accepted,
 * so one signed manifest has exactly one id.
 */

export const MANIFEST_VERSION = 1

export interface ManifestInputInfo {
  readonly name: string
  readonly rows: number
  readonly cols: number
  /** sha256 of the input's fp32 bytes, lowercase hex (its blob hash). */
  readonly hash: string
  readonly size: number
}

/** What the owner decides; the rest (owner, key, version) comes from signing. */
export interface ManifestFields {
  readonly name: string
  readonly description: string
  readonly kernel: string
  /** The kernel's params as JSON text. */
  readonly paramsJson: string
  readonly inputs: readonly ManifestInputInfo[]
  readonly outputCols: number
  readonly rowsPerChunk: number
  readonly chunkCount: number
  readonly verification: { readonly redundancy: number, readonly spotCheck: number }
  /** ms since epoch */
  readonly createdAt: number
}

/** A decoded, signature-checked manifest. */
export interface ProjectManifest extends ManifestFields {
  readonly id: string
  readonly version: number
  /** Parsed paramsJson. */
  readonly params: unknown
  /** Owner's peer id. */
  readonly owner: string
  readonly ownerPublicKey: PublicKey
  /** The exact SignedManifest bytes, as signed, stored and announced. */
  readonly signedBytes: Uint8Array
}

/** A manifest that is malformed, oversized or not signed by its owner. */
export class ManifestError extends Error {
  override name = 'ManifestError'
}

export function projectIdOf (signedBytes: Uint8Array): string {
  return createHash('sha256').update(signedBytes).digest('hex').slice(0, 32)
}

/** protons' generated types want ArrayBuffer-backed arrays; keys and multiaddrs may hand out others. */
export function ownBytes (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? bytes as Uint8Array<ArrayBuffer> : new Uint8Array(bytes)
}

export function signingPayload (domain: string, bytes: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(domain)
  const payload = new Uint8Array(prefix.byteLength + bytes.byteLength)
  payload.set(prefix)
  payload.set(bytes, prefix.byteLength)
  return payload
}

export async function signManifest (fields: ManifestFields, privateKey: PrivateKey): Promise<ProjectManifest> {
  const owner = peerIdFromPublicKey(privateKey.publicKey).toString()
  const manifestBytes = Manifest.encode({
    version: MANIFEST_VERSION,
    name: fields.name,
    description: fields.description,
    kernel: fields.kernel,
    params: fields.paramsJson,
    inputs: fields.inputs.map(input => ({
      name: input.name,
      rows: input.rows,
      cols: input.cols,
      sha256: Uint8Array.from(Buffer.from(input.hash, 'hex')),
      size: BigInt(input.size)
    })),
    outputCols: fields.outputCols,
    rowsPerChunk: fields.rowsPerChunk,
    chunkCount: fields.chunkCount,
    verification: fields.verification,
    createdAt: BigInt(fields.createdAt),
    owner,
    ownerPublicKey: ownBytes(publicKeyToProtobuf(privateKey.publicKey))
  })
  const signature = await privateKey.sign(signingPayload(MANIFEST_SIGNING_DOMAIN, manifestBytes))
  const signedBytes = SignedManifest.encode({ manifest: manifestBytes, signature: ownBytes(signature) })
  // Decoding what we just built applies every check a receiving peer applies.
  return await decodeSignedManifest(signedBytes)
}

function fail (reason: string): never {
  throw new ManifestError(reason)
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
}

function checkCount (value: number, what: string, max: number, min = 1): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) fail(`${what} must be an integer in [${min}, ${max}] (got ${value})`)
}

function checkText (value: string, what: string, max: number, min = 0): void {
  if (value.length < min || value.length > max) fail(`${what} must have ${min}..${max} characters (got ${value.length})`)
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) fail(`${what} contains control characters`)
}

function decodeOrFail<T> (decode: () => T, what: string): T {
  try {
    return decode()
  } catch (err: any) {
    return fail(`malformed ${what}: ${err?.message ?? err}`)
  }
}

/**
 * Decodes and checks a SignedManifest: size, canonical encoding, every field's
 * range, the owner's peer id matching the owner's key, and the signature.
 * Throws ManifestError naming the first problem.
 */
export async function decodeSignedManifest (signedBytes: Uint8Array): Promise<ProjectManifest> {
  if (signedBytes.byteLength > MAX_SIGNED_MANIFEST_BYTES) fail(`signed manifest is ${signedBytes.byteLength} bytes, more than ${MAX_SIGNED_MANIFEST_BYTES}`)
  const signed = decodeOrFail(() => SignedManifest.decode(signedBytes), 'signed manifest')
  if (!sameBytes(SignedManifest.encode(signed), signedBytes)) fail('signed manifest is not canonically encoded')
  if (signed.signature.byteLength === 0) fail('manifest is unsigned')
  const manifest = decodeOrFail(() => Manifest.decode(signed.manifest, { limits: { inputs: MAX_INPUTS } }), 'manifest')
  if (!sameBytes(Manifest.encode(manifest), signed.manifest)) fail('manifest is not canonically encoded')

  if (manifest.version !== MANIFEST_VERSION) fail(`unsupported manifest version ${manifest.version}`)
  checkText(manifest.name, 'name', MAX_NAME_LENGTH, 1)
  checkText(manifest.description, 'description', MAX_DESCRIPTION_LENGTH)
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(manifest.kernel)) fail(`kernel id '${manifest.kernel.slice(0, 40)}' is not a valid id`)
  if (Buffer.byteLength(manifest.params) > MAX_PARAMS_BYTES) fail(`params are larger than ${MAX_PARAMS_BYTES} bytes`)
  let params: unknown
  try {
    params = JSON.parse(manifest.params)
  } catch {
    fail('params are not valid JSON')
  }
  checkCount(manifest.inputs.length, 'number of inputs', MAX_INPUTS)
  const names = new Set<string>()
  const inputs = manifest.inputs.map((input, index) => {
    checkText(input.name, `input ${index} name`, 32, 1)
    if (names.has(input.name)) fail(`input name '${input.name}' appears twice`)
    names.add(input.name)
    // An input without columns (a wgsl project's index-only items) carries no bytes: any u32 count of rows.
    checkCount(input.cols, `input ${input.name} cols`, MAX_DIMENSION, 0)
    checkCount(input.rows, `input ${input.name} rows`, input.cols === 0 ? MAX_ITEM_ROWS : MAX_DIMENSION)
    if (input.sha256.byteLength !== 32) fail(`input ${input.name} hash must be 32 bytes`)
    const size = Number(input.size)
    if (size !== input.rows * input.cols * 4) fail(`input ${input.name} size ${size} does not match ${input.rows}x${input.cols} fp32`)
    return { name: input.name, rows: input.rows, cols: input.cols, hash: Buffer.from(input.sha256).toString('hex'), size }
  })
  checkCount(manifest.outputCols, 'outputCols', MAX_DIMENSION)
  checkCount(manifest.rowsPerChunk, 'rowsPerChunk', MAX_DIMENSION)
  checkCount(manifest.chunkCount, 'chunkCount', MAX_CHUNKS)
  const verification = manifest.verification ?? fail('verification policy is missing')
  checkCount(verification.redundancy, 'redundancy', MAX_REDUNDANCY)
  if (!(verification.spotCheck >= 0 && verification.spotCheck <= 1)) fail(`spotCheck must be in [0, 1] (got ${verification.spotCheck})`)
  const createdAt = Number(manifest.createdAt)
  if (createdAt <= 0 || !Number.isSafeInteger(createdAt)) fail('createdAt is missing')

  const ownerPublicKey = decodeOrFail(() => publicKeyFromProtobuf(manifest.ownerPublicKey), 'owner public key')
  if (peerIdFromPublicKey(ownerPublicKey).toString() !== manifest.owner) fail('owner peer id does not match the owner public key')
  const valid = await ownerPublicKey.verify(signingPayload(MANIFEST_SIGNING_DOMAIN, signed.manifest), signed.signature)
  if (!valid) fail('manifest signature does not verify with the owner key')

  return {
    id: projectIdOf(signedBytes),
    version: manifest.version,
    name: manifest.name,
    description: manifest.description,
    kernel: manifest.kernel,
    paramsJson: manifest.params,
    params,
    inputs,
    outputCols: manifest.outputCols,
    rowsPerChunk: manifest.rowsPerChunk,
    chunkCount: manifest.chunkCount,
    verification: { redundancy: verification.redundancy, spotCheck: verification.spotCheck },
    createdAt,
    owner: manifest.owner,
    ownerPublicKey,
    signedBytes
  }
}
