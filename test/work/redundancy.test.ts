import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { exportProject } from '../../src/node/coordinator/index.ts'
import { listEarnedReceipts } from '../../src/node/volunteer/index.ts'
import { cpuMatmul, instrumentedDevice, openDevice, publishMatmul, startResearcher, startVolunteer, stopPeer, type TestResearcher, type TestVolunteer, stopAfterTests } from './helpers/mesh.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'

let device: ComputeDevice | undefined
let researcher: TestResearcher | undefined
const volunteers: TestVolunteer[] = []

stopAfterTests(() => ({ volunteers, researcher, device }))

test('given redundancy 2 and a volunteer returning wrong numbers, it is caught and banned, its results discarded, and the result is correct', async () => {
  device = await openDevice()
  researcher = await startResearcher()
  const { manifest, a, b } = await publishMatmul(researcher, { m: 36, k: 20, n: 12, rowsPerChunk: 4, redundancy: 2 })
  await researcher.coordinator.addProject(manifest)

  const faulty = await startVolunteer(researcher, instrumentedDevice(device, { corrupt: true }))
  const honest = [
    await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 15 })),
    await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 15 }))
  ]
  volunteers.push(faulty, ...honest)
  const faultyId = faulty.node.peerId.toString()
  const banned: Array<{ volunteer: string, reason: string }> = []
  researcher.coordinator.events.addEventListener('volunteer:banned', (evt: any) => { banned.push(evt.detail) })

  const faultyRun = faulty.volunteer.join(manifest)
  const honestRuns = honest.map(async v => await v.volunteer.join(manifest))
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')

  assert.deepEqual(banned.map(b => b.volunteer), [faultyId])
  console.log(`faulty volunteer banned: ${banned[0].reason}`)
  const faultySummary = await faultyRun
  assert.equal(faultySummary.outcome, 'refused')
  assert.equal(faultySummary.receipts, 0)
  for (const run of honestRuns) assert.equal((await run).outcome, 'done')

  const snapshot = researcher.coordinator.snapshot(manifest.id)!
  assert.ok(snapshot.mismatches >= 1)
  assert.ok(snapshot.receipts.every(r => r.volunteer !== faultyId), 'no credit for the faulty volunteer')
  assert.equal(snapshot.receipts.length, 2 * 9, 'two agreeing volunteers credited per chunk')
  assert.ok(snapshot.chunks.every(c => c.state === 'verified' && !(c as any).agreed.includes(faultyId)))
  assert.equal(snapshot.volunteers.find(v => v.peer === faultyId)?.status, 'banned')
  assert.deepEqual(await listEarnedReceipts(faulty.store), [])

  const out = join(researcher.dir.path, 'C.npy')
  await exportProject(researcher.store, manifest.id, 'npy', out)
  const c = await readNpyMatrix(out)
  const compared = getKernel('matmul').compare({}, [{ name: 'a', rows: 36, cols: 20 }, { name: 'b', rows: 20, cols: 12 }], cpuMatmul(a, b), c.data)
  assert.ok(compared.ok, JSON.stringify(compared))
})

test('given a spot check and a wrong result, the researcher catches it without any replica', async () => {
  const spot = await startResearcher()
  try {
    const { manifest } = await publishMatmul(spot, { m: 8, k: 6, n: 5, rowsPerChunk: 4, spotCheck: 1 })
    await spot.coordinator.addProject(manifest)
    const liar = await startVolunteer(spot, instrumentedDevice(device!, { corrupt: true }))
    volunteers.push(liar)
    const banned = new Promise<any>(resolve => spot.coordinator.events.addEventListener('volunteer:banned', (evt: any) => { resolve(evt.detail) }, { once: true }))
    const summary = await liar.volunteer.join(manifest)
    assert.equal(summary.outcome, 'refused')
    assert.match((await banned).reason, /spot check/)
    assert.equal(spot.coordinator.progress(manifest.id)?.done, 0)
  } finally {
    await stopPeer(spot)
  }
})
