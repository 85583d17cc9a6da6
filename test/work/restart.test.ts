import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { exportProject, loadProjectRecord } from '../../src/node/coordinator/index.ts'
import { cpuMatmul, instrumentedDevice, openDevice, publishMatmul, startResearcher, startVolunteer, stopPeer, type TestResearcher, type TestVolunteer, stopAfterTests } from './helpers/mesh.ts'
import { waitFor } from '../helpers/peers.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'

let device: ComputeDevice | undefined
let researcher: TestResearcher | undefined
const volunteers: TestVolunteer[] = []

stopAfterTests(() => ({ volunteers, researcher, device }))

test('given a researcher restarted on the same store, it resumes the project and never recomputes a verified chunk', async () => {
  device = await openDevice()
  researcher = await startResearcher()
  const { dir, privateKey } = researcher
  const port = Number(researcher.node.getMultiaddrs()[0].getComponents().find(c => c.name === 'tcp')?.value)
  const { manifest, a, b } = await publishMatmul(researcher, { m: 60, k: 24, n: 10, rowsPerChunk: 5 })
  await researcher.coordinator.addProject(manifest)

  const devices = [instrumentedDevice(device, { delayMs: 120 }), instrumentedDevice(device, { delayMs: 120 })]
  for (const dev of devices) volunteers.push(await startVolunteer(researcher, dev))
  const runs = volunteers.map(async v => await v.volunteer.join(manifest))

  // Stop the researcher once a few chunks are verified, while others are in flight.
  const first = researcher
  await waitFor('4 verified chunks', () => (first.coordinator.progress(manifest.id)?.done ?? 0) >= 4, 30_000, 20)
  await stopPeer(researcher, true)
  researcher = undefined
  const computedBefore = devices.flatMap(d => d.computed).length

  researcher = await startResearcher({ dir, privateKey, listen: [`/ip4/127.0.0.1/tcp/${port}`] })
  const second = researcher
  const leasedAfterRestart: number[] = []
  second.coordinator.events.addEventListener('chunk:leased', (evt: any) => { leasedAfterRestart.push(evt.detail.chunk) })
  assert.deepEqual(await second.coordinator.resume(), [manifest.id])
  const resumed = second.coordinator.snapshot(manifest.id)!
  const verifiedBefore = resumed.chunks.filter(c => c.state === 'verified').map(c => c.index)
  assert.ok(verifiedBefore.length >= 4)
  console.log(`restarted with ${verifiedBefore.length}/12 chunks verified; ${computedBefore} chunk computations before the restart`)

  assert.equal(await second.coordinator.waitUntilFinished(manifest.id), 'done')
  for (const run of runs) assert.equal((await run).outcome, 'done')
  assert.deepEqual(leasedAfterRestart.filter(chunk => verifiedBefore.includes(chunk)), [], 'a chunk verified before the restart was leased again')
  assert.equal((await loadProjectRecord(second.store, manifest.id))?.status, 'done')

  const out = join(dir.path, 'C.npy')
  await exportProject(second.store, manifest.id, 'npy', out)
  const c = await readNpyMatrix(out)
  const compared = getKernel('matmul').compare({}, [{ name: 'a', rows: 60, cols: 24 }, { name: 'b', rows: 24, cols: 10 }], cpuMatmul(a, b), c.data)
  assert.ok(compared.ok, JSON.stringify(compared))
})
