import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { parseParamText } from '../../src/compute/kernels/wgsl/spec-text.ts'
import { exportProject } from '../../src/node/coordinator/index.ts'
import { buildProject } from '../../src/node/publish/project-builder.ts'
import { loadProject } from '../../src/node/publish/publish-request.ts'
import { listEarnedReceipts } from '../../src/node/volunteer/index.ts'
import { instrumentedDevice, openDevice, startResearcher, startVolunteer, type TestResearcher, type TestVolunteer, stopAfterTests } from './helpers/mesh.ts'
import type { SpotCheckDeviceKind } from '../../src/node/coordinator/verify-chunk.ts'

let device: ComputeDevice | undefined
let researcher: TestResearcher | undefined
const volunteers: TestVolunteer[] = []

stopAfterTests(() => ({ volunteers, researcher, device }))

/** Two outputs per item from its index and the project's params; no loops, so no device cuts them. */
const WGSL = `fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  var result: array<f32, OUT_COLS>;
  let x = f32(i);
  result[0] = x * params.scale + params.offset;
  result[1] = f32(i % params.period) * params.scale - x;
  return result;
}`

const ITEMS = 640
const ITEMS_PER_CHUNK = 64
const CHUNKS = ITEMS / ITEMS_PER_CHUNK
const SCALE = 0.375
const OFFSET = -2.5
const PERIOD = 7

/** The kernel's formula in fp32 arithmetic, written independently of the WGSL. */
function cpuItem (i: number): [number, number] {
  const f = Math.fround
  const x = f(i)
  return [f(f(x * f(SCALE)) + f(OFFSET)), f(f(f(i % PERIOD) * f(SCALE)) - x)]
}

function close (actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected))
}

