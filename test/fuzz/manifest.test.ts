import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MAX_CHUNKS, MAX_DIMENSION, MAX_REDUNDANCY } from '../../src/protocols/announce-limits.ts'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { MANIFEST_SIGNING_DOMAIN, MAX_INPUTS, MAX_NAME_LENGTH, MAX_PARAMS_BYTES } from '../../src/protocols/announce-limits.ts'
import { Manifest, SignedManifest } from '../../src/protocols/manifest.ts'
import { decodeSignedManifest, ManifestError, signingPayload, signManifest, type ManifestFields } from '../../src/protocols/manifest-codec.ts'
import { fuzzOptions, mutatedBytes, thrown } from './support.ts'

const key = await generateKeyPair('Ed25519')

const text = (max: number, min = 0): fc.Arbitrary<string> => fc.string({ minLength: min, maxLength: max, unit: 'grapheme-ascii' }).filter(s => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s))
const dimension = fc.integer({ min: 1, max: 4096 })

const validFields: fc.Arbitrary<ManifestFields> = fc.record({
  name: text(100, 1),
  description: text(200),
  kernel: fc.constantFrom('matmul', 'map', 'x-1'),
  paramsJson: fc.jsonValue({ maxDepth: 2 }).map(value => JSON.stringify(value) ?? 'null'),
  inputs: fc.uniqueArray(fc.record({ name: text(32, 1), rows: dimension, cols: dimension, hash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(b => Buffer.from(b).toString('hex')) }), { minLength: 1, maxLength: 8, selector: input => input.name })
    .map(inputs => inputs.map(input => ({ ...input, size: input.rows * input.cols * 4 }))),
  outputCols: dimension,
  rowsPerChunk: dimension,
  chunkCount: fc.integer({ min: 1, max: MAX_CHUNKS }),
  verification: fc.record({ redundancy: fc.integer({ min: 1, max: MAX_REDUNDANCY }), spotCheck: fc.double({ min: 0, max: 1, noNaN: true }) }),
  createdAt: fc.integer({ min: 1, max: 2 ** 45 })
})

test('valid manifest fields sign and decode back to the same fields', async () => {
  await fc.assert(fc.asyncProperty(validFields, async fields => {
    const signed = await signManifest(fields, key)
    const decoded = await decodeSignedManifest(signed.signedBytes)
    assert.equal(decoded.id, signed.id)
    assert.deepEqual(plain(pick(decoded, fields)), plain(fields))
  }), fuzzOptions(60))
})

test('any bytes either decode to a checked manifest or fail with ManifestError', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async bytes => {
    const err = await thrown(async () => await decodeSignedManifest(bytes))
    assert.ok(err instanceof ManifestError, `expected ManifestError, got ${String(err)}`)
  }), fuzzOptions(400))
})

test('every edit of a signed manifest is refused with ManifestError', async () => {
  const genuine = await signManifest(fc.sample(validFields, { seed: 1, numRuns: 1 })[0], key)
  await fc.assert(fc.asyncProperty(mutatedBytes(genuine.signedBytes), async bytes => {
    const err = await thrown(async () => await decodeSignedManifest(bytes))
    assert.ok(err instanceof ManifestError, `expected ManifestError, got ${String(err)}`)
  }), fuzzOptions(300))
})

/** Raw protobuf values for each Manifest field, in and out of range. */
const rawField: Record<string, fc.Arbitrary<unknown>> = {
  version: fc.nat(),
  name: fc.string({ maxLength: 150 }),
  description: fc.string({ maxLength: 2100 }),
  kernel: fc.string({ maxLength: 40 }),
  params: fc.string({ maxLength: 50 }),
  inputs: fc.array(fc.record({
    name: fc.string({ maxLength: 40 }),
    rows: fc.oneof(dimension, fc.nat()),
    cols: fc.oneof(dimension, fc.nat()),
    sha256: fc.uint8Array({ minLength: 30, maxLength: 33 }),
    size: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })
  }), { maxLength: 10 }),
  outputCols: fc.nat(),
  rowsPerChunk: fc.nat(),
  chunkCount: fc.nat(),
  verification: fc.option(fc.record({ redundancy: fc.nat(), spotCheck: fc.double() }), { nil: undefined }),
  createdAt: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  owner: fc.string({ maxLength: 60 }),
  ownerPublicKey: fc.uint8Array({ maxLength: 40 })
}

