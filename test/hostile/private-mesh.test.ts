import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { JsonLines } from '../helpers/json-lines.ts'
import { runMesh, spawnMesh } from '../helpers/run-mesh.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'

/**
 * A private mesh through the real CLI: a researcher started with
 * `--swarm-key` is reachable by a peer with the same key and by nobody else,
 * even one that knows its address. No multicast: peers are given the address.
 */

const dir = await makeTempDir('mesh-private-')
let researcher: JsonLines | undefined
after(async () => {
  researcher?.child.kill('SIGKILL')
  await researcher?.exited
  await dir.remove()
})

async function swarmKey (name: string): Promise<string> {
  const { code, stdout } = await runMesh(['swarm-key'])
  assert.equal(code, 0)
  const path = join(dir.path, name)
  await writeFile(path, stdout)
  return path
}

test('given a researcher on a private mesh, only peers with its swarm key see its project; others cannot even connect', async () => {
  const [labKey, otherKey] = [await swarmKey('lab.key'), await swarmKey('other.key')]
  const local = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']
  researcher = new JsonLines(spawnMesh(['publish', '--kernel', 'matmul', '--size', '16', '--name', 'private', '--json', '--swarm-key', labKey, '--data-dir', join(dir.path, 'researcher'), ...local]))
  const started = await researcher.waitFor('started', line => line.event === 'started', 60_000)
  await researcher.waitFor('published', line => line.event === 'published', 60_000)
  const address = started.addresses[0]

  const list = async (name: string, key?: string): Promise<any[]> => {
    const { code, stdout, stderr } = await runMesh(['projects', '--wait', '4', '--json', '--bootstrap', address, '--data-dir', join(dir.path, name), ...local, ...(key != null ? ['--swarm-key', key] : [])], { timeoutMs: 60_000 })
    assert.equal(code, 0, stderr)
    return stdout.split('\n').filter(line => line.trim() !== '').map(line => JSON.parse(line))
  }
  const [insider, otherMesh, noKey] = await Promise.all([list('insider', labKey), list('other-mesh', otherKey), list('no-key')])
  assert.deepEqual(insider.map(p => p.name), ['private'], 'a peer with the lab key lists the project')
  assert.deepEqual(otherMesh, [], 'a peer with another key lists nothing')
  assert.deepEqual(noKey, [], 'a peer without a key lists nothing')
  const joined = researcher.lines.filter(line => line.event === 'peer:joined')
  assert.equal(joined.length, 1, `only the insider ever connected: ${JSON.stringify(joined)}`)
})
