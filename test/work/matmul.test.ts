import assert from 'node:assert/strict'
import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import { before, test } from 'node:test'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { exportProject, ProjectNotDoneError } from '../../src/node/coordinator/index.ts'
import { listEarnedReceipts } from '../../src/node/volunteer/index.ts'
import { cpuMatmul, instrumentedDevice, openDevice, publishMatmul, startResearcher, startVolunteer, type TestResearcher, type TestVolunteer, stopAfterTests } from './helpers/mesh.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'

let device: ComputeDevice
let researcher: TestResearcher
const volunteers: TestVolunteer[] = []

before(async () => {
  device = await openDevice()
  researcher = await startResearcher()
})

stopAfterTests(() => ({ volunteers, researcher, device }))

test('given one researcher and three volunteers, a matmul of awkward shapes is computed, verified and exported equal to the CPU reference', async () => {
  // 45x33 times 33x19 in chunks of 7 rows: 7 chunks, the last one of 3 rows.
  const { manifest, a, b } = await publishMatmul(researcher, { m: 45, k: 33, n: 19, rowsPerChunk: 7, spotCheck: 0.5, seed: 11 })
  await researcher.coordinator.addProject(manifest)
  await assert.rejects(exportProject(researcher.store, manifest.id, 'npy', join(researcher.dir.path, 'early.npy')), ProjectNotDoneError)

  const verified: number[] = []
  researcher.coordinator.events.addEventListener('chunk:verified', (evt: any) => { verified.push(evt.detail.chunk) })
  for (let i = 0; i < 3; i++) volunteers.push(await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 20 })))

  const started = performance.now()
  const summaries = await Promise.all(volunteers.map(async v => await v.volunteer.join(manifest)))
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  console.log(`7 chunks on 3 volunteers in ${(performance.now() - started).toFixed(0)} ms; per volunteer: ${summaries.map(s => s.chunksComputed).join(', ')}`)

  assert.deepEqual([...verified].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6])
  for (const summary of summaries) assert.equal(summary.outcome, 'done')
  assert.equal(summaries.reduce((sum, s) => sum + s.receipts, 0), 7, 'one receipt per verified chunk')

  const out = join(researcher.dir.path, 'C.npy')
  const exported = await exportProject(researcher.store, manifest.id, 'npy', out)
  assert.deepEqual({ rows: exported.rows, cols: exported.cols, chunks: exported.chunks }, { rows: 45, cols: 19, chunks: 7 })
  const c = await readNpyMatrix(out)
  assert.equal(c.rows, 45)
  assert.equal(c.cols, 19)
  const kernel = getKernel('matmul')
  const compared = kernel.compare({}, [{ name: 'a', rows: 45, cols: 33 }, { name: 'b', rows: 33, cols: 19 }], cpuMatmul(a, b), c.data)
  assert.ok(compared.ok, `export differs from the CPU reference: ${JSON.stringify(compared)}`)
  console.log(`export vs CPU reference: max rel error ${compared.maxRelError.toExponential(2)}`)

  // Each volunteer keeps verified receipts signed for it; the shared input B crossed the network once per volunteer at most.
  const earned = (await Promise.all(volunteers.map(async v => await listEarnedReceipts(v.store)))).flat()
  assert.deepEqual(earned.map(r => r.chunk).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6])
  assert.ok(researcher.node.services.blob.served <= 3, `B (one piece) served ${researcher.node.services.blob.served} times to 3 volunteers`)

  const snapshot = researcher.coordinator.snapshot(manifest.id)!
  assert.equal(snapshot.status, 'done')
  assert.ok(snapshot.chunks.every(chunk => chunk.state === 'verified' && chunk.computeMs != null && (chunk.bytesMoved ?? 0) > 0))
  assert.equal(snapshot.receipts.length, 7)
  console.log(`spot checks: ${snapshot.spotChecks}; bytes moved: ${snapshot.chunks.reduce((s, c) => s + (c.bytesMoved ?? 0), 0)}`)
})

