import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { bytesOf, floatsOf } from '../../src/node/coordinator/floats.ts'
import { LeaseStatus, ResultStatus, type ChunkLease } from '../../src/protocols/work/index.ts'
import { instrumentedDevice, openDevice, publishMatmul, startResearcher, startVolunteer, stopPeer, type TestResearcher, type TestVolunteer } from './helpers/mesh.ts'
import { startWorkNode, type WorkNode } from './helpers/nodes.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import type { MeshEvents } from '../../src/node/types.ts'

let device: ComputeDevice
const cleanup: Array<() => Promise<void>> = []

before(async () => { device = await openDevice() })
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {})
  await device?.destroy()
})

async function researcherFor (init: Parameters<typeof startResearcher>[0] = {}): Promise<TestResearcher> {
  const researcher = await startResearcher(init)
  cleanup.push(async () => { await stopPeer(researcher) })
  return researcher
}

async function volunteerFor (researcher: TestResearcher, delayMs: number): Promise<TestVolunteer & { computed: number[] }> {
  const dev = instrumentedDevice(device, { delayMs })
  const volunteer = await startVolunteer(researcher, dev)
  cleanup.push(async () => { await stopPeer(volunteer) })
  return Object.assign(volunteer, { computed: dev.computed })
}

async function rawClient (researcher: TestResearcher): Promise<WorkNode> {
  const node = await startWorkNode()
  cleanup.push(async () => { await node.stop() })
  await node.dial(researcher.node.getMultiaddrs()[0])
  return node
}

function nextEvent<K extends keyof MeshEvents> (target: EventTarget, type: K, match: (detail: MeshEvents[K]) => boolean = () => true): Promise<{ detail: MeshEvents[K], at: number }> {
  return new Promise(resolve => {
    const listener = (evt: Event): void => {
      const detail = (evt as CustomEvent<MeshEvents[K]>).detail
      if (!match(detail)) return
      target.removeEventListener(type, listener)
      resolve({ detail, at: performance.now() })
    }
    target.addEventListener(type, listener)
  })
}

test('given a volunteer whose connection drops mid-chunk, its chunk is requeued at once and the project completes', async () => {
  const researcher = await researcherFor()
  const { manifest } = await publishMatmul(researcher, { m: 40, k: 16, n: 8, rowsPerChunk: 5 })
  await researcher.coordinator.addProject(manifest)
  const steady = await volunteerFor(researcher, 30)
  const doomed = await volunteerFor(researcher, 60_000)
  const doomedId = doomed.node.peerId.toString()

  const leased = nextEvent(researcher.coordinator.events, 'chunk:leased', d => d.volunteer === doomedId)
  const doomedRun = doomed.volunteer.join(manifest)
  const steadyRun = steady.volunteer.join(manifest)
  const { detail: lease } = await leased

  const requeued = nextEvent(researcher.coordinator.events, 'chunk:requeued', d => d.volunteer === doomedId && d.chunk === lease.chunk)
  const lost = nextEvent(researcher.coordinator.events, 'volunteer:lost', d => d.volunteer === doomedId)
  const cut = performance.now()
  for (const connection of doomed.node.getConnections(researcher.node.peerId)) connection.abort(new Error('cable pulled'))
  await doomed.node.stop()
  const { detail, at } = await requeued
  console.log(`requeue after the connection dropped: ${(at - cut).toFixed(1)} ms (target < 100 ms; reason: ${detail.reason})`)
  assert.ok((await lost).detail.chunks.includes(lease.chunk))

  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  assert.equal((await steadyRun).outcome, 'done')
  assert.ok(steady.computed.includes(lease.chunk), 'the steady volunteer computed the requeued chunk')
  await doomed.volunteer.stop()
  await doomedRun.catch(() => {})
})

test('given a volunteer that stops, it releases its leases and their chunks are requeued', async () => {
  const researcher = await researcherFor()
  const { manifest } = await publishMatmul(researcher, { m: 12, k: 8, n: 8, rowsPerChunk: 4 })
  await researcher.coordinator.addProject(manifest)
  const slow = await volunteerFor(researcher, 60_000)
  const slowId = slow.node.peerId.toString()
  const leased = nextEvent(researcher.coordinator.events, 'chunk:leased', d => d.volunteer === slowId)
  const run = slow.volunteer.join(manifest)
  await leased
  const released = nextEvent(researcher.coordinator.events, 'chunk:requeued', d => d.volunteer === slowId)
  const stopping = slow.volunteer.stop()
  assert.equal((await released).detail.reason, 'released by the volunteer')
  await stopping
  assert.equal((await run).outcome, 'stopped')
  assert.equal(researcher.coordinator.snapshot(manifest.id)!.leases.length, 0)
})

