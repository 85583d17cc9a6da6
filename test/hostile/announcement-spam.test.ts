import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, test } from 'node:test'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { DEFAULT_MAX_PROJECTS_PER_OWNER } from '../../src/node/discovery/project-registry.ts'
import { encodeAnnouncement } from '../../src/protocols/announce.ts'
import { signManifest } from '../../src/protocols/manifest-codec.ts'
import { startAnnouncementAttack } from '../helpers/announcement-attack.ts'
import { stopPeers, waitFor, type TestPeer } from '../helpers/peers.ts'
import { memoryNow } from './helpers.ts'

const peers: TestPeer[] = []
after(async () => { await stopPeers(peers) })

/** Gossipsub's default graylist threshold: below it, a peer's messages are dropped unread. */
const GRAYLIST_THRESHOLD = -80

test('given a peer spamming valid and invalid announcements, the receiver tracks at most its per-owner share, keeps the honest project, and graylists the spammer', async () => {
  const { receiver, attacker, honest, rejected, publishFromAttacker } = await startAnnouncementAttack('spam', peers)
  const project = await honest.node.publish({ name: 'honest', kernel: 'matmul', inputs: [{ name: 'a', matrix: generateMatrix(8, 4, 1) }, { name: 'b', matrix: generateMatrix(4, 4, 2) }] })
  await waitFor('the honest project is listed', () => receiver.node.project(project.id))
  const memoryBefore = memoryNow()

  // 1. Valid announcements of 200 projects, each really signed by the attacker.
  const attackerId = attacker.node.peerId
  const ownedByAttacker = (): number => receiver.node.projects().filter(p => p.owner === attackerId).length
  let mostTracked = 0
  for (let i = 0; i < 200; i++) {
    const manifest = await signManifest({
      name: `spam ${i}`, description: '', kernel: 'matmul', paramsJson: '{}',
      inputs: [{ name: 'a', rows: 8, cols: 4, hash: randomBytes(32).toString('hex'), size: 128 }, { name: 'b', rows: 4, cols: 4, hash: randomBytes(32).toString('hex'), size: 64 }],
      outputCols: 4, rowsPerChunk: 4, chunkCount: 2, verification: { redundancy: 1, spotCheck: 0 }, createdAt: Date.now()
    }, attacker.node.privateKey)
    const bytes = await encodeAnnouncement({ signedManifest: manifest.signedBytes, progress: { done: 0, total: 2, volunteers: 0, status: 'running' }, addresses: [], sequence: i + 1, timestamp: Date.now() }, attacker.node.privateKey)
    await publishFromAttacker(bytes)
    mostTracked = Math.max(mostTracked, ownedByAttacker())
  }
  await waitFor('the receiver to hear the last spam project', () => receiver.node.projects().some(p => p.name === 'spam 199'))
  mostTracked = Math.max(mostTracked, ownedByAttacker())
  let stored = 0
  for await (const _ of receiver.node.store.projects.keys()) stored++
  console.log(`# 200 valid spam projects: at most ${mostTracked} tracked at once, ${stored} manifests stored`)
  assert.ok(mostTracked <= DEFAULT_MAX_PROJECTS_PER_OWNER, `at most ${DEFAULT_MAX_PROJECTS_PER_OWNER} projects of one owner`)
  assert.ok(stored <= DEFAULT_MAX_PROJECTS_PER_OWNER + 1, 'the store is bounded the same way')
  assert.ok(receiver.node.project(project.id) != null, 'the honest project is still listed')

  // 2. Invalid ones: rejected, and the score they cost soon stops the receiver reading the spammer at all.
  for (let i = 0; i < 60; i++) {
    await publishFromAttacker(randomBytes(64 + i))
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  const score = await waitFor('the spammer to be graylisted', () => {
    const s = receiver.node.gossipScore(attackerId)
    return s < GRAYLIST_THRESHOLD ? s : undefined
  })
  await new Promise(resolve => setTimeout(resolve, 500))
  const invalidRead = rejected.filter(r => r.from === attackerId).length
  console.log(`# 60 invalid announcements: ${invalidRead} read and rejected before the spammer was graylisted (score ${score.toFixed(1)})`)
  assert.ok(invalidRead >= 1, 'invalid announcements were rejected')
  assert.ok(score < GRAYLIST_THRESHOLD, 'the spammer is graylisted: gossipsub ignores its RPCs once its acceptance window closes')

  // 3. The honest peer is unaffected: its next announcement still arrives.
  const heard = receiver.node.project(project.id)!.lastHeard
  await honest.node.announceNow()
  await waitFor('a fresh honest announcement', () => receiver.node.project(project.id)!.lastHeard > heard)
  assert.ok(receiver.node.gossipScore(honest.node.peerId) >= 0)
  const memoryAfter = memoryNow()
  console.log(`# receiver side memory before the spam: ${JSON.stringify(memoryBefore)}; after: ${JSON.stringify(memoryAfter)}`)
})
