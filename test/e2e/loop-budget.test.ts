import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { SWIFTSHADER_ICD_PATHS } from '../../src/compute/device/loop-fallback.ts'
import { CliMesh, events } from './helpers/cli-peers.ts'

/**
 * Issue: Mesa's llvmpipe stops loops after 65,535 iterations an invocation
 * and returned wrong numbers that redundancy and spot checks agreed with.
 * Real `mesh` processes on this machine's software adapters: an item that
 * loops 100,000 times is never computed, verified or exported wrong.
 */

const ITERATIONS = 100_000
const ITEMS = 96
const loopingWgsl = `fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  var count = 0.0;
  for (var k = 0u; k < params.iterations; k++) { count += 1.0; }
  return array<f32, OUT_COLS>(count, f32(i));
}
`
const llvmpipeOnly = { MESH_SWIFTSHADER_ICD: 'none' }
const swiftShader = SWIFTSHADER_ICD_PATHS.find(path => existsSync(path))
const noSwiftShader = swiftShader == null ? `SwiftShader's Vulkan driver is not installed (${SWIFTSHADER_ICD_PATHS.join(', ')}; Debian's chromium package brings it)` : false

let mesh: CliMesh
before(async () => {
  mesh = await CliMesh.create('loop-budget')
  await writeFile(mesh.dataDir('count.wgsl'), loopingWgsl)
})
after(async () => { await mesh.cleanup() })

function publishArgs (name: string): string[] {
  return ['publish', '--kernel', 'wgsl', '--wgsl', mesh.dataDir('count.wgsl'), '--items', String(ITEMS), '--out-cols', '2',
    '--param', `iterations:u32=${ITERATIONS}`, '--items-per-chunk', '32', '--name', name, '--json']
}

async function waitFor (predicate: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

test('given only llvmpipe devices, a project whose items loop 100,000 times is refused with the reason and never verified', async () => {
  const researcher = mesh.start('capped-researcher', publishArgs('capped'), undefined, llvmpipeOnly)
  await waitFor(() => events(researcher, 'published').length > 0, 60_000, 'the project to be published')
  const published = events(researcher, 'published')[0]
  assert.ok(published.notes.some((note: string) => /stops loops after 65,535 iterations/.test(note)), `the publish notes say the trial overran: ${published.notes}`)

  const volunteer = mesh.start('capped-volunteer', ['volunteer', '--project', published.id, '--accept-wgsl', '--until-done', '--json'], undefined, llvmpipeOnly)
  assert.equal(await volunteer.exited, 1, 'a volunteer whose device cannot run the project exits 1')
  const left = events(volunteer, 'left')[0]
  assert.equal(left.outcome, 'unsupported')
  assert.match(left.reason, /stops loops after 65,535 iterations; the project needs more/)
  assert.equal(events(volunteer, 'chunk-computed').length, 0, 'no chunk was handed in')

  const status = await mesh.run('capped-researcher', ['status', '--json'])
  const project = status.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l)).find(p => p.projectId === published.id)
  assert.ok(project != null, status.stdout)
  const waiting: string[] = project.waiting
  assert.ok(waiting.some(reason => /cannot run it: this device stops loops after 65,535 iterations/.test(reason)), `status says why chunks wait: ${JSON.stringify(waiting)}`)
  assert.equal(events(researcher, 'chunk-verified').length, 0)
  const exported = await mesh.run('capped-researcher', ['export', published.id, '--format', 'json', '--out', mesh.dataDir('capped.json')])
  assert.equal(exported.code, 1, 'a project with no verified chunk cannot be exported')
  researcher.child.kill('SIGINT')
  await researcher.exited
})

test('given SwiftShader installed, the same project completes on it and every value is right', { skip: noSwiftShader }, async () => {
  const researcher = mesh.start('researcher', [...publishArgs('uncapped'), '--until-done'])
  const volunteer = mesh.start('volunteer', ['volunteer', '--auto', '--accept-wgsl', '--until-done', '--json'])
  assert.equal(await researcher.exited, 0, researcher.stderr)
  assert.equal(await volunteer.exited, 0, volunteer.stderr)
  const id = events(researcher, 'published')[0].id
  const out = mesh.dataDir('uncapped.json')
  const exported = await mesh.run('researcher', ['export', id, '--format', 'json', '--out', out])
  assert.equal(exported.code, 0, exported.stderr)
  const rows: number[][] = JSON.parse(await readFile(out, 'utf8'))
  assert.equal(rows.length, ITEMS)
  rows.forEach((row, i) => { assert.deepEqual(row, [ITERATIONS, i], `item ${i}`) })
})
