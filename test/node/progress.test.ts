import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import type { OwnProgress } from '../../src/node/coordinator/own-progress.ts'
import { loopbackOptions, startPeer, stopPeers, uniqueTag, waitFor, type TestPeer } from '../helpers/peers.ts'

const peers: TestPeer[] = []
after(async () => { await stopPeers(peers) })

test('live progress of an own project reaches other peers in the periodic announcements', async () => {
  const tag = uniqueTag('progress')
  const researcher = await startPeer(loopbackOptions(tag))
  peers.push(researcher)
  const watcher = await startPeer(loopbackOptions(tag))
  peers.push(watcher)
  const published = await researcher.node.publish({
    name: 'progressing',
    kernel: 'matmul',
    inputs: [{ name: 'a', matrix: generateMatrix(40, 8, 1) }, { name: 'b', matrix: generateMatrix(8, 8, 2) }],
    rowsPerChunk: 10
  })
  await waitFor('the watcher to list the project', () => watcher.node.project(published.id))

  // The default progress: the coordinator's (nothing computed yet, no volunteers).
  assert.deepEqual(researcher.node.project(published.id)?.chunks, { done: 0, total: 4 })
  assert.equal(watcher.node.project(published.id)?.status, 'running')

  // A provider (the coordinator's) replaces it.
  let live: OwnProgress = { done: 3, total: 4, volunteers: 2, status: 'running' }
  researcher.node.setProgressProvider(id => id === published.id ? live : undefined)
  const updated = await waitFor('volunteers seen by the watcher', () => {
    const project = watcher.node.project(published.id)
    return project?.volunteers === 2 ? project : undefined
  })
  assert.deepEqual(updated.chunks, { done: 3, total: 4 })
  live = { done: 4, total: 4, volunteers: 0, status: 'done' }
  await waitFor('the project done, seen by the watcher', () => watcher.node.project(published.id)?.status === 'done')
})
