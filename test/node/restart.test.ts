import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { loopbackOptions, startPeer, uniqueTag, waitFor, type TestPeer } from '../helpers/peers.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'

const dirs: TempDir[] = []
const running = new Set<TestPeer>()
after(async () => {
  await Promise.all([...running].map(async peer => { await peer.node.stop().catch(() => {}) }))
  await Promise.all(dirs.map(async dir => { await dir.remove() }))
})

async function start (dir: TempDir, tag: string): Promise<TestPeer> {
  const peer = await startPeer(loopbackOptions(tag), dir)
  running.add(peer)
  return peer
}

async function stop (peer: TestPeer): Promise<void> {
  await peer.node.stop()
  running.delete(peer)
}

test('a peer restarted on the same data dir keeps its peer id, its own projects and the projects it saw', async () => {
  const tag = uniqueTag('restart')
  const researcherDir = await makeTempDir()
  const watcherDir = await makeTempDir()
  dirs.push(researcherDir, watcherDir)

  let researcher = await start(researcherDir, tag)
  let watcher = await start(watcherDir, tag)
  const researcherId = researcher.node.peerId
  const watcherId = watcher.node.peerId
  const published = await researcher.node.publish({
    name: 'kept',
    kernel: 'matmul',
    inputs: [{ name: 'a', matrix: generateMatrix(16, 8, 3) }, { name: 'b', matrix: generateMatrix(8, 8, 4) }]
  })
  await waitFor('the watcher to list the project', () => watcher.node.project(published.id))
  await stop(researcher)
  await stop(watcher)

  watcher = await start(watcherDir, tag)
  assert.equal(watcher.node.peerId, watcherId)
  const remembered = watcher.node.project(published.id)
  assert.equal(remembered?.name, 'kept', 'a seen manifest survives the restart')
  assert.equal(remembered?.status, 'offline', 'until its owner is heard again')

  researcher = await start(researcherDir, tag)
  assert.equal(researcher.node.peerId, researcherId, 'same key, same peer id')
  const own = researcher.node.project(published.id)
  assert.equal(own?.own, true)
  assert.equal(own?.name, 'kept')
  assert.equal(researcher.node.manifest(published.id)?.signedBytes.byteLength, (await researcher.node.store.projects.get(published.id))?.byteLength)
  for (const input of researcher.node.manifest(published.id)?.inputs ?? []) {
    assert.equal(await researcher.node.blobs.has(input.hash), true, `input ${input.name} is still in the blob store`)
  }

  await waitFor('the restarted researcher to announce its project again', () => watcher.node.project(published.id)?.status === 'running')
})
