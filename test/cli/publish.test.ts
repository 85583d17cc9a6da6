import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runMesh, spawnMesh } from '../helpers/run-mesh.ts'
import { JsonLines } from '../helpers/json-lines.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import { uniqueTag } from '../helpers/peers.ts'
import { writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'

const dir = await makeTempDir('mesh-cli-publish-')
const running: JsonLines[] = []
after(async () => {
  for (const proc of running) if (proc.child.exitCode == null) proc.child.kill('SIGKILL')
  await Promise.all(running.map(async proc => await proc.exited))
  await dir.remove()
})

function publish (args: string[], dataDir: string): JsonLines {
  const env = { MESH_MDNS_SERVICE_TAG: uniqueTag('cli-publish') }
  const proc = new JsonLines(spawnMesh(['publish', ...args, '--json', '--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', join(dir.path, dataDir)], env))
  running.push(proc)
  return proc
}

test('publish from .npy files prints started then published, and stops cleanly on SIGINT', async () => {
  await writeNpyMatrix(join(dir.path, 'A.npy'), generateMatrix(20, 6, 1))
  await writeNpyMatrix(join(dir.path, 'B.npy'), generateMatrix(6, 5, 2))
  const proc = publish(['--kernel', 'matmul', '--a', join(dir.path, 'A.npy'), '--b', join(dir.path, 'B.npy'), '--name', 'from files', '--rows-per-chunk', '7', '--redundancy', '2', '--spot-check', '0.5', '--until-done'], 'npy')
  const published = await proc.waitFor('published', line => line.event === 'published')
  const started = proc.lines[0]
  assert.equal(started.event, 'started', 'the first line is the started event')
  assert.match(started.peerId, /^12D3KooW/)
  assert.ok(started.addresses.length > 0)
  for (const address of started.addresses) assert.match(address, new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${started.peerId}$`))
  assert.equal(published.name, 'from files')
  assert.equal(published.owner, started.peerId)
  assert.equal(published.kernel, 'matmul')
  assert.equal(published.dims, '20x6 · 6x5')
  assert.deepEqual(published.chunks, { done: 0, total: 3 })
  assert.deepEqual(published.verification, { redundancy: 2, spotCheck: 0.5 })
  assert.match(published.id, /^[0-9a-f]{32}$/)

  const second = await runMesh(['projects', '--wait', '0', '--data-dir', join(dir.path, 'npy')])
  assert.equal(second.code, 2, 'a data dir in use is refused')
  assert.match(second.stderr.trim(), /^mesh: data dir .*npy is in use by another mesh process/)

  proc.child.kill('SIGINT')
  assert.equal(await proc.exited, 0)
  assert.equal(proc.lines.at(-1).event, 'stopped')
})

test('publish of a map project checks its WGSL and announces it with the source', async () => {
  await writeFile(join(dir.path, 'rows.csv'), 'x,y\n1,2\n3,4\n5,6\n')
  await writeFile(join(dir.path, 'sum.wgsl'), 'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {\n  var out: array<f32, OUT_COLS>;\n  out[0] = row[0] + row[1];\n  return out;\n}\n')
  const proc = publish(['--kernel', 'map', '--wgsl', join(dir.path, 'sum.wgsl'), '--data', join(dir.path, 'rows.csv'), '--out-cols', '1'], 'map')
  const published = await proc.waitFor('published', line => line.event === 'published')
  assert.equal(published.kernel, 'map')
  assert.equal(published.name, 'map rows.csv')
  assert.equal(published.dims, '3 rows -> 1 cols')
  assert.deepEqual(published.verification, { redundancy: 1, spotCheck: 0.1 }, 'custom WGSL is spot-checked on the researcher\'s own device')
  proc.child.kill('SIGTERM')
  assert.equal(await proc.exited, 0)
})
