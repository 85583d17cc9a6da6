import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { decodeSignedManifest, ManifestError, projectIdOf, signingPayload, signManifest, type ManifestFields } from '../../src/protocols/manifest-codec.ts'
import { AnnouncementError, decodeAnnouncement, encodeAnnouncement, MAX_ANNOUNCEMENT_BYTES } from '../../src/protocols/announce.ts'
import { Manifest, SignedManifest } from '../../src/protocols/manifest.ts'

const fields: ManifestFields = {
  name: 'demo',
  description: 'a test project',
  kernel: 'matmul',
  paramsJson: '{}',
  inputs: [
    { name: 'a', rows: 4, cols: 3, hash: 'ab'.repeat(32), size: 48 },
    { name: 'b', rows: 3, cols: 2, hash: 'cd'.repeat(32), size: 24 }
  ],
  outputCols: 2,
  rowsPerChunk: 2,
  chunkCount: 2,
  verification: { redundancy: 1, spotCheck: 0.1 },
  createdAt: 1_700_000_000_000
}

test('a signed manifest decodes to the same fields, owner and id', async () => {
  const key = await generateKeyPair('Ed25519')
  const signed = await signManifest(fields, key)
  const decoded = await decodeSignedManifest(signed.signedBytes)
  assert.equal(decoded.owner, peerIdFromPrivateKey(key).toString())
  assert.equal(decoded.id, projectIdOf(signed.signedBytes))
  assert.match(decoded.id, /^[0-9a-f]{32}$/)
  assert.deepEqual(decoded.inputs, fields.inputs)
  assert.deepEqual(decoded.verification, fields.verification)
  assert.equal(decoded.createdAt, fields.createdAt)
  assert.deepEqual(decoded.params, {})
})

test('a manifest re-signed by another key, or claiming another owner, is refused', async () => {
  const owner = await generateKeyPair('Ed25519')
  const forger = await generateKeyPair('Ed25519')
  const genuine = SignedManifest.decode((await signManifest(fields, owner)).signedBytes)
  const altered = Manifest.encode({ ...Manifest.decode(genuine.manifest), name: 'stolen' })
  const forgedSignature = await forger.sign(signingPayload('mesh/manifest/1\n', altered))
  const forged = SignedManifest.encode({ manifest: altered, signature: new Uint8Array(forgedSignature) })
  await assert.rejects(decodeSignedManifest(forged), /signature does not verify/)
  const unsigned = SignedManifest.encode({ manifest: genuine.manifest, signature: new Uint8Array(0) })
  await assert.rejects(decodeSignedManifest(unsigned), /unsigned/)
})

test('malformed, truncated and out-of-range manifests are refused with a reason', async () => {
  const key = await generateKeyPair('Ed25519')
  const { signedBytes } = await signManifest(fields, key)
  await assert.rejects(decodeSignedManifest(signedBytes.subarray(0, signedBytes.byteLength - 7)), ManifestError)
  await assert.rejects(decodeSignedManifest(new Uint8Array([0xff, 0xff, 0xff])), ManifestError)
  await assert.rejects(signManifest({ ...fields, inputs: [{ ...fields.inputs[0], size: 47 }] }, key), /does not match 4x3 fp32/)
  await assert.rejects(signManifest({ ...fields, verification: { redundancy: 0, spotCheck: 0 } }, key), /redundancy/)
  await assert.rejects(signManifest({ ...fields, paramsJson: '{' }, key), /not valid JSON/)
  await assert.rejects(signManifest({ ...fields, name: '' }, key), /name/)
})

test('an announcement round-trips and carries progress and addresses', async () => {
  const key = await generateKeyPair('Ed25519')
  const { signedBytes, id } = await signManifest(fields, key)
  const bytes = await encodeAnnouncement({
    signedManifest: signedBytes,
    progress: { done: 1, total: 2, volunteers: 3, status: 'running' },
    addresses: [multiaddr('/ip4/127.0.0.1/tcp/4001')],
    sequence: 7,
    timestamp: Date.now(),
    ownerName: 'lab'
  }, key)
  const decoded = await decodeAnnouncement(bytes)
  assert.equal(decoded.manifest.id, id)
  assert.deepEqual(decoded.progress, { done: 1, total: 2, volunteers: 3, status: 'running' })
  assert.equal(decoded.addresses[0].toString(), '/ip4/127.0.0.1/tcp/4001')
  assert.equal(decoded.sequence, 7)
  assert.equal(decoded.ownerName, 'lab')
})

test('announcements signed by someone else, inconsistent, truncated or oversized are refused', async () => {
  const owner = await generateKeyPair('Ed25519')
  const other = await generateKeyPair('Ed25519')
  const { signedBytes } = await signManifest(fields, owner)
  const base = { signedManifest: signedBytes, progress: { done: 0, total: 2, volunteers: 0, status: 'running' as const }, addresses: [], sequence: 1, timestamp: Date.now() }
  await assert.rejects(decodeAnnouncement(await encodeAnnouncement(base, other)), /signature does not verify/)
  await assert.rejects(decodeAnnouncement(await encodeAnnouncement({ ...base, progress: { ...base.progress, total: 5 } }, owner)), /chunksTotal/)
  await assert.rejects(decodeAnnouncement(await encodeAnnouncement({ ...base, progress: { ...base.progress, done: 3 } }, owner)), /chunksDone/)
  const good = await encodeAnnouncement(base, owner)
  await assert.rejects(decodeAnnouncement(good.subarray(0, good.byteLength - 10)), AnnouncementError)
  await assert.rejects(decodeAnnouncement(new Uint8Array(MAX_ANNOUNCEMENT_BYTES + 1)), /oversized/)
})
