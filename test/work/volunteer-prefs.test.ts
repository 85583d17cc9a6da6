import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { instrumentedDevice, openDevice, publishMatmul, startResearcher, startVolunteer, type TestResearcher, type TestVolunteer, stopAfterTests } from './helpers/mesh.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import type { VolunteerStatus } from '../../src/node/types.ts'

let device: ComputeDevice
let researcher: TestResearcher
const volunteers: TestVolunteer[] = []

before(async () => {
  device = await openDevice()
  researcher = await startResearcher()
})

stopAfterTests(() => ({ volunteers, researcher, device }))

test('given a max chunk count, the volunteer computes exactly that many, hands them in and leaves', async () => {
  const { manifest } = await publishMatmul(researcher, { m: 40, k: 8, n: 8, rowsPerChunk: 4 })
  await researcher.coordinator.addProject(manifest)
  const dev = instrumentedDevice(device)
  const v = await startVolunteer(researcher, dev)
  volunteers.push(v)
  const summary = await v.volunteer.join(manifest, { maxChunks: 3 })
  assert.equal(summary.outcome, 'max-chunks')
  assert.equal(dev.computed.length, 3)
  assert.equal(summary.receipts, 3)
  assert.equal(researcher.coordinator.progress(manifest.id)?.done, 3)
  assert.equal(researcher.coordinator.snapshot(manifest.id)!.leases.length, 0, 'the prefetched lease was released')
})

test('given paused, the volunteer leases nothing until resumed; a duty cycle below 1 idles between chunks', async () => {
  const { manifest } = await publishMatmul(researcher, { m: 12, k: 8, n: 8, rowsPerChunk: 4, seed: 3 })
  await researcher.coordinator.addProject(manifest)
  const dev = instrumentedDevice(device, { delayMs: 30 })
  const v = await startVolunteer(researcher, dev, { prefs: { paused: true, maxDutyCycle: 0.5 } })
  volunteers.push(v)
  const states: Array<VolunteerStatus['state']> = []
  v.volunteer.events.addEventListener('work:status', (evt: any) => { states.push(evt.detail.state) })
  const run = v.volunteer.join(manifest)
  await new Promise(resolve => setTimeout(resolve, 300))
  assert.equal(v.volunteer.status().state, 'paused')
  assert.equal(dev.computed.length, 0)
  assert.equal(researcher.coordinator.progress(manifest.id)?.done, 0)

  v.volunteer.setPrefs({ paused: false })
  assert.equal((await run).outcome, 'done')
  assert.equal(dev.computed.length, 3)
  assert.ok(states.includes('idle'), `duty cycle 0.5 idles between chunks (states: ${states.join(' ')})`)
  assert.throws(() => { v.volunteer.setPrefs({ maxDutyCycle: 0 }) }, /duty cycle/)
})

test('given a researcher that does not serve the project, the volunteer gives up after its patience', async () => {
  const { manifest } = await publishMatmul(researcher, { m: 4, k: 4, n: 4, rowsPerChunk: 4, seed: 9 })
  const v = await startVolunteer(researcher, instrumentedDevice(device), { researcherPatienceMs: 300 })
  volunteers.push(v)
  const summary = await v.volunteer.join(manifest)
  assert.equal(summary.outcome, 'unreachable')
  assert.equal(summary.chunksComputed, 0)
})
