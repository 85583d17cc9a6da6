import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import type { ProjectSummary } from '../../src/node/types.ts'
import { loopbackOptions, startPeer, stopPeers, uniqueTag, waitFor, type TestPeer } from '../helpers/peers.ts'

const peers: TestPeer[] = []
after(async () => { await stopPeers(peers) })

test('three peers on loopback find each other by mDNS and all list a project published on one', async () => {
  const tag = uniqueTag('discovery')
  const started = Date.now()
  for (let i = 0; i < 3; i++) peers.push(await startPeer(loopbackOptions(tag, { name: `peer-${i}`, offlineAfterMs: 3000 })))
  const [researcher, ...others] = peers

  await waitFor('every peer connected to the two others, and identified', () =>
    peers.every(peer => peer.node.peers().filter(p => p.connected && p.name != null).length === 2))
  console.log(`# connected in ${Date.now() - started} ms`)
  const names = researcher.node.peers().map(p => p.name).sort()
  assert.deepEqual(names, ['peer-1', 'peer-2'], 'display names travel in identify')
  for (const peer of peers) {
    for (const address of peer.node.addresses()) assert.match(address, new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${peer.node.peerId}$`))
  }

  const announced = others.map(peer => new Promise<ProjectSummary>(resolve => {
    peer.node.addEventListener('project:announced', event => { resolve(event.detail) }, { once: true })
  }))
  const publishedAt = Date.now()
  const published = await researcher.node.publish({
    name: 'demo',
    description: 'three-peer discovery',
    kernel: 'matmul',
    inputs: [{ name: 'a', matrix: generateMatrix(96, 40, 1) }, { name: 'b', matrix: generateMatrix(40, 24, 2) }],
    rowsPerChunk: 10
  })
  assert.equal(published.own, true)
  assert.equal(published.chunks.total, 10)
  assert.equal(published.dims, '96x40 · 40x24')

  const seen = await Promise.all(announced)
  console.log(`# listed by both others ${Date.now() - publishedAt} ms after publish`)
  for (const [index, peer] of others.entries()) {
    assert.equal(seen[index].id, published.id)
    const listed = peer.node.projects().find(p => p.id === published.id)
    assert.ok(listed != null, 'the project is in projects()')
    assert.equal(listed.name, 'demo')
    assert.equal(listed.owner, researcher.node.peerId)
    assert.equal(listed.ownerName, 'peer-0')
    assert.equal(listed.kernel, 'matmul')
    assert.equal(listed.own, false)
    assert.equal(listed.status, 'running')
    assert.deepEqual(listed.chunks, { done: 0, total: 10 })
    assert.equal(peer.node.manifest(published.id)?.inputs[0].hash, researcher.node.manifest(published.id)?.inputs[0].hash)
    assert.ok(peer.node.ownerAddresses(published.id).length > 0, 'the owner announces its addresses')
  }

  // The owner stops: the others mark its project offline after offlineAfterMs.
  const offline = new Promise<ProjectSummary>(resolve => {
    others[0].node.addEventListener('project:offline', event => { resolve(event.detail) }, { once: true })
  })
  await researcher.node.stop()
  const stoppedAt = Date.now()
  assert.equal((await offline).id, published.id)
  console.log(`# marked offline ${Date.now() - stoppedAt} ms after the owner stopped`)
  assert.equal(others[0].node.project(published.id)?.status, 'offline')
})

test('a peer that joins later hears an existing project at once, long before the next periodic announcement', async () => {
  const tag = uniqueTag('late')
  const researcher = await startPeer(loopbackOptions(tag, { announceIntervalMs: 120_000 }))
  peers.push(researcher)
  const published = await researcher.node.publish({
    name: 'early',
    kernel: 'matmul',
    inputs: [{ name: 'a', matrix: generateMatrix(8, 8, 1) }, { name: 'b', matrix: generateMatrix(8, 8, 2) }]
  })
  // Past gossipsub's message-cache window (3 heartbeats), so the first announcement cannot be re-gossiped.
  await new Promise(resolve => setTimeout(resolve, 4000))
  const joinedAt = Date.now()
  const late = await startPeer(loopbackOptions(tag, { announceIntervalMs: 120_000 }))
  peers.push(late)
  // Only the announcement sent when `late` subscribed can arrive within this wait.
  await waitFor('the late peer to list the project', () => late.node.project(published.id), 20_000)
  console.log(`# the late peer listed it ${Date.now() - joinedAt} ms after starting`)
})
