import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { InputError } from '../../src/errors.ts'
import { loopbackOptions, startPeer, stopPeers, uniqueTag, waitFor, type TestPeer } from '../helpers/peers.ts'
import type { MeshEvents } from '../../src/node/types.ts'

/**
 * The volunteer side of a MeshNode as the UI drives it: persisted
 * preferences, pause and resume, leaving, and the researcher's history and
 * replay, with real peers on loopback.
 */

const tag = uniqueTag('integration-volunteering')
const peers: TestPeer[] = []
after(async () => { await stopPeers(peers) })

function count<K extends keyof MeshEvents> (peer: TestPeer, type: K, where: (detail: MeshEvents[K]) => boolean = () => true): () => number {
  let seen = 0
  peer.node.addEventListener(type, (event: CustomEvent<MeshEvents[K]>) => { if (where(event.detail)) seen++ })
  return () => seen
}

test('given volunteer preferences, pause, resume and leave, the peer honours them and keeps them across a restart', async () => {
  const researcher = await startPeer(loopbackOptions(tag))
  peers.push(researcher)
  let volunteer = await startPeer(loopbackOptions(tag))
  peers.push(volunteer)
  assert.deepEqual(volunteer.node.prefs(), { paused: false, maxDutyCycle: 1, acceptCustomWgsl: false })
  await assert.rejects(volunteer.node.setPrefs({ maxDutyCycle: 0 }), InputError)
  await volunteer.node.setPrefs({ maxDutyCycle: 0.5, acceptCustomWgsl: true })

  // Restarted on the same data dir: the preferences are still there.
  const dir = volunteer.dir
  await volunteer.node.stop()
  peers.splice(peers.indexOf(volunteer), 1)
  volunteer = await startPeer(loopbackOptions(tag), dir)
  peers.push(volunteer)
  assert.deepEqual(volunteer.node.prefs(), { paused: false, maxDutyCycle: 0.5, acceptCustomWgsl: true })
  await volunteer.node.setPrefs({ maxDutyCycle: 1 }, { persist: false })

  const project = await researcher.node.publish({ name: 'long', kernel: 'matmul', inputs: [{ name: 'a', matrix: generateMatrix(400, 64, 1) }, { name: 'b', matrix: generateMatrix(64, 64, 2) }], rowsPerChunk: 4 })
  await assert.rejects(researcher.node.join(project.id), InputError, 'a peer does not volunteer for its own project')
  await assert.rejects(volunteer.node.join('0'.repeat(32)), InputError)
  const computed = count(volunteer, 'work:chunk-computed')
  const released = count(researcher, 'chunk:requeued', d => d.reason === 'released by the volunteer')
  await waitFor('the project to be announced', () => volunteer.node.project(project.id))
  const run = await volunteer.node.join(project.id)
  assert.equal(volunteer.node.currentRun()?.projectId, project.id)

  await waitFor('two chunks computed', () => computed() >= 2, 30_000, 10)
  await volunteer.node.pause()
  assert.equal(volunteer.node.prefs().paused, true)
  await waitFor('the loop to pause', () => volunteer.node.volunteerStatus().state === 'paused', 15_000, 10)
  const whilePaused = computed()
  await new Promise(resolve => setTimeout(resolve, 700))
  assert.equal(computed(), whilePaused, 'no chunk is computed while paused')
  // Whether a prefetched lease was waiting at the pause depends on timing; either way a paused volunteer holds none.
  await waitFor('no lease held while paused', async () => (await researcher.node.projectStats(project.id))?.chunkStates.every(s => s !== 'leased'), 15_000, 10)
  console.log(`# leases released by the pause: ${released()}`)

  await volunteer.node.resume()
  await waitFor('computing again', () => computed() > whilePaused, 15_000, 10)
  const status = volunteer.node.volunteerStatus()
  assert.equal(status.projectId, project.id)
  assert.ok(status.receipts >= 2 && status.creditsFlops > 0, JSON.stringify(status))

  // Joining another project leaves this one.
  const other = await researcher.node.publish({ name: 'other', kernel: 'matmul', inputs: [{ name: 'a', matrix: generateMatrix(400, 64, 3) }, { name: 'b', matrix: generateMatrix(64, 64, 4) }], rowsPerChunk: 4 })
  await waitFor('the other project to be announced', () => volunteer.node.project(other.id))
  const otherRun = await volunteer.node.join(other.id)
  const summary = await run.finished
  assert.equal(summary.outcome, 'stopped')
  assert.equal(volunteer.node.currentRun()?.projectId, other.id)
  await volunteer.node.leave()
  assert.equal((await otherRun.finished).outcome, 'stopped')
  await waitFor('no chunk of the first project leased to the volunteer any more', async () => (await researcher.node.projectStats(project.id))?.volunteers.every(v => v.chunksInFlight === 0))
  console.log(`left after ${summary.chunksComputed} chunks, ${summary.receipts} receipts; ${released()} leases released`)
  assert.equal(volunteer.node.currentRun(), undefined)
  await waitFor('no chunk of the other project leased to the volunteer any more', async () => (await researcher.node.projectStats(other.id))?.volunteers.every(v => v.chunksInFlight === 0))
  await volunteer.node.setPrefs({ paused: false })
})

test('given a finished project in the history, replay publishes the same spec as a new project with the same result', async () => {
  const researcher = await startPeer(loopbackOptions(tag))
  const volunteer = await startPeer(loopbackOptions(tag))
  peers.push(researcher, volunteer)
  const original = await researcher.node.publish({ name: 'replayed', kernel: 'matmul', inputs: [{ name: 'a', matrix: generateMatrix(30, 12, 5) }, { name: 'b', matrix: generateMatrix(12, 9, 6) }], rowsPerChunk: 4, verification: { redundancy: 1, spotCheck: 0 } })

  async function complete (projectId: string, out: string): Promise<Buffer> {
    await waitFor('the project to be announced', () => volunteer.node.project(projectId)?.status === 'running')
    const run = await volunteer.node.join(projectId)
    assert.equal(await researcher.node.waitUntilFinished(projectId), 'done')
    assert.equal((await run.finished).outcome, 'done')
    await researcher.node.exportProject(projectId, 'npy', join(researcher.dir.path, out))
    return await readFile(join(researcher.dir.path, out))
  }

  const first = await complete(original.id, 'first.npy')
  const [entry] = await waitFor('the history entry', async () => {
    const history = await researcher.node.history()
    return history.length > 0 ? history : undefined
  })
  assert.deepEqual({ id: entry.projectId, name: entry.name, dims: entry.dims, chunks: entry.chunks, status: entry.status }, { id: original.id, name: 'replayed', dims: '30x12 · 12x9', chunks: 8, status: 'done' })

  const replayed = await researcher.node.replay(original.id)
  assert.notEqual(replayed.id, original.id)
  assert.deepEqual({ name: replayed.name, dims: replayed.dims, chunks: replayed.chunks.total, verification: replayed.verification }, { name: 'replayed', dims: '30x12 · 12x9', chunks: 8, verification: { redundancy: 1, spotCheck: 0 } })
  const second = await complete(replayed.id, 'second.npy')
  assert.deepEqual(second, first, 'the replay computes the same result')
  await assert.rejects(researcher.node.replay('0'.repeat(32)), InputError)
  assert.equal((await researcher.node.history()).length, 2)
})
