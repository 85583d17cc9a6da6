import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { CliMesh, compareWithReference, events, jsonLines } from './helpers/cli-peers.ts'

/**
 * The headless contract end to end, with real `mesh` processes: a
 * researcher publishes until done while three volunteers contribute, the
 * result is exported, and status/export/leaderboard/history answer from a
 * stopped peer's store and from a running peer's control socket alike.
 */

let mesh: CliMesh
before(async () => { mesh = await CliMesh.create('cli-work') })
after(async () => { await mesh.cleanup() })

// Awkward shapes: 23 chunks of 7 rows, the last of 3.
const a = generateMatrix(157, 93, 21)
const b = generateMatrix(93, 61, 22)
let projectId = ''

test('given `mesh publish --until-done` and three `mesh volunteer --auto`, the project completes and `mesh export` equals the CPU reference', async () => {
  await writeNpyMatrix(mesh.dataDir('A.npy'), a)
  await writeNpyMatrix(mesh.dataDir('B.npy'), b)
  const started = Date.now()
  const researcher = mesh.start('researcher', ['publish', '--kernel', 'matmul', '--a', mesh.dataDir('A.npy'), '--b', mesh.dataDir('B.npy'), '--rows-per-chunk', '7', '--until-done', '--json'])
  const volunteers = [1, 2, 3].map(i => mesh.start(`volunteer-${i}`, ['volunteer', '--auto', '--until-done', '--json']))

  assert.equal(await researcher.exited, 0, researcher.stderr)
  const codes = await Promise.all(volunteers.map(async v => await v.exited))
  console.log(`researcher and 3 volunteers finished in ${Date.now() - started} ms`)
  assert.deepEqual(codes, [0, 0, 0], volunteers.map(v => v.stderr).join('\n'))

  // The researcher's lines: started first, one chunk-verified per chunk, done, stopped.
  assert.equal(researcher.lines[0].event, 'started')
  const published = events(researcher, 'published')[0]
  projectId = published.id
  assert.equal(published.chunks.total, 23)
  const verified = events(researcher, 'chunk-verified')
  assert.deepEqual(verified.map(v => v.chunk).sort((x, y) => x - y), Array.from({ length: 23 }, (_, i) => i))
  for (const v of verified) assert.equal(v.projectId, projectId)
  const done = events(researcher, 'done')
  assert.equal(done.length, 1)
  assert.equal(done[0].projectId, projectId)
  assert.equal(done[0].chunks, 23)
  assert.ok(researcher.lines.indexOf(done[0]) > researcher.lines.indexOf(verified.at(-1)), 'done comes after every chunk-verified')
  assert.equal(researcher.lines.at(-1).event, 'stopped')

  // Each volunteer: started first, joined this project, chunk-computed per chunk, left done.
  const computed = volunteers.flatMap(v => events(v, 'chunk-computed'))
  for (const v of volunteers) {
    assert.equal(v.lines[0].event, 'started')
    assert.equal(events(v, 'joined')[0]?.projectId, projectId)
    assert.equal(events(v, 'left')[0]?.outcome, 'done')
  }
  assert.ok(computed.length >= 23)
  for (const v of verified) {
    const by = volunteers.find(p => p.lines[0].peerId === v.volunteer)
    assert.ok(by != null && events(by, 'chunk-computed').some(c => c.chunk === v.chunk), `chunk ${v.chunk} verified from a volunteer that did not compute it`)
  }
  console.log(`${computed.length} chunk computations for 23 chunks; per volunteer ${volunteers.map(v => events(v, 'chunk-computed').length).join(', ')}; figures: ${JSON.stringify(done[0])}`)

  // Export from the stopped researcher's store.
  const exported = await mesh.run('researcher', ['export', projectId, '--format', 'npy', '--out', mesh.dataDir('C.npy')])
  assert.equal(exported.code, 0, exported.stderr)
  const compared = compareWithReference(a, b, await readNpyMatrix(mesh.dataDir('C.npy')))
  assert.ok(compared.ok, JSON.stringify(compared))
  console.log(`export vs CPU reference: max rel error ${compared.maxRelError.toExponential(2)}`)

  // Status of the stopped peer comes from its store.
  const status = await mesh.run('researcher', ['status', '--json'])
  assert.equal(status.code, 0, status.stderr)
  const [line] = jsonLines(status.stdout)
  assert.deepEqual({ id: line.projectId, status: line.status, chunks: line.chunks, live: line.live }, { id: projectId, status: 'done', chunks: { done: 23, total: 23 }, live: false })
  assert.equal(line.contributors, new Set(verified.map(v => v.volunteer)).size)

  // A volunteer's leaderboard counts the receipts it earned.
  const board = jsonLines((await mesh.run('volunteer-1', ['leaderboard', '--json'])).stdout)
  const mine = verified.filter(v => v.volunteer === volunteers[0].lines[0].peerId)
  if (mine.length > 0) assert.equal(board.find(e => e.peer === volunteers[0].lines[0].peerId)?.flops, mine.reduce((sum, v) => sum + v.flops, 0))
})

