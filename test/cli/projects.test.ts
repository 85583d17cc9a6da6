import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { runMesh, spawnMesh } from '../helpers/run-mesh.ts'
import { JsonLines } from '../helpers/json-lines.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import { uniqueTag } from '../helpers/peers.ts'

const dir = await makeTempDir('mesh-cli-projects-')
const env = { MESH_MDNS_SERVICE_TAG: uniqueTag('cli-projects') }
const loopback = ['--listen', '/ip4/127.0.0.1/tcp/0']
let publisher: JsonLines | undefined
after(async () => {
  if (publisher != null && publisher.child.exitCode == null) publisher.child.kill('SIGKILL')
  await publisher?.exited
  await dir.remove()
})

test('mesh projects lists a project published by another peer, as JSON lines and as a table', async () => {
  publisher = new JsonLines(spawnMesh(['publish', '--kernel', 'matmul', '--size', '256', '--name', 'demo', '--json', ...loopback, '--data-dir', join(dir.path, 'a')], env))
  const started = await publisher.waitFor('started', line => line.event === 'started')
  const published = await publisher.waitFor('published', line => line.event === 'published')

  const listed = await runMesh(['projects', '--wait', '3', '--json', ...loopback, '--data-dir', join(dir.path, 'b')], { env })
  assert.equal(listed.code, 0, listed.stderr)
  const lines = listed.stdout.trim().split('\n').map(line => JSON.parse(line))
  const demo = lines.find(line => line.id === published.id)
  assert.ok(demo != null, `demo is listed: ${listed.stdout}`)
  assert.equal(demo.name, 'demo')
  assert.equal(demo.owner, started.peerId)
  assert.equal(demo.kernel, 'matmul')
  assert.deepEqual(demo.chunks, { done: 0, total: published.chunks.total })
  assert.equal(demo.volunteers, 0)
  assert.equal(demo.status, 'running')
  assert.equal(demo.own, false)

  const table = await runMesh(['projects', '--wait', '3', ...loopback, '--data-dir', join(dir.path, 'c')], { env })
  assert.equal(table.code, 0, table.stderr)
  const [header, ...rows] = table.stdout.trim().split('\n')
  assert.match(header, /ID\s+NAME\s+OWNER\s+KERNEL\s+DIMS\s+CHUNKS\s+VOLUNTEERS\s+STATUS/)
  assert.ok(rows.some(row => /demo\s.*matmul\s+256x256 · 256x256\s+0\/32\s+0\s+running/.test(row)), table.stdout)
  assert.doesNotMatch(table.stdout, /\u001b\[/, 'no colour codes')

  publisher.child.kill('SIGINT')
  assert.equal(await publisher.exited, 0)
})