test('given a custom WGSL project spot-checked on the researcher\'s device, a volunteer returning wrong numbers is banned and its chunks are redone by an honest one', async () => {
  device = await openDevice()
  const spotKinds: SpotCheckDeviceKind[] = []
  const spotChecked: number[] = []
  researcher = await startResearcher({
    coordinator: {
      openSpotCheckDevice: async (kind) => {
        spotKinds.push(kind)
        const own = await openComputeDevice(kind === 'cpu' ? { prefer: 'cpu' } : {})
        return {
          ...own,
          info: own.info,
          run: async (work, options) => { spotChecked.push(work.range.index); return await own.run(work, options) },
          validateKernel: own.validateKernel.bind(own),
          destroy: own.destroy.bind(own)
        }
      }
    }
  })

  // What `mesh publish --kernel wgsl --wgsl FILE --items 640 --out-cols 2 --param ... --items-per-chunk 64 --redundancy 1 --spot-check 1` does.
  const wgslPath = join(researcher.dir.path, 'kernel.wgsl')
  await writeFile(wgslPath, WGSL)
  const { spec, notes } = await loadProject({
    kernel: 'wgsl',
    name: 'index-only wgsl',
    wgslPath,
    items: ITEMS,
    outCols: 2,
    params: [parseParamText(`scale=${SCALE}`), parseParamText(`offset=${OFFSET}`), parseParamText(`period:u32=${PERIOD}`)],
    rowsPerChunk: ITEMS_PER_CHUNK,
    redundancy: 1,
    spotCheck: 1
  })
  console.log(notes.join('\n'))
  const manifest = await buildProject(spec, { privateKey: researcher.privateKey, blobs: researcher.blobs })
  await researcher.store.projects.put(manifest.id, manifest.signedBytes)
  assert.equal(manifest.kernel, 'wgsl')
  assert.equal(manifest.chunkCount, CHUNKS)
  assert.deepEqual(manifest.verification, { redundancy: 1, spotCheck: 1 })
  await researcher.coordinator.addProject(manifest)

  const banned: Array<{ volunteer: string, reason: string }> = []
  researcher.coordinator.events.addEventListener('volunteer:banned', (evt: any) => { banned.push(evt.detail) })

  // The liar joins first and computes at full speed; the honest one is slowed a little, so the liar surely gets chunks.
  const liarDevice = instrumentedDevice(device, { corrupt: true })
  const honestDevice = instrumentedDevice(device, { delayMs: 20 })
  const liar = await startVolunteer(researcher, liarDevice)
  const honest = await startVolunteer(researcher, honestDevice)
  volunteers.push(liar, honest)
  const liarId = liar.node.peerId.toString()
  const honestId = honest.node.peerId.toString()

  const liarRun = liar.volunteer.join(manifest, { acceptCustomWgsl: true })
  const honestRun = honest.volunteer.join(manifest, { acceptCustomWgsl: true })
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')

  const liarSummary = await liarRun
  const honestSummary = await honestRun
  console.log(`liar computed chunks ${liarDevice.computed.join(', ')}; banned: ${banned.map(b => b.reason).join('; ')}`)
  assert.equal(liarSummary.outcome, 'refused')
  assert.equal(liarSummary.receipts, 0)
  assert.deepEqual(await listEarnedReceipts(liar.store), [])
  assert.equal(honestSummary.outcome, 'done')
  assert.ok(liarDevice.computed.length >= 1, 'the liar computed at least one chunk before it was caught')

  // Caught by the researcher's spot check on its own WebGPU device, not by redundancy.
  assert.deepEqual(banned.map(b => b.volunteer), [liarId])
  assert.match(banned[0].reason, /spot check/)
  assert.deepEqual(spotKinds, ['gpu'], 'one WebGPU device opened for the spot checks')
  for (let i = 0; i < CHUNKS; i++) assert.ok(spotChecked.includes(i), `chunk ${i} spot-checked`)

  const snapshot = researcher.coordinator.snapshot(manifest.id)!
  assert.equal(snapshot.status, 'done')
  assert.equal(snapshot.volunteers.find(v => v.peer === liarId)?.status, 'banned')
  assert.notEqual(snapshot.volunteers.find(v => v.peer === honestId)?.status, 'banned')
  assert.ok(snapshot.mismatches >= 1)
  assert.ok(snapshot.spotChecks >= CHUNKS + 1, `every chunk checked plus the failed check (got ${snapshot.spotChecks})`)
  const bannedEntries = snapshot.timeline.filter(e => e.kind === 'banned')
  assert.equal(bannedEntries.length, 1)
  assert.match(bannedEntries[0].text, /spot check/)
  assert.ok(bannedEntries[0].text.includes(liarId.slice(-8)), bannedEntries[0].text)

  // Every chunk, those the liar computed included, was redone and credited to the honest volunteer alone.
  for (const chunk of snapshot.chunks) {
    assert.equal(chunk.state, 'verified', `chunk ${chunk.index}`)
    assert.equal(chunk.volunteer, honestId, `chunk ${chunk.index} accepted from the honest volunteer`)
    assert.deepEqual(chunk.agreed ?? [chunk.volunteer], [honestId], `chunk ${chunk.index}`)
  }
  for (const index of liarDevice.computed) assert.ok(honestDevice.computed.includes(index), `chunk ${index} redone by the honest volunteer`)
  assert.equal(snapshot.receipts.length, CHUNKS)
  assert.ok(snapshot.receipts.every(r => r.volunteer === honestId), 'no receipt for the liar')
  assert.deepEqual(snapshot.receipts.map(r => r.chunk).sort((a, b) => a - b), Array.from({ length: CHUNKS }, (_, i) => i))

  const out = join(researcher.dir.path, 'out.npy')
  await exportProject(researcher.store, manifest.id, 'npy', out)
  const result = await readNpyMatrix(out)
  assert.equal(result.rows, ITEMS)
  assert.equal(result.cols, 2)
  for (let i = 0; i < ITEMS; i++) {
    const [a, b] = cpuItem(i)
    assert.ok(close(result.data[i * 2], a), `item ${i} col 0: ${result.data[i * 2]} != ${a}`)
    assert.ok(close(result.data[i * 2 + 1], b), `item ${i} col 1: ${result.data[i * 2 + 1]} != ${b}`)
  }
})
