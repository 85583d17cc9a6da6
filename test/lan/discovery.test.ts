import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Lan, namespacesUnavailable } from '../helpers/netns.ts'
import { JsonLines } from '../helpers/json-lines.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'

const unavailable = await namespacesUnavailable()
if (unavailable != null) console.log(`# LAN test skipped: ${unavailable}`)

let lan: Lan | undefined
const dir = await makeTempDir('mesh-lan-')
after(async () => {
  await lan?.cleanup()
  await dir.remove()
})

test('three hosts on one bridge, each running the mesh CLI, discover each other and the projects', { skip: unavailable }, async () => {
  lan = await Lan.create(3)
  const [h1, h2, h3] = lan.hosts
  const dataDir = (host: string): string[] => ['--data-dir', join(dir.path, host)]
  const started = Date.now()

  const first = new JsonLines(lan.spawnMesh(h1, ['publish', '--kernel', 'matmul', '--size', '64', '--name', 'lan-one', '--json', ...dataDir('h1')]))
  const second = new JsonLines(lan.spawnMesh(h2, ['publish', '--kernel', 'matmul', '--shape', '40x8x16', '--name', 'lan-two', '--json', ...dataDir('h2')]))
  const firstStarted = await first.waitFor('started', line => line.event === 'started')
  const secondStarted = await second.waitFor('started', line => line.event === 'started')
  assert.ok(firstStarted.addresses.some((a: string) => a === `/ip4/${h1.ip}/tcp/${a.split('/')[4]}/p2p/${firstStarted.peerId}`), `h1 listens on its LAN address: ${firstStarted.addresses}`)
  await first.waitFor('published', line => line.event === 'published')
  await second.waitFor('published', line => line.event === 'published')

  const listing = new JsonLines(lan.spawnMesh(h3, ['projects', '--wait', '6', '--json', ...dataDir('h3')]))
  assert.equal(await listing.exited, 0, listing.stderr)
  console.log(`# h3 listed after ${Date.now() - started} ms`)
  const thirdPeerId = /peer (\S+)/.exec(listing.stderr)?.[1]
  const byName = new Map(listing.lines.map(line => [line.name, line]))
  assert.equal(byName.get('lan-one')?.owner, firstStarted.peerId, `h3 lists h1's project: ${JSON.stringify(listing.lines)}`)
  assert.equal(byName.get('lan-two')?.owner, secondStarted.peerId, "h3 lists h2's project")
  assert.equal(byName.get('lan-one')?.kernel, 'matmul')
  assert.equal(byName.get('lan-two')?.dims, '40x8 · 8x16')

  // Each publisher saw the other two hosts join.
  for (const [proc, others] of [[first, [secondStarted.peerId, thirdPeerId]], [second, [firstStarted.peerId, thirdPeerId]]] as const) {
    for (const peer of others) await proc.waitFor(`peer:joined ${peer}`, line => line.event === 'peer:joined' && line.peer === peer)
  }

  for (const proc of [first, second]) {
    proc.child.kill('SIGINT')
    assert.equal(await proc.exited, 0, proc.stderr)
  }
})
