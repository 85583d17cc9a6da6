import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { CliMesh, events, jsonLines, killNow } from './helpers/cli-peers.ts'
import { seeded } from '../helpers/seeded.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'

/**
 * k-means in rounds with real `mesh` processes: a researcher and two
 * volunteers run `mesh publish --kernel kmeans`; the exported centroids
 * equal a CPU Lloyd's run written here (f64, its own loops) from the same
 * initial centroids, one of which no point is near (an empty cluster that
 * keeps its position). Then the same project with the researcher SIGKILLed
 * mid-round and resumed by `mesh serve --until-done`, and a volunteer
 * killed mid-round: same centroids, no verified chunk computed twice.
 */

const meshes: CliMesh[] = []
after(async () => { await Promise.all(meshes.map(async m => { await m.cleanup() })) })

const K = 5
const D = 4
const POINTS = 4000
const ROUNDS = 6
const ROWS_PER_CHUNK = 250
const CHUNKS = POINTS / ROWS_PER_CHUNK
const FAR = 1000


/** Four well separated blobs in 4-D; initial centroids: four points of the first blobs and one far from all. */
function inputs (): { points: Matrix, init: Matrix } {
  const random = seeded(11)
  const centres = [[0, 0, 0, 0], [8, 0, 0, 8], [0, 8, 8, 0], [8, 8, 8, 8]]
  const data = new Float32Array(POINTS * D)
  for (let i = 0; i < POINTS; i++) {
    const centre = centres[i % centres.length]!
    for (let d = 0; d < D; d++) data[i * D + d] = centre[d]! + (random() + random() + random() - 1.5)
  }
  const init = new Float32Array(K * D)
  for (const [k, row] of [0, 4, 8, 1].entries()) init.set(data.subarray(row * D, row * D + D), k * D)
  init.fill(FAR, 4 * D)
  return { points: { rows: POINTS, cols: D, data }, init: { rows: K, cols: D, data: init } }
}

/** Lloyd's algorithm in f64: assign each point to its nearest centroid (lowest index on a tie), move each centroid to its points' mean. */
function lloyd (points: Matrix, init: Matrix, rounds: number): Float64Array {
  let centroids = Float64Array.from(init.data)
  for (let r = 0; r < rounds; r++) {
    const sums = new Float64Array(K * D)
    const counts = new Float64Array(K)
    for (let i = 0; i < points.rows; i++) {
      let best = 0
      let bestDistance = Infinity
      for (let k = 0; k < K; k++) {
        let distance = 0
        for (let d = 0; d < D; d++) distance += (points.data[i * D + d]! - centroids[k * D + d]!) ** 2
        if (distance < bestDistance) {
          bestDistance = distance
          best = k
        }
      }
      counts[best]!++
      for (let d = 0; d < D; d++) sums[best * D + d] = sums[best * D + d]! + points.data[i * D + d]!
    }
    const next = Float64Array.from(centroids)
    for (let k = 0; k < K; k++) if (counts[k]! > 0) for (let d = 0; d < D; d++) next[k * D + d] = sums[k * D + d]! / counts[k]!
    centroids = next
  }
  return centroids
}

async function writeInputs (mesh: CliMesh): Promise<{ args: string[], points: Matrix, init: Matrix }> {
  const { points, init } = inputs()
  await writeNpyMatrix(mesh.dataDir('points.npy'), points)
  await writeNpyMatrix(mesh.dataDir('init.npy'), init)
  return {
    points,
    init,
    args: ['publish', '--kernel', 'kmeans', '--data', mesh.dataDir('points.npy'), '--init', mesh.dataDir('init.npy'), '--rounds', String(ROUNDS), '--rows-per-chunk', String(ROWS_PER_CHUNK), '--until-done', '--json']
  }
}

async function exportCentroids (mesh: CliMesh, projectId: string): Promise<Matrix> {
  const out = mesh.dataDir('centroids.npy')
  const exported = await mesh.run('researcher', ['export', projectId, '--format', 'npy', '--out', out])
  assert.equal(exported.code, 0, exported.stderr)
  return await readNpyMatrix(out)
}

function assertClose (actual: Float32Array, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, what)
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance * Math.max(1, Math.abs(expected[i]!)), `${what}: value ${i} is ${actual[i]}, expected ${expected[i]}`)
  }
}

let uninterrupted: Matrix | undefined

