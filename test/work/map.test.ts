import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { readDataset } from '../../src/compute/data/dataset.ts'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { exportProject } from '../../src/node/coordinator/index.ts'
import { buildProject } from '../../src/node/publish/project-builder.ts'
import { CustomCodeNotAcceptedError } from '../../src/node/volunteer/index.ts'
import { openDevice, startResearcher, startVolunteer, type TestResearcher, type TestVolunteer, stopAfterTests } from './helpers/mesh.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'

let device: ComputeDevice | undefined
let researcher: TestResearcher | undefined
const volunteers: TestVolunteer[] = []

stopAfterTests(() => ({ volunteers, researcher, device }))

const WGSL = `fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {
  var out: array<f32, OUT_COLS>;
  out[0] = row[0] * row[1] + row[2];
  out[1] = max(row[0], row[2]);
  return out;
}`

test('given a map project over a CSV and three volunteers who accepted its WGSL, the export equals the JS reference', async () => {
  device = await openDevice()
  researcher = await startResearcher()
  const rows = Array.from({ length: 53 }, (_, i) => [i / 7 - 3, (i % 5) - 2, i * 0.25])
  const csv = join(researcher.dir.path, 'rows.csv')
  await writeFile(csv, 'x,y,z\n' + rows.map(r => r.join(',')).join('\n') + '\n')
  const data = await readDataset(csv)
  const manifest = await buildProject({
    name: 'map over csv', kernel: 'map', params: { wgsl: WGSL, outCols: 2 }, inputs: [{ name: 'data', matrix: data }], rowsPerChunk: 8
  }, { privateKey: researcher.privateKey, blobs: researcher.blobs })
  await researcher.store.projects.put(manifest.id, manifest.signedBytes)
  assert.deepEqual(manifest.verification, { redundancy: 1, spotCheck: 0.1 }, 'custom WGSL has no CPU reference: spot-checked on the researcher\'s own device')
  await researcher.coordinator.addProject(manifest)

  const wary = await startVolunteer(researcher, device)
  volunteers.push(wary)
  await assert.rejects(wary.volunteer.join(manifest), CustomCodeNotAcceptedError)

  for (let i = 0; i < 3; i++) volunteers.push(await startVolunteer(researcher, device, { prefs: { acceptCustomWgsl: true } }))
  const summaries = await Promise.all(volunteers.slice(1).map(async v => await v.volunteer.join(manifest)))
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  for (const s of summaries) assert.equal(s.outcome, 'done')

  const out = join(researcher.dir.path, 'out.npy')
  await exportProject(researcher.store, manifest.id, 'npy', out)
  const result = await readNpyMatrix(out)
  assert.equal(result.rows, 53)
  assert.equal(result.cols, 2)
  rows.forEach(([x, y, z], i) => {
    const f = Math.fround
    assert.ok(Math.abs(result.data[i * 2] - f(f(f(x) * f(y)) + f(z))) <= 1e-5, `row ${i} col 0`)
    assert.equal(result.data[i * 2 + 1], Math.max(f(x), f(z)), `row ${i} col 1`)
  })
})
