import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, test } from 'node:test'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { exportProject } from '../../src/node/coordinator/index.ts'
import { cpuMatmul, instrumentedDevice, openDevice, publishMatmul, startResearcher, startVolunteer, stopPeer, type TestResearcher, type TestVolunteer } from '../work/helpers/mesh.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import type { MeshEvents } from '../../src/node/types.ts'

const run = promisify(execFile)

/** A tiny tmpfs to fill up (needs root); undefined where one cannot be mounted. */
async function mountTinyDisk (dir: string, size: string): Promise<boolean> {
  if (process.getuid?.() !== 0) return false
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir])
    return true
  } catch {
    return false
  }
}

let device: ComputeDevice | undefined
let researcher: TestResearcher | undefined
let volunteer: TestVolunteer | undefined
let disk: TempDir | undefined
let mounted = false
let outDir: TempDir | undefined

after(async () => {
  await stopPeer(volunteer)
  await stopPeer(researcher, true)
  await device?.destroy()
  if (mounted) await run('umount', [disk!.path]).catch(() => {})
  await disk?.remove()
  await outDir?.remove()
})

test('given the researcher\'s disk filling up mid-project, results that cannot be stored are computed again, and once space is freed the project completes exactly', async (t) => {
  disk = await makeTempDir('mesh-disk-')
  mounted = await mountTinyDisk(disk.path, '16m')
  if (!mounted) {
    t.skip('needs root to mount a tmpfs')
    return
  }
  device = await openDevice()
  outDir = await makeTempDir('mesh-disk-out-')
  researcher = await startResearcher({ dir: { path: join(disk.path, 'peer'), remove: async () => {} }, coordinator: { maxChunkFailures: 1000 } })
  const { manifest, a, b } = await publishMatmul(researcher, { m: 64, k: 16, n: 512, rowsPerChunk: 2 })
  await researcher.coordinator.addProject(manifest)
  volunteer = await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 20 }))
  const requeues: Array<MeshEvents['chunk:requeued']> = []
  researcher.coordinator.events.addEventListener('chunk:requeued', (evt: any) => { requeues.push(evt.detail) })
  const running = volunteer.volunteer.join(manifest)

  while ((researcher.coordinator.progress(manifest.id)?.done ?? 0) < 4) await new Promise(resolve => setTimeout(resolve, 20))
  const filler = join(disk.path, 'filler')
  await run('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k']).catch(() => {})
  const stalledAt = researcher.coordinator.progress(manifest.id)!.done
  while (!requeues.some(r => /result not stored/.test(r.reason))) await new Promise(resolve => setTimeout(resolve, 20))
  const reason = requeues.find(r => /result not stored/.test(r.reason))!.reason
  console.log(`# disk full after ${stalledAt} chunks; requeued: ${reason}`)
  assert.match(reason, /data dir .* is full \(no space left on device\)/)
  await new Promise(resolve => setTimeout(resolve, 300))
  await rm(filler)

  assert.equal((await running).outcome, 'done')
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  const notStored = requeues.filter(r => /result not stored/.test(r.reason)).length
  console.log(`# ${notStored} results could not be stored and were computed again`)
  const out = join(outDir.path, 'c.npy')
  await exportProject(researcher.store, manifest.id, 'npy', out)
  const shapes = [{ name: 'a', rows: a.rows, cols: a.cols }, { name: 'b', rows: b.rows, cols: b.cols }]
  assert.ok(getKernel('matmul').compare({}, shapes, cpuMatmul(a, b), (await readNpyMatrix(out)).data).ok, 'the export equals the CPU reference')
})
