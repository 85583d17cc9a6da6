import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { readDataset } from '../../src/compute/data/dataset.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { CustomCodeNotAcceptedError } from '../../src/node/volunteer/index.ts'
import { loopbackOptions, startPeer, stopPeers, uniqueTag, waitFor, type TestPeer } from '../helpers/peers.ts'
import type { MeshEvents } from '../../src/node/types.ts'

/**
 * One researcher and three volunteer MeshNodes in this process, on loopback
 * with their own mDNS tag: real libp2p, LevelDB, coordinator, volunteer
 * loops and compute devices (each volunteer opens its own).
 */

const tag = uniqueTag('integration-work')
let researcher: TestPeer
const volunteers: TestPeer[] = []

before(async () => {
  researcher = await startPeer(loopbackOptions(tag, { name: 'researcher' }))
  for (let i = 1; i <= 3; i++) volunteers.push(await startPeer(loopbackOptions(tag, { name: `volunteer-${i}` })))
})

after(async () => {
  await stopPeers([researcher, ...volunteers])
})

function collect<K extends keyof MeshEvents> (peer: TestPeer, type: K): Array<MeshEvents[K]> {
  const seen: Array<MeshEvents[K]> = []
  peer.node.addEventListener(type, (event: CustomEvent<MeshEvents[K]>) => { seen.push(event.detail) })
  return seen
}

async function joinWhenAnnounced (peer: TestPeer, projectId: string, options: { acceptCustomWgsl?: boolean } = {}): Promise<Promise<{ outcome: string, chunksComputed: number }>> {
  await waitFor(`${peer.node.name} to hear of ${projectId}`, () => peer.node.project(projectId))
  const run = await peer.node.join(projectId, options)
  return run.finished
}

test('given a matmul of awkward shapes on three volunteers, the export equals the CPU reference and the figures match what the run did', async () => {
  const a = generateMatrix(157, 93, 3)
  const b = generateMatrix(93, 61, 4)
  const verified = collect(researcher, 'chunk:verified')
  const computed = volunteers.map(v => collect(v, 'work:chunk-computed'))
  const startedAt = Date.now()
  const project = await researcher.node.publish({ name: 'awkward matmul', kernel: 'matmul', inputs: [{ name: 'a', matrix: a }, { name: 'b', matrix: b }], rowsPerChunk: 7, verification: { spotCheck: 0.2 } })
  assert.equal(project.chunks.total, 23)

  const runs = await Promise.all(volunteers.map(async v => await joinWhenAnnounced(v, project.id)))
  assert.equal(await researcher.node.waitUntilFinished(project.id), 'done')
  const wallMeasured = Date.now() - startedAt
  const summaries = await Promise.all(runs)
  for (const summary of summaries) assert.equal(summary.outcome, 'done')
  console.log(`23 chunks in ${wallMeasured} ms; per volunteer: ${summaries.map(s => s.chunksComputed).join(', ')}`)

  // The export equals the CPU reference within the kernel's tolerance.
  const out = join(researcher.dir.path, 'C.npy')
  const exported = await researcher.node.exportProject(project.id, 'npy', out)
  assert.deepEqual({ rows: exported.rows, cols: exported.cols }, { rows: 157, cols: 61 })
  const c = await readNpyMatrix(out)
  const kernel = getKernel('matmul')
  const shapes = [{ name: 'a', rows: 157, cols: 93 }, { name: 'b', rows: 93, cols: 61 }]
  const reference = kernel.cpuReference({ kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: 157 }, rows: a.data, rowCols: 93, shared: { b } })
  const compared = kernel.compare({}, shapes, reference, c.data)
  assert.ok(compared.ok, JSON.stringify(compared))

  // Speed-up is the verified chunks' compute time over the wall time; each is what a volunteer measured.
  const stats = await researcher.node.projectStats(project.id)
  assert.ok(stats != null)
  assert.equal(stats.progress, 1)
  assert.deepEqual(verified.map(v => v.chunk).sort((x, y) => x - y), Array.from({ length: 23 }, (_, i) => i))
  const computeMs = verified.reduce((sum, v) => sum + v.computeMs, 0)
  assert.ok(Math.abs(stats.speedup * stats.wallMs - computeMs) < 1e-6 * Math.max(1, computeMs), `speed-up ${stats.speedup} x wall ${stats.wallMs} ms is not the ${computeMs} ms computed`)
  assert.ok(stats.wallMs > 0 && stats.wallMs <= wallMeasured, `wall ${stats.wallMs} ms within the ${wallMeasured} ms the test saw`)
  for (const v of verified) {
    const holder = volunteers.findIndex(p => p.node.peerId === v.volunteer)
    const computedThere = computed[holder].find(c => c.chunk === v.chunk)
    assert.ok(computedThere != null, `chunk ${v.chunk} verified from a peer that never computed it`)
    assert.equal(v.computeMs, Math.round(computedThere.computeMs))
  }
  assert.equal(stats.contributors, new Set(verified.map(v => v.volunteer)).size)
  console.log(`figures: speed-up ${stats.speedup.toFixed(2)}x with ${stats.contributors} volunteers, efficiency ${stats.efficiency.ratio.toFixed(3)}, ${stats.efficiency.bytesMoved} bytes moved`)

  // Leaderboard: FLOPs are the sum of the receipts' FLOPs, on the researcher and on each volunteer for itself.
  const board = await researcher.node.leaderboard()
  const totalFlops = 2 * 157 * 93 * 61
  assert.equal(board.reduce((sum, e) => sum + e.flops, 0), totalFlops)
  for (const volunteer of volunteers) {
    const mine = verified.filter(v => v.volunteer === volunteer.node.peerId)
    const expectedFlops = mine.reduce((sum, v) => sum + v.flops, 0)
    if (mine.length === 0) continue
    const entry = board.find(e => e.peer === volunteer.node.peerId)
    assert.equal(entry?.flops, expectedFlops)
    assert.equal(entry?.chunks, mine.length)
    assert.equal(entry?.name, volunteer.node.name)
    const own = (await volunteer.node.leaderboard()).find(e => e.peer === volunteer.node.peerId)
    assert.equal(own?.flops, expectedFlops, 'the volunteer counts the receipts it earned')
  }
  assert.equal(board[0].badge, 'gold')

  // History: the finished project, with the figures as they stood at the finish.
  const history = await waitFor('the history entry', async () => (await researcher.node.history()).find(h => h.projectId === project.id))
  assert.equal(history.status, 'done')
  assert.equal(history.chunks, 23)
  assert.equal(history.volunteers, stats.contributors)
  assert.ok(Math.abs(history.speedup - stats.speedup) < 1e-9)
  assert.equal(researcher.node.project(project.id)?.status, 'done')
})

