import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { encodeAnnouncement, MAX_ANNOUNCEMENT_BYTES } from '../../src/protocols/announce.ts'
import { Manifest, SignedManifest } from '../../src/protocols/manifest.ts'
import { signingPayload, signManifest, type ManifestFields } from '../../src/protocols/manifest-codec.ts'
import { startAnnouncementAttack } from '../helpers/announcement-attack.ts'
import { stopPeers, waitFor, type TestPeer } from '../helpers/peers.ts'

const peers: TestPeer[] = []
after(async () => { await stopPeers(peers) })

const fields: ManifestFields = {
  name: 'genuine',
  description: '',
  kernel: 'matmul',
  paramsJson: '{}',
  inputs: [
    { name: 'a', rows: 8, cols: 4, hash: '11'.repeat(32), size: 128 },
    { name: 'b', rows: 4, cols: 4, hash: '22'.repeat(32), size: 64 }
  ],
  outputCols: 4,
  rowsPerChunk: 4,
  chunkCount: 2,
  verification: { redundancy: 1, spotCheck: 0 },
  createdAt: Date.now()
}

test('forged, truncated and oversized announcements are rejected and cost their publisher gossipsub score', async () => {
  const { receiver, attacker, honest, rejected, publishFromAttacker } = await startAnnouncementAttack('hostile', peers)

  const honestProject = await honest.node.publish({
    name: 'honest',
    kernel: 'matmul',
    inputs: [{ name: 'a', matrix: generateMatrix(8, 4, 1) }, { name: 'b', matrix: generateMatrix(4, 4, 2) }]
  })
  await waitFor('the honest project is listed', () => receiver.node.project(honestProject.id))
  const attackerScoreBefore = receiver.node.gossipScore(attacker.node.peerId)
  console.log(`# attacker score before: ${attackerScoreBefore}`)
  assert.ok(attackerScoreBefore >= 0)

  // 1. A victim's manifest, altered and re-signed by the attacker's key (owner fields kept).
  const victimKey = await generateKeyPair('Ed25519')
  const genuine = SignedManifest.decode((await signManifest(fields, victimKey)).signedBytes)
  const altered = Manifest.encode({ ...Manifest.decode(genuine.manifest), name: 'hijacked' })
  const forgedSignature = await attacker.node.privateKey.sign(signingPayload('mesh/manifest/1\n', altered))
  const forged = SignedManifest.encode({ manifest: altered, signature: new Uint8Array(forgedSignature) })
  const progress = { done: 0, total: 2, volunteers: 0, status: 'running' as const }
  const resigned = await encodeAnnouncement({ signedManifest: forged, progress, addresses: [], sequence: 1, timestamp: Date.now() }, attacker.node.privateKey)
  // 2. The attacker's own valid announcement, truncated.
  const own = await signManifest({ ...fields, name: 'truncated' }, attacker.node.privateKey)
  const valid = await encodeAnnouncement({ signedManifest: own.signedBytes, progress, addresses: [], sequence: 2, timestamp: Date.now() }, attacker.node.privateKey)
  const truncated = valid.subarray(0, valid.byteLength - 9)
  // 3. Larger than any announcement may be.
  const oversized = new Uint8Array(MAX_ANNOUNCEMENT_BYTES + 1024).fill(7)

  // Published raw through the attacker's gossipsub: validators only run on received messages.
  for (const bytes of [resigned, truncated, oversized]) {
    await publishFromAttacker(bytes)
  }
  await waitFor('three rejections', () => rejected.length >= 3)
  assert.ok(rejected.every(r => r.from === attacker.node.peerId && r.what === 'announcement'))
  const reasons = rejected.map(r => r.reason)
  console.log(`# reasons: ${JSON.stringify(reasons)}`)
  for (const expected of [/signature does not verify/, /malformed/, /oversized/]) {
    assert.ok(reasons.some(reason => expected.test(reason)), `a rejection matching ${expected}`)
  }

  const attackerScoreAfter = await waitFor('the attacker score to drop', () => {
    const score = receiver.node.gossipScore(attacker.node.peerId)
    return score < 0 ? score : undefined
  })
  console.log(`# attacker score after: ${attackerScoreAfter}; honest: ${receiver.node.gossipScore(honest.node.peerId)}`)
  assert.ok(attackerScoreAfter < attackerScoreBefore)
  assert.ok(receiver.node.gossipScore(honest.node.peerId) >= 0, 'the honest publisher is not punished')
  assert.deepEqual(receiver.node.projects().map(p => p.name), ['honest'], 'nothing hostile was recorded')
})