test('given a peer running on the data dir, status, export, leaderboard and history go through its control socket; a running project does not export', async () => {
  assert.ok(projectId !== '', 'needs the finished project of the first test')
  // The same researcher publishes a second project nobody computes: it stays running.
  const researcher = mesh.start('researcher', ['publish', '--kernel', 'matmul', '--shape', '20x8x4', '--json'])
  const second = (await researcher.waitFor('published', line => line.event === 'published')).id

  const status = await mesh.run('researcher', ['status', '--json'])
  assert.equal(status.code, 0, status.stderr)
  const lines = jsonLines(status.stdout)
  assert.deepEqual(lines.map(l => [l.projectId, l.status, l.live]).sort(), [[projectId, 'done', true], [second, 'running', true]].sort())

  const out = mesh.dataDir('C-live.npy')
  const exported = await mesh.run('researcher', ['export', projectId, '--format', 'npy', '--out', out])
  assert.equal(exported.code, 0, exported.stderr)
  assert.deepEqual(await readFile(out), await readFile(mesh.dataDir('C.npy')), 'the running peer exports the same bytes as the store')

  const notDone = await mesh.run('researcher', ['export', second, '--format', 'csv', '--out', mesh.dataDir('early.csv')])
  assert.equal(notDone.code, 1)
  assert.match(notDone.stderr.trim(), /^mesh: project [0-9a-f]+ is not done yet \(0\/\d+ chunks verified\)$/)
  const unknown = await mesh.run('researcher', ['export', 'f'.repeat(32), '--format', 'npy', '--out', mesh.dataDir('x.npy')])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr.trim(), /^mesh: project f+ is not one of this peer's projects$/)

  const board = jsonLines((await mesh.run('researcher', ['leaderboard', '--json'])).stdout)
  assert.equal(board.reduce((sum, e) => sum + e.flops, 0), 2 * 157 * 93 * 61, 'the receipts issued add up to the whole product')
  assert.deepEqual(board.map(e => e.rank), board.map((_, i) => i + 1))
  const history = jsonLines((await mesh.run('researcher', ['history', '--json'])).stdout)
  assert.deepEqual(history.map(h => [h.projectId, h.status, h.chunks]), [[projectId, 'done', 23]])

  // A volunteer asked for this project and at most 3 chunks computes exactly those, and they count.
  const volunteer = await mesh.run('partial-volunteer', ['volunteer', '--project', second, '--max-chunks', '3', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(volunteer.code, 0, volunteer.stderr)
  const volunteerLines = jsonLines(volunteer.stdout)
  assert.equal(volunteerLines.filter(l => l.event === 'chunk-computed').length, 3)
  assert.deepEqual(volunteerLines.filter(l => l.event === 'left').map(l => [l.projectId, l.outcome, l.receipts]), [[second, 'max-chunks', 3]])
  const partial = jsonLines((await mesh.run('researcher', ['status', '--json'])).stdout).find(l => l.projectId === second)
  assert.deepEqual(partial.chunks, { done: 3, total: 20 })

  researcher.child.kill('SIGINT')
  assert.equal(await researcher.exited, 0)
  // Stopped again: the store answers, the unfinished project still does not export.
  const stoppedExport = await mesh.run('researcher', ['export', second, '--format', 'json', '--out', mesh.dataDir('early.json')])
  assert.equal(stoppedExport.code, 1)
  const human = await mesh.run('researcher', ['status'])
  assert.equal(human.code, 0)
  assert.match(human.stdout, /not running: figures from its store/)
  assert.match(human.stdout, /23\/23/)
})

test('given a map project over a CSV, volunteers run with --accept-wgsl compute it and the CSV export equals the JS reference', async () => {
  const rows = Array.from({ length: 61 }, (_, i) => [i / 4 - 7, (i % 9) - 4, i * 0.125])
  await writeFile(mesh.dataDir('rows.csv'), 'x,y,z\n' + rows.map(r => r.join(',')).join('\n') + '\n')
  await writeFile(mesh.dataDir('f.wgsl'), `fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {
  var out: array<f32, OUT_COLS>;
  out[0] = row[0] * row[1] + row[2];
  out[1] = max(row[0], row[2]);
  return out;
}
`)
  const researcher = mesh.start('map-researcher', ['publish', '--kernel', 'map', '--wgsl', mesh.dataDir('f.wgsl'), '--data', mesh.dataDir('rows.csv'), '--out-cols', '2', '--rows-per-chunk', '5', '--until-done', '--json'])
  const volunteers = [1, 2, 3].map(i => mesh.start(`map-volunteer-${i}`, ['volunteer', '--auto', '--accept-wgsl', '--until-done', '--json']))
  assert.equal(await researcher.exited, 0, researcher.stderr)
  assert.deepEqual(await Promise.all(volunteers.map(async v => await v.exited)), [0, 0, 0])
  const published = events(researcher, 'published')[0]
  assert.deepEqual(published.verification, { redundancy: 1, spotCheck: 0.1 })
  assert.equal(events(researcher, 'chunk-verified').length, 13)
  // Redundancy 1 with spot checks on the researcher's device: every chunk was computed at least once.
  assert.ok(volunteers.flatMap(v => events(v, 'chunk-computed')).length >= 13)

  const exported = await mesh.run('map-researcher', ['export', published.id, '--format', 'csv', '--out', mesh.dataDir('out.csv')])
  assert.equal(exported.code, 0, exported.stderr)
  const lines = (await readFile(mesh.dataDir('out.csv'), 'utf8')).trim().split('\n')
  assert.equal(lines.length, 62, 'a header and one line per row')
  const f = Math.fround
  lines.slice(1).forEach((line, i) => {
    const [first, second] = line.split(',').map(Number)
    const [x, y, z] = rows[i]
    assert.ok(Math.abs(first - f(f(f(x) * f(y)) + f(z))) <= 1e-5, `row ${i}: ${line}`)
    assert.equal(f(second), Math.max(f(x), f(z)), `row ${i}: ${line}`)
  })
})