test('given a map project over a CSV, volunteers that accepted its WGSL compute it and the export equals the JS reference', async () => {
  const rows = Array.from({ length: 41 }, (_, i) => [i / 3 - 5, (i % 7) - 3, i * 0.5])
  const csv = join(researcher.dir.path, 'rows.csv')
  await writeFile(csv, 'x,y,z\n' + rows.map(r => r.join(',')).join('\n') + '\n')
  const wgsl = `fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {
  var out: array<f32, OUT_COLS>;
  out[0] = row[0] * row[1] + row[2];
  return out;
}`
  const project = await researcher.node.publish({ name: 'map csv', kernel: 'map', params: { wgsl, outCols: 1 }, inputs: [{ name: 'data', matrix: await readDataset(csv) }], rowsPerChunk: 6 })
  assert.equal(project.customWgsl, wgsl)

  // Built-in kernels only by default: joining needs an acceptance.
  await waitFor('the first volunteer to hear of it', () => volunteers[0].node.project(project.id))
  await assert.rejects(volunteers[0].node.join(project.id), CustomCodeNotAcceptedError)
  await volunteers[1].node.setPrefs({ acceptCustomWgsl: true })
  const runs = await Promise.all([
    joinWhenAnnounced(volunteers[0], project.id, { acceptCustomWgsl: true }),
    joinWhenAnnounced(volunteers[1], project.id),
    joinWhenAnnounced(volunteers[2], project.id, { acceptCustomWgsl: true })
  ])
  assert.equal(await researcher.node.waitUntilFinished(project.id), 'done')
  for (const summary of await Promise.all(runs)) assert.equal(summary.outcome, 'done')

  const out = join(researcher.dir.path, 'map.npy')
  await researcher.node.exportProject(project.id, 'npy', out)
  const result = await readNpyMatrix(out)
  assert.equal(result.rows, 41)
  const f = Math.fround
  rows.forEach(([x, y, z], i) => {
    assert.ok(Math.abs(result.data[i] - f(f(f(x) * f(y)) + f(z))) <= 1e-5, `row ${i}`)
  })
  const stats = await researcher.node.projectStats(project.id)
  assert.deepEqual(stats?.project.verification, { redundancy: 1, spotCheck: 0.1 }, 'custom WGSL is spot-checked on the researcher\'s own device')
  assert.equal(stats?.verification.verified, 7)
})