test('given a kmeans project of 6 rounds on two volunteers, the exported centroids equal Lloyd\'s algorithm on the CPU, an empty cluster kept in place', async () => {
  const mesh = await CliMesh.create('kmeans')
  meshes.push(mesh)
  const { args, points, init } = await writeInputs(mesh)
  const volunteers = [1, 2].map(i => mesh.start(`volunteer-${i}`, ['volunteer', '--auto', '--until-done', '--json']))
  const researcher = mesh.start('researcher', args)
  assert.equal(await researcher.exited, 0, researcher.stderr)
  assert.deepEqual(await Promise.all(volunteers.map(async v => await v.exited)), [0, 0], volunteers.map(v => v.stderr).join('\n'))

  const published = events(researcher, 'published')[0]
  assert.equal(published.kernel, 'kmeans')
  assert.equal(published.chunks.total, ROUNDS * CHUNKS)
  const closed = events(researcher, 'round-closed')
  assert.deepEqual(closed.map(c => c.round), [0, 1, 2, 3, 4, 5])
  assert.ok(closed.every(c => typeof c.figures.inertia === 'number' && c.chunks === CHUNKS), JSON.stringify(closed[0]))
  assert.ok(closed.at(-1)!.figures.inertia < closed[0]!.figures.inertia, 'inertia falls')

  const status = jsonLines((await mesh.run('researcher', ['status', '--json'])).stdout)[0]
  assert.equal(status.rounds.length, ROUNDS)
  assert.equal(typeof status.rounds[0].inertia, 'number')
  assert.equal(status.roundsProgress.of, ROUNDS)

  uninterrupted = await exportCentroids(mesh, published.id)
  assert.deepEqual([uninterrupted.rows, uninterrupted.cols], [K, D])
  assertClose(uninterrupted.data, lloyd(points, init, ROUNDS), 1e-4, 'centroids vs Lloyd')
  assert.deepEqual([...uninterrupted.data.subarray(4 * D)], [FAR, FAR, FAR, FAR], 'the empty cluster kept its position')
})

test('given the researcher SIGKILLed mid-round and resumed, and a volunteer killed mid-round, the project ends with the same centroids and no verified chunk is computed twice', async () => {
  assert.ok(uninterrupted != null, 'the uninterrupted run comes first')
  const mesh = await CliMesh.create('kmeans-kill')
  meshes.push(mesh)
  const { args } = await writeInputs(mesh)
  const first = mesh.start('researcher', args)
  const started = await first.waitFor('started', line => line.event === 'started')
  const port = /\/tcp\/(\d+)\//.exec(started.addresses[0])![1]
  const volunteers = [1, 2, 3].map(i => mesh.start(`volunteer-${i}`, ['volunteer', '--auto', '--until-done', '--json']))
  // Into round 3 (0-based 2) with a few of its chunks verified.
  await first.waitFor('a few chunks of round 3 verified', () => events(first, 'chunk-verified').filter(v => v.chunk >= 2 * CHUNKS).length >= 3, 120_000)
  const killedAt = await killNow(first)
  const projectId = events(first, 'published')[0].id
  const verifiedBefore = new Set(events(first, 'chunk-verified').map(v => v.chunk))
  assert.ok(events(first, 'round-closed').length < ROUNDS, 'killed before the end')

  const second = mesh.start('researcher', ['serve', '--until-done', '--json'], `/ip4/127.0.0.1/tcp/${port}`)
  await second.waitFor('serving', line => line.event === 'serving')
  // A volunteer dies in the middle of a round of the resumed project: the round still closes.
  await second.waitFor('a chunk verified after the restart', () => events(second, 'chunk-verified').length >= 2, 120_000)
  await killNow(volunteers[0]!)
  assert.equal(await second.exited, 0, second.stderr)
  assert.deepEqual(await Promise.all(volunteers.slice(1).map(async v => await v.exited)), [0, 0], volunteers.map(v => v.stderr).join('\n'))

  const computed = volunteers.flatMap(v => events(v, 'chunk-computed'))
  const again = computed.filter(c => c.at > killedAt && verifiedBefore.has(c.chunk)).map(c => c.chunk)
  assert.deepEqual(again, [], 'chunks verified before the kill were computed again')
  const closedAfter = events(second, 'round-closed').map(c => c.round)
  assert.equal(closedAfter.at(-1), ROUNDS - 1)
  console.log(`killed with ${verifiedBefore.size} chunks verified; rounds closed after the restart: ${closedAfter.join(', ')}`)

  const resumed = await exportCentroids(mesh, projectId)
  assertClose(resumed.data, uninterrupted.data, 1e-6, 'resumed vs uninterrupted')
})
