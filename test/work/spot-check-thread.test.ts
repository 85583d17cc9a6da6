import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { openDevice, publishMatmul, startResearcher, startVolunteer, stopPeer, type TestResearcher, type TestVolunteer } from './helpers/mesh.ts'

let device: ComputeDevice | undefined
let researcher: TestResearcher | undefined
let volunteer: TestVolunteer | undefined

after(async () => {
  await stopPeer(volunteer)
  await stopPeer(researcher)
  await device?.destroy()
})

test('spot checks run on the CPU reference device in a worker, so a long check never holds up heartbeats', async () => {
  device = await openDevice()
  const checked: number[] = []
  let opened = 0
  researcher = await startResearcher({
    coordinator: {
      openSpotCheckDevice: async () => {
        opened++
        const cpu = await openComputeDevice({ prefer: 'cpu' })
        return { ...cpu, info: cpu.info, run: async (work, options) => { checked.push(work.range.index); return await cpu.run(work, options) }, validateKernel: cpu.validateKernel.bind(cpu), destroy: cpu.destroy.bind(cpu) }
      }
    }
  })
  const { manifest } = await publishMatmul(researcher, { m: 24, k: 16, n: 8, rowsPerChunk: 4, spotCheck: 1 })
  await researcher.coordinator.addProject(manifest)
  volunteer = await startVolunteer(researcher, device)
  const summary = await volunteer.volunteer.join(manifest)
  assert.equal(summary.outcome, 'done')
  assert.deepEqual(checked.sort((x, y) => x - y), [0, 1, 2, 3, 4, 5])
  assert.equal(opened, 1, 'one device, opened at the first check and reused')
  assert.equal(researcher.coordinator.snapshot(manifest.id)?.spotChecks, 6)
})
