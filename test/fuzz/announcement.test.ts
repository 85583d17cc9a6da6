import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  ANNOUNCE_TOPIC, ANNOUNCEMENT_SIGNING_DOMAIN, AnnouncementError, announcementValidator, decodeAnnouncement, encodeAnnouncement,
  MAX_ADDRESSES, MAX_CLOCK_SKEW_MS, MAX_OWNER_NAME_LENGTH, PROJECT_STATUSES
} from '../../src/protocols/announce.ts'
import { Announcement, AnnouncementBody } from '../../src/protocols/manifest.ts'
import { signingPayload, signManifest } from '../../src/protocols/manifest-codec.ts'
import { fuzzOptions, mutatedBytes, thrown } from './support.ts'

const owner = await generateKeyPair('Ed25519')
const stranger = await generateKeyPair('Ed25519')
const manifest = await signManifest({
  name: 'fuzzed',
  description: '',
  kernel: 'matmul',
  paramsJson: '{}',
  inputs: [{ name: 'a', rows: 8, cols: 4, hash: '11'.repeat(32), size: 128 }, { name: 'b', rows: 4, cols: 4, hash: '22'.repeat(32), size: 64 }],
  outputCols: 4,
  rowsPerChunk: 2,
  chunkCount: 4,
  verification: { redundancy: 1, spotCheck: 0 },
  createdAt: Date.now()
}, owner)
const genuine = await encodeAnnouncement({
  signedManifest: manifest.signedBytes,
  progress: { done: 1, total: 4, volunteers: 2, status: 'running' },
  addresses: [multiaddr('/ip4/10.0.0.5/tcp/4001')],
  sequence: 7,
  timestamp: Date.now(),
  ownerName: 'lab'
}, owner)

function expectAnnouncementError (err: unknown): void {
  assert.ok(err instanceof AnnouncementError, `expected AnnouncementError, got ${String(err)}`)
  assert.equal(err.message.split('\n').length, 1)
}

test('any bytes are refused with AnnouncementError', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async bytes => {
    expectAnnouncementError(await thrown(async () => await decodeAnnouncement(bytes)))
  }), fuzzOptions(300))
})

test('every edit of a genuine announcement is refused with AnnouncementError', async () => {
  await fc.assert(fc.asyncProperty(mutatedBytes(genuine), async bytes => {
    expectAnnouncementError(await thrown(async () => await decodeAnnouncement(bytes)))
  }), fuzzOptions(300))
})

/** Raw values for each body field, in and out of range. */
const rawBodyField: Record<string, fc.Arbitrary<unknown>> = {
  chunksDone: fc.nat(),
  chunksTotal: fc.nat(),
  volunteers: fc.nat(),
  status: fc.string({ maxLength: 30 }),
  addresses: fc.array(fc.oneof(fc.constant(multiaddr('/ip4/127.0.0.1/tcp/1').bytes), fc.uint8Array({ maxLength: 300 })), { maxLength: MAX_ADDRESSES + 2 }),
  sequence: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  timestamp: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  ownerName: fc.string({ maxLength: MAX_OWNER_NAME_LENGTH + 10 }),
  signedManifest: mutatedBytes(manifest.signedBytes)
}

/** A valid body with up to two fields replaced by any value the schema can carry, signed by the owner or a stranger. */
const anyBody = fc.record({
  overrides: fc.array(fc.oneof(...Object.entries(rawBodyField).map(([name, arb]) => arb.map(value => [name, value] as const))), { maxLength: 2 }),
  signedByOwner: fc.boolean()
}).map(({ overrides, signedByOwner }) => ({
  signedByOwner,
  body: {
    signedManifest: manifest.signedBytes,
    chunksDone: 1,
    chunksTotal: 4,
    volunteers: 2,
    status: 'running',
    addresses: [multiaddr('/ip4/10.0.0.5/tcp/4001').bytes],
    sequence: 1n,
    timestamp: BigInt(Date.now()),
    ownerName: 'lab',
    ...Object.fromEntries(overrides)
  } as AnnouncementBody
}))

test('a body with any field values is refused with AnnouncementError or decodes within every limit', async () => {
  let accepted = 0
  await fc.assert(fc.asyncProperty(anyBody, async ({ signedByOwner, body: fields }) => {
    const body = AnnouncementBody.encode({ ...fields, addresses: fields.addresses.map(a => Uint8Array.from(a)), signedManifest: Uint8Array.from(fields.signedManifest) })
    const signature = await (signedByOwner ? owner : stranger).sign(signingPayload(ANNOUNCEMENT_SIGNING_DOMAIN, body))
    const bytes = Announcement.encode({ body, signature: Uint8Array.from(signature) })
    const now = Date.now()
    let decoded
    try {
      decoded = await decodeAnnouncement(bytes, now)
    } catch (err) {
      expectAnnouncementError(err)
      return
    }
    accepted++
    assert.ok(signedByOwner)
    assert.equal(decoded.manifest.id, manifest.id)
    assert.ok(decoded.progress.done <= decoded.progress.total && decoded.progress.total === manifest.chunkCount)
    assert.ok((PROJECT_STATUSES as readonly string[]).includes(decoded.progress.status))
    assert.ok(decoded.addresses.length <= MAX_ADDRESSES)
    assert.ok(decoded.timestamp > 0 && decoded.timestamp <= now + MAX_CLOCK_SKEW_MS)
    assert.ok((decoded.ownerName ?? '').length <= MAX_OWNER_NAME_LENGTH)
  }), fuzzOptions(300))
  console.log(`# ${accepted} generated announcements were within limits`)
})

test('the topic validator rejects every bad message and reports it, accepts the owner\'s, and never throws', async () => {
  const ownerId = peerIdFromPrivateKey(owner)
  const strangerId = peerIdFromPrivateKey(stranger)
  const message = fc.record({
    signed: fc.boolean(),
    fromOwner: fc.boolean(),
    data: fc.oneof(fc.constant(genuine), mutatedBytes(genuine), fc.uint8Array({ maxLength: 512 }))
  })
  await fc.assert(fc.asyncProperty(message, async ({ signed, fromOwner, data }) => {
    const outcomes: string[] = []
    const validate = announcementValidator({ accepted: () => { outcomes.push('accepted') }, rejected: () => { outcomes.push('rejected') } })
    const from = fromOwner ? ownerId : strangerId
    const msg = (signed
      ? { type: 'signed', from, data, topic: ANNOUNCE_TOPIC, sequenceNumber: 1n, signature: new Uint8Array(64), key: new Uint8Array(0) }
      : { type: 'unsigned', data, topic: ANNOUNCE_TOPIC }) as Message
    const result = await validate(strangerId, msg)
    const valid = signed && fromOwner && Buffer.from(data).equals(genuine)
    assert.equal(result, valid ? TopicValidatorResult.Accept : TopicValidatorResult.Reject)
    assert.deepEqual(outcomes, [valid ? 'accepted' : 'rejected'])
  }), fuzzOptions(300))
})
