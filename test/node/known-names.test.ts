import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { StoredPeer } from '../../src/node/stored-peer.ts'
import { loopbackOptions, startPeer, stopPeers, uniqueTag, waitFor, type TestPeer } from '../helpers/peers.ts'

const peers: TestPeer[] = []
after(async () => { await stopPeers(peers) })

test('a stopped researcher\'s leaderboard and status name the volunteers it credited, as the running peer did', async () => {
  const tag = uniqueTag('known-names')
  const researcher = await startPeer(loopbackOptions(tag, { name: 'rosalind' }))
  peers.push(researcher)
  const volunteer = await startPeer(loopbackOptions(tag, { name: 'barbara' }))
  peers.push(volunteer)
  const project = await researcher.node.publish({ name: 'names', kernel: 'matmul', inputs: [{ name: 'a', matrix: generateMatrix(24, 8, 1) }, { name: 'b', matrix: generateMatrix(8, 6, 2) }], rowsPerChunk: 6 })
  await waitFor('the volunteer to hear of the project', () => volunteer.node.project(project.id))
  const run = await volunteer.node.join(project.id)
  assert.equal(await researcher.node.waitUntilFinished(project.id), 'done')
  await run.finished
  const live = await researcher.node.leaderboard()
  assert.deepEqual(live.map(e => e.name), ['barbara'])

  // Stopped: only the store is left, and it kept the names (a peer that never ran here has none).
  await researcher.node.stop()
  const stored = (await StoredPeer.open(researcher.dir.path))!
  try {
    assert.deepEqual((await stored.leaderboard()).map(e => [e.peer, e.name]), [[volunteer.node.peerId, 'barbara']])
    const status = (await stored.status()).projects.find(p => p.project.id === project.id)!
    assert.deepEqual(status.volunteers.map(v => v.name), ['barbara'])
  } finally {
    await stored.close()
  }
})