test('given a finished project, it exports as CSV and JSON with the same numbers', async () => {
  const id = researcher.coordinator.projectIds()[0]
  const npy = await readNpyMatrix(join(researcher.dir.path, 'C.npy'))
  const csvPath = join(researcher.dir.path, 'C.csv')
  const jsonPath = join(researcher.dir.path, 'C.json')
  await exportProject(researcher.store, id, 'csv', csvPath)
  await exportProject(researcher.store, id, 'json', jsonPath)
  const csvRows = (await readFile(csvPath, 'utf8')).trim().split('\n').slice(1).map(line => line.split(',').map(Number))
  const jsonRows = JSON.parse(await readFile(jsonPath, 'utf8')) as number[][]
  assert.equal(csvRows.length, 45)
  assert.equal(jsonRows.length, 45)
  for (let r = 0; r < 45; r++) {
    for (let c = 0; c < 19; c++) {
      assert.equal(Math.fround(csvRows[r][c]), npy.data[r * 19 + c])
      assert.equal(Math.fround(jsonRows[r][c]), npy.data[r * 19 + c])
    }
  }
})

test('given a researcher whose lease round trip is longer than a chunk takes, the volunteer asks for several chunks at once and keeps them queued', async () => {
  const { manifest, a, b } = await publishMatmul(researcher, { m: 48, k: 8, n: 8, rowsPerChunk: 2, seed: 5 })
  await researcher.coordinator.addProject(manifest)
  // A far researcher: every lease answer takes 100 ms, longer than a 2x8x8 chunk computes (even on a loaded machine).
  const coordinator = researcher.coordinator
  const lease = coordinator.leaseNextChunk.bind(coordinator)
  const counts: number[] = []
  let held = 0
  let mostHeld = 0
  coordinator.leaseNextChunk = async (peer, request, context) => {
    if (request.projectId === manifest.id) counts.push(request.count ?? 1)
    await new Promise(resolve => setTimeout(resolve, 100))
    return await lease(peer, request, context)
  }
  const onLeased = (evt: any): void => { if (evt.detail.projectId === manifest.id) mostHeld = Math.max(mostHeld, ++held) }
  const onResult = (evt: any): void => { if (evt.detail.projectId === manifest.id) held-- }
  coordinator.events.addEventListener('chunk:leased', onLeased)
  coordinator.events.addEventListener('chunk:verified', onResult)
  try {
    const volunteer = await startVolunteer(researcher, device)
    volunteers.push(volunteer)
    const summary = await volunteer.volunteer.join(manifest)
    assert.equal(summary.outcome, 'done')
    assert.equal(await coordinator.waitUntilFinished(manifest.id), 'done')
    console.log(`24 chunks in ${counts.length} lease requests; counts asked: ${counts.join(',')}; most held at once: ${mostHeld}`)
    assert.ok(Math.max(...counts) > 1, `the volunteer never asked for more than one chunk: ${counts.join(',')}`)
    assert.ok(counts.length < 24, `one lease request per chunk (${counts.length})`)
    // How deep the queue gets depends on this machine's chunk time against the 100 ms round trip; more than one, always.
    assert.ok(mostHeld >= 2, `at most ${mostHeld} chunk held at once`)
    const out = join(researcher.dir.path, 'queued.npy')
    await exportProject(researcher.store, manifest.id, 'npy', out)
    const c = await readNpyMatrix(out)
    const compared = getKernel('matmul').compare({}, [{ name: 'a', rows: 48, cols: 8 }, { name: 'b', rows: 8, cols: 8 }], cpuMatmul(a, b), c.data)
    assert.ok(compared.ok, `export differs from the CPU reference: ${JSON.stringify(compared)}`)
  } finally {
    coordinator.leaseNextChunk = lease
    coordinator.events.removeEventListener('chunk:leased', onLeased)
    coordinator.events.removeEventListener('chunk:verified', onResult)
  }
})