test('given a lease holder that goes silent, its chunk is requeued after the heartbeat timeout; a lease past its deadline is requeued but a late result still counts', async () => {
  // Unknown speed gets a long lease; a declared huge speed gets the minimum, 300 ms.
  const researcher = await researcherFor({ coordinator: { heartbeatTimeoutMs: 600, minLeaseMs: 300, sweepIntervalMs: 50 } })
  const { manifest, b } = await publishMatmul(researcher, { m: 8, k: 4, n: 4, rowsPerChunk: 4 })
  await researcher.coordinator.addProject(manifest)
  const client = await rawClient(researcher)
  const owner = researcher.node.peerId
  const lease = async (gflops: number): Promise<ChunkLease> => {
    const { answer } = await client.services.work.lease(owner, { projectId: manifest.id, device: 'raw', gflops })
    assert.equal(answer.status, LeaseStatus.LEASED)
    return answer.lease!
  }

  const silentRequeue = nextEvent(researcher.coordinator.events, 'chunk:requeued', d => d.reason === 'no heartbeat')
  const silent = await lease(0)
  const started = performance.now()
  const { detail: silentDetail, at } = await silentRequeue
  assert.equal(silentDetail.chunk, silent.chunk)
  console.log(`silent lease requeued after ${(at - started).toFixed(0)} ms (heartbeat timeout 600 ms)`)

  const late = await lease(1e6)
  const expired = nextEvent(researcher.coordinator.events, 'chunk:requeued', d => d.reason === 'lease deadline passed' && d.chunk === late.chunk)
  const beat = setInterval(() => { client.services.work.heartbeat(owner, { leaseIds: [late.leaseId], gflops: 0 }).catch(() => {}) }, 100)
  try {
    await expired
  } finally {
    clearInterval(beat)
  }
  const kernel = getKernel('matmul')
  const output = kernel.cpuReference({ kernel: 'matmul', params: {}, range: { index: late.chunk, rowStart: late.rowStart, rowEnd: late.rowEnd }, rows: floatsOf(late.rows), rowCols: late.rowCols, shared: { b } })
  const { answer } = await client.services.work.submit(owner, { leaseId: late.leaseId, result: bytesOf(output), computeMs: 1, fetchMs: 0, blobBytes: 0 })
  assert.equal(answer.status, ResultStatus.VERIFIED)
  assert.ok(answer.receipt != null)
})

test('given a chunk that keeps failing, the project fails with the reason and volunteers are told', async () => {
  const researcher = await researcherFor({ coordinator: { maxChunkFailures: 2 } })
  const { manifest } = await publishMatmul(researcher, { m: 8, k: 4, n: 4, rowsPerChunk: 8 })
  await researcher.coordinator.addProject(manifest)
  const client = await rawClient(researcher)
  const owner = researcher.node.peerId
  const failed = nextEvent(researcher.coordinator.events, 'project:failed')
  for (let i = 0; i < 2; i++) {
    const { answer } = await client.services.work.lease(owner, { projectId: manifest.id, device: 'raw', gflops: 0 })
    assert.equal(answer.status, LeaseStatus.LEASED)
    await client.services.work.submit(owner, { leaseId: answer.lease!.leaseId, result: new Uint8Array(4), computeMs: 1, fetchMs: 0, blobBytes: 0 })
  }
  assert.match((await failed).detail.reason, /chunk 0 failed 2 times \(last: result of the wrong size\)/)
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'failed')
  const { answer } = await client.services.work.lease(owner, { projectId: manifest.id, device: 'raw', gflops: 0 })
  assert.equal(answer.status, LeaseStatus.PROJECT_FAILED)
})

test('given the per-peer lease cap, a peer cannot hoard chunks', async () => {
  const researcher = await researcherFor({ coordinator: { maxLeasesPerPeer: 2 } })
  const { manifest } = await publishMatmul(researcher, { m: 16, k: 4, n: 4, rowsPerChunk: 2 })
  await researcher.coordinator.addProject(manifest)
  const client = await rawClient(researcher)
  const statuses: LeaseStatus[] = []
  for (let i = 0; i < 3; i++) {
    const { answer } = await client.services.work.lease(researcher.node.peerId, { projectId: manifest.id, device: 'raw', gflops: 0 })
    statuses.push(answer.status)
  }
  assert.deepEqual(statuses, [LeaseStatus.LEASED, LeaseStatus.LEASED, LeaseStatus.TOO_MANY_LEASES])
})

