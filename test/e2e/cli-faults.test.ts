import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { CliMesh, compareWithReference, events, jsonLines, killNow } from './helpers/cli-peers.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'

/**
 * Faults with real `mesh` processes: a volunteer killed while it holds
 * leases, and a researcher killed mid-project and resumed by `mesh serve`.
 * Each test has its own mesh (mDNS tag) and data dirs.
 */

const meshes: CliMesh[] = []
after(async () => { await Promise.all(meshes.map(async m => { await m.cleanup() })) })

async function matmulFiles (mesh: CliMesh, m: number, k: number, n: number, seed: number): Promise<{ a: Matrix, b: Matrix, args: string[] }> {
  const a = generateMatrix(m, k, seed)
  const b = generateMatrix(k, n, seed + 1)
  await writeNpyMatrix(mesh.dataDir('A.npy'), a)
  await writeNpyMatrix(mesh.dataDir('B.npy'), b)
  return { a, b, args: ['--kernel', 'matmul', '--a', mesh.dataDir('A.npy'), '--b', mesh.dataDir('B.npy')] }
}

async function exportAndCompare (mesh: CliMesh, dataDir: string, projectId: string, a: Matrix, b: Matrix): Promise<void> {
  const out = mesh.dataDir(`${projectId}.npy`)
  const exported = await mesh.run(dataDir, ['export', projectId, '--format', 'npy', '--out', out])
  assert.equal(exported.code, 0, exported.stderr)
  const compared = compareWithReference(a, b, await readNpyMatrix(out))
  assert.ok(compared.ok, JSON.stringify(compared))
}

let mesh: CliMesh
before(async () => {
  mesh = await CliMesh.create('cli-faults')
  meshes.push(mesh)
})

test('given a volunteer process killed while it holds leases, its chunks are requeued at once and the project completes', async () => {
  const { a, b, args } = await matmulFiles(mesh, 1280, 256, 256, 31)
  const researcher = mesh.start('researcher', ['publish', ...args, '--rows-per-chunk', '8', '--until-done', '--json'])
  // The victim works alone first, so the project cannot finish before it is killed.
  const victim = mesh.start('victim', ['volunteer', '--auto', '--until-done', '--json'])
  await victim.waitFor('two chunks computed by the victim', () => events(victim, 'chunk-computed').length >= 2, 60_000)
  // Right after a chunk, the victim holds the lease it prefetched and computes it.
  const victimId = victim.lines[0].peerId
  const killedAt = await killNow(victim)
  const others = [1, 2].map(i => mesh.start(`volunteer-${i}`, ['volunteer', '--auto', '--until-done', '--json']))
  const verifiedAtKill = events(researcher, 'chunk-verified').length

  assert.equal(await researcher.exited, 0, researcher.stderr)
  assert.deepEqual(await Promise.all(others.map(async v => await v.exited)), [0, 0])
  const lost = events(researcher, 'volunteer-lost').find(e => e.volunteer === victimId)
  assert.ok(lost != null, `no volunteer-lost event for the victim (${verifiedAtKill}/160 chunks verified at the kill)`)
  assert.ok(lost.chunks.length > 0, 'the victim held leases when it was killed')
  console.log(`requeue delay after SIGKILL: ${lost.at - killedAt} ms (chunks ${lost.chunks.join(', ')}; silent for ${lost.silentMs} ms before; ${verifiedAtKill}/160 verified at the kill)`)

  const requeued = events(researcher, 'chunk-requeued').filter(e => e.volunteer === victimId).map(e => e.chunk)
  assert.deepEqual([...requeued].sort(), [...lost.chunks].sort())
  const verified = events(researcher, 'chunk-verified')
  assert.equal(verified.length, 160)
  // A result the victim sent just before it died may still be accepted (a late valid result); the others compute the rest.
  const fromVictim = lost.chunks.filter((chunk: number) => verified.find(v => v.chunk === chunk)?.volunteer === victimId)
  console.log(`requeued chunks verified from the victim's last results: ${fromVictim.length}/${lost.chunks.length}`)
  await exportAndCompare(mesh, 'researcher', events(researcher, 'published')[0].id, a, b)
})

test('given the researcher killed after some chunks and restarted with `mesh serve --until-done`, the project completes without computing a verified chunk again', async () => {
  const faults = await CliMesh.create('cli-restart')
  meshes.push(faults)
  const { a, b, args } = await matmulFiles(faults, 768, 256, 256, 41)
  const first = faults.start('researcher', ['publish', ...args, '--rows-per-chunk', '8', '--until-done', '--json'])
  const started = await first.waitFor('started', line => line.event === 'started')
  const port = /\/tcp\/(\d+)\//.exec(started.addresses[0])![1]
  const volunteers = [1, 2, 3].map(i => faults.start(`volunteer-${i}`, ['volunteer', '--auto', '--until-done', '--json']))

  await first.waitFor('six chunks verified', () => events(first, 'chunk-verified').length >= 6, 60_000)
  const killedAt = await killNow(first)
  const projectId = events(first, 'published')[0].id
  const verifiedBefore = new Set(events(first, 'chunk-verified').map(v => v.chunk))
  assert.ok(verifiedBefore.size < 96, 'killed before the end')

  // While it is down, its store answers: verified chunks kept, nothing to export yet.
  const status = jsonLines((await faults.run('researcher', ['status', '--json'])).stdout)
  assert.equal(status[0].live, false)
  assert.equal(status[0].status, 'running')
  assert.ok(status[0].chunks.done >= verifiedBefore.size, `${status[0].chunks.done} stored, ${verifiedBefore.size} reported verified`)
  assert.equal((await faults.run('researcher', ['export', projectId, '--format', 'npy', '--out', faults.dataDir('early.npy')])).code, 1)

  const second = faults.start('researcher', ['serve', '--until-done', '--json'], `/ip4/127.0.0.1/tcp/${port}`)
  const serving = await second.waitFor('serving', line => line.event === 'serving')
  assert.deepEqual(serving.projects.map((p: any) => p.projectId), [projectId])
  assert.equal(await second.exited, 0, second.stderr)
  assert.deepEqual(await Promise.all(volunteers.map(async v => await v.exited)), [0, 0, 0], volunteers.map(v => v.stderr).join('\n'))
  assert.equal(events(second, 'done')[0]?.projectId, projectId)

  const computed = volunteers.flatMap(v => events(v, 'chunk-computed'))
  const again = computed.filter(c => c.at > killedAt && verifiedBefore.has(c.chunk)).map(c => c.chunk)
  assert.deepEqual(again, [], 'chunks verified before the kill were computed again')
  const verifiedAfter = new Set(events(second, 'chunk-verified').map(v => v.chunk))
  for (const chunk of verifiedBefore) assert.ok(!verifiedAfter.has(chunk), `chunk ${chunk} verified twice`)
  console.log(`killed with ${verifiedBefore.size}/96 chunks reported verified; ${computed.length} chunk computations in all (${computed.length - 96} beyond one per chunk, from leases lost with the researcher)`)
  await exportAndCompare(faults, 'researcher', projectId, a, b)
})