/** A valid manifest with up to two fields replaced by anything the schema can carry. */
const anyManifest: fc.Arbitrary<Manifest> = fc.tuple(
  validFields,
  fc.array(fc.oneof(...Object.entries(rawField).map(([name, arb]) => arb.map(value => [name, value] as const))), { maxLength: 2 })
).map(([fields, overrides]) => ({
  version: 1,
  name: fields.name,
  description: fields.description,
  kernel: fields.kernel,
  params: fields.paramsJson,
  inputs: fields.inputs.map(input => ({ name: input.name, rows: input.rows, cols: input.cols, sha256: Buffer.from(input.hash, 'hex'), size: BigInt(input.size) })),
  outputCols: fields.outputCols,
  rowsPerChunk: fields.rowsPerChunk,
  chunkCount: fields.chunkCount,
  verification: fields.verification,
  createdAt: BigInt(fields.createdAt),
  owner: peerIdFromPublicKey(key.publicKey).toString(),
  ownerPublicKey: publicKeyToProtobuf(key.publicKey),
  ...Object.fromEntries(overrides)
}) as Manifest)

test('any signed manifest the schema can carry is refused with ManifestError or decodes within every limit', async () => {
  let accepted = 0
  await fc.assert(fc.asyncProperty(anyManifest, async fields => {
    const body = Manifest.encode(fields)
    const signature = await key.sign(signingPayload(MANIFEST_SIGNING_DOMAIN, body))
    const bytes = SignedManifest.encode({ manifest: body, signature: new Uint8Array(signature) })
    let manifest
    try {
      manifest = await decodeSignedManifest(bytes)
    } catch (err) {
      assert.ok(err instanceof ManifestError, `expected ManifestError, got ${String(err)}`)
      return
    }
    accepted++
    assert.ok(manifest.name.length >= 1 && manifest.name.length <= MAX_NAME_LENGTH)
    assert.ok(manifest.inputs.length >= 1 && manifest.inputs.length <= MAX_INPUTS)
    assert.ok(Buffer.byteLength(manifest.paramsJson) <= MAX_PARAMS_BYTES)
    for (const input of manifest.inputs) {
      assert.ok(input.rows >= 1 && input.rows <= MAX_DIMENSION && input.cols >= 1 && input.cols <= MAX_DIMENSION)
      assert.equal(input.size, input.rows * input.cols * 4)
      assert.match(input.hash, /^[0-9a-f]{64}$/)
    }
    assert.ok(manifest.chunkCount >= 1 && manifest.chunkCount <= MAX_CHUNKS)
    assert.ok(manifest.verification.redundancy >= 1 && manifest.verification.redundancy <= MAX_REDUNDANCY)
    assert.ok(manifest.verification.spotCheck >= 0 && manifest.verification.spotCheck <= 1)
  }), fuzzOptions(300))
  console.log(`# ${accepted} of the generated manifests were within limits`)
})

test('out-of-range fields are refused at signing time, naming the field', async () => {
  const broken = fc.oneof(
    fc.constant({ name: '' }),
    fc.constant({ kernel: 'Not A Kernel' }),
    fc.constant({ paramsJson: '{not json' }),
    fc.integer({ min: MAX_DIMENSION + 1, max: 2 ** 32 - 1 }).map(outputCols => ({ outputCols })),
    fc.integer({ min: MAX_CHUNKS + 1, max: 2 ** 32 - 1 }).map(chunkCount => ({ chunkCount })),
    fc.double({ min: 1.0000001, max: 1e9, noNaN: true }).map(spotCheck => ({ verification: { redundancy: 1, spotCheck } })),
    fc.integer({ min: MAX_REDUNDANCY + 1, max: 1000 }).map(redundancy => ({ verification: { redundancy, spotCheck: 0 } }))
  )
  await fc.assert(fc.asyncProperty(validFields, broken, async (fields, change) => {
    const err = await thrown(async () => await signManifest({ ...fields, ...change }, key))
    assert.ok(err instanceof ManifestError, `expected ManifestError, got ${String(err)}`)
    assert.equal(err.message.split('\n').length, 1)
  }), fuzzOptions(60))
})

/** Without prototypes, as the wire sees it. */
function plain (value: unknown): unknown {
  return JSON.parse(JSON.stringify(value))
}

function pick (decoded: Record<string, any>, like: object): Record<string, unknown> {
  return Object.fromEntries(Object.keys(like).map(k => [k, decoded[k]]))
}