test('given a request for several chunks, the researcher grants distinct fresh chunks up to the per-peer cap, each with its own deadline', async () => {
  const researcher = await researcherFor({ coordinator: { maxLeasesPerPeer: 5 } })
  const { manifest } = await publishMatmul(researcher, { m: 16, k: 4, n: 4, rowsPerChunk: 2 })
  await researcher.coordinator.addProject(manifest)
  const client = await rawClient(researcher)
  const first = (await client.services.work.lease(researcher.node.peerId, { projectId: manifest.id, device: 'raw', gflops: 0, count: 3 })).answer
  assert.equal(first.status, LeaseStatus.LEASED)
  const leases = [first.lease!, ...first.more]
  assert.equal(leases.length, 3)
  assert.equal(new Set(leases.map(l => l.chunk)).size, 3)
  assert.equal(new Set(leases.map(l => l.leaseId)).size, 3)
  // Queued behind the others, a later lease of the batch lasts longer.
  assert.ok(leases[2].deadlineMs > leases[0].deadlineMs)
  for (const lease of leases) assert.equal(lease.rows.byteLength, (lease.rowEnd - lease.rowStart) * lease.rowCols * 4)
  // Asking for 8 more gets only what the cap of 5 leaves.
  const second = (await client.services.work.lease(researcher.node.peerId, { projectId: manifest.id, device: 'raw', gflops: 0, count: 8 })).answer
  assert.equal(second.status, LeaseStatus.LEASED)
  assert.equal(1 + second.more.length, 2)
  const third = (await client.services.work.lease(researcher.node.peerId, { projectId: manifest.id, device: 'raw', gflops: 0, count: 8 })).answer
  assert.equal(third.status, LeaseStatus.TOO_MANY_LEASES)
})

test('given a burst of lease requests over the per-peer rate, the excess is answered RATE_LIMITED with a retry hint', async () => {
  const researcher = await researcherFor({ coordinator: { leaseRequestsPerSecond: 3, maxLeasesPerPeer: 10 } })
  const { manifest } = await publishMatmul(researcher, { m: 16, k: 4, n: 4, rowsPerChunk: 2 })
  await researcher.coordinator.addProject(manifest)
  const client = await rawClient(researcher)
  const answers = []
  for (let i = 0; i < 4; i++) answers.push((await client.services.work.lease(researcher.node.peerId, { projectId: manifest.id, device: 'raw', gflops: 0 })).answer)
  assert.deepEqual(answers.map(a => a.status), [LeaseStatus.LEASED, LeaseStatus.LEASED, LeaseStatus.LEASED, LeaseStatus.RATE_LIMITED])
  assert.ok(answers[3].retryAfterMs > 0)
})

test('given a straggler holding chunks when the queue runs dry, backup copies go to an idle volunteer and the first valid result wins', async () => {
  const researcher = await researcherFor()
  const { manifest } = await publishMatmul(researcher, { m: 24, k: 8, n: 8, rowsPerChunk: 4 })
  await researcher.coordinator.addProject(manifest)
  const straggler = await volunteerFor(researcher, 60_000)
  const stragglerId = straggler.node.peerId.toString()
  const held: number[] = []
  const backups: number[] = []
  researcher.coordinator.events.addEventListener('chunk:leased', (evt: any) => {
    if (evt.detail.volunteer === stragglerId) held.push(evt.detail.chunk)
    else if (held.includes(evt.detail.chunk)) backups.push(evt.detail.chunk)
  })
  const twoLeases = new Promise<void>(resolve => {
    researcher.coordinator.events.addEventListener('chunk:leased', () => { if (held.length === 2) resolve() })
  })
  const stragglerRun = straggler.volunteer.join(manifest)
  await twoLeases
  const fast = await volunteerFor(researcher, 10)
  const fastRun = fast.volunteer.join(manifest)

  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  assert.equal((await fastRun).outcome, 'done')
  assert.deepEqual([...backups].sort(), [...held].sort(), 'each straggling chunk was backed up and finished by the fast volunteer')
  assert.equal(straggler.volunteer.status().chunksComputed, 0)
  await straggler.volunteer.stop()
  assert.equal((await stragglerRun).outcome, 'stopped')
})
