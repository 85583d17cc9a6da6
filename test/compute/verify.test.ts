import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareWithin, dotProductTolerance, spotCheck, spotCheckOn } from '../../src/compute/verify.ts'
import { openComputeDevice } from '../../src/compute/device.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import type { ChunkWork } from '../../src/compute/kernel.ts'

const matmul = getKernel('matmul')

test('compare allows rounding differences and reports normwise errors, never compares bits', () => {
  const expected = new Float32Array([1, -2, 1000, 0])
  const actual = new Float32Array([1 + 1e-6, -2, 1000.001, 1e-5])
  const result = compareWithin(expected, actual, { rel: 1e-6, abs: 0, normwise: true })
  assert.ok(result.ok)
  assert.ok(Math.abs(result.maxAbsError - 1e-3) < 1e-4)
  assert.ok(Math.abs(result.maxRelError - 1e-6) < 1e-7)
  assert.equal(compareWithin(expected, actual, { rel: 1e-6, abs: 0 }).firstMismatch, 3, 'elementwise: the value near 0 is out')
})

test('NaN matches only NaN, infinities only themselves, and lengths must agree', () => {
  const tolerance = { rel: 1e-3, abs: 1e-3 }
  assert.ok(compareWithin(new Float32Array([NaN, Infinity]), new Float32Array([NaN, Infinity]), tolerance).ok)
  assert.equal(compareWithin(new Float32Array([1, 2]), new Float32Array([1, NaN]), tolerance).firstMismatch, 1)
  assert.equal(compareWithin(new Float32Array([Infinity]), new Float32Array([-Infinity]), tolerance).ok, false)
  assert.equal(compareWithin(new Float32Array(3), new Float32Array(2), tolerance).ok, false)
})

/** Rounds to TF32 (10 explicit mantissa bits), what some GPUs use for "fp32" matmul by default. */
function toTf32 (values: Float32Array): Float32Array {
  const out = new Float32Array(values)
  const bits = new Uint32Array(out.buffer)
  for (let i = 0; i < bits.length; i++) bits[i] = ((bits[i]! + 0x1000) & ~0x1fff) >>> 0
  return out
}

test('the matmul tolerance accepts a reordered fp32 sum and rejects TF32 inputs, a flipped value, a zeroed row', () => {
  const [m, k, n] = [32, 512, 48]
  const a = generateMatrix(m, k, 1)
  const b = generateMatrix(k, n, 2)
  const work: ChunkWork = { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: m }, rows: a.data, rowCols: k, shared: { b } }
  const expected = matmul.cpuReference(work)
  const tolerance = dotProductTolerance(k)

  // The same product summed from the other end of k.
  const reversed = matmul.cpuReference({ ...work, rows: reverseColumns(a.data, m, k), shared: { b: { ...b, data: reverseRows(b.data, k, n) } } })
  assert.ok(compareWithin(expected, reversed, tolerance).ok)

  const tf32 = matmul.cpuReference({ ...work, rows: toTf32(a.data), shared: { b: { ...b, data: toTf32(b.data) } } })
  assert.equal(compareWithin(expected, tf32, tolerance).ok, false, 'lower precision is caught')

  const flipped = new Float32Array(expected)
  flipped[77] = -flipped[77]!
  assert.equal(compareWithin(expected, flipped, tolerance).firstMismatch, 77)

  const zeroed = new Float32Array(expected)
  zeroed.fill(0, n * 5, n * 6)
  assert.equal(spotCheck(matmul, work, zeroed).ok, false)
  assert.ok(spotCheck(matmul, work, expected).ok)
})

function reverseColumns (data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = data[r * cols + cols - 1 - c]!
  return out
}

function reverseRows (data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length)
  for (let r = 0; r < rows; r++) out.set(data.subarray((rows - 1 - r) * cols, (rows - r) * cols), r * cols)
  return out
}

test('the spot check runs in a worker on the CPU reference device', async () => {
  const cpu = await openComputeDevice({ prefer: 'cpu' })
  try {
    const b = generateMatrix(40, 24, 2)
    const work: ChunkWork = { kernel: 'matmul', params: {}, range: { index: 3, rowStart: 30, rowEnd: 45 }, rows: generateMatrix(15, 40, 1).data, rowCols: 40, shared: { b } }
    const good = matmul.cpuReference(work)
    assert.ok((await spotCheckOn(cpu, matmul, work, good)).ok)
    const bad = new Float32Array(good)
    bad[0] = bad[0]! + 1
    assert.equal((await spotCheckOn(cpu, matmul, work, bad)).firstMismatch, 0)
  } finally {
    await cpu.destroy()
  }
})

test('a chunk over the spot-check budget is checked on a random sample of its rows, each at its place in the chunk', async () => {
  const cpu = await openComputeDevice({ prefer: 'cpu' })
  try {
    const [rows, k, n] = [16, 64, 24]
    const b = generateMatrix(k, n, 2)
    const work: ChunkWork = { kernel: 'matmul', params: {}, range: { index: 2, rowStart: 32, rowEnd: 32 + rows }, rows: generateMatrix(rows, k, 1).data, rowCols: k, shared: { b } }
    const good = matmul.cpuReference(work)
    // 2 * 64 * 24 FLOPs a row: a budget of 2.5 rows samples 2 of the 16.
    const maxFlops = 2.5 * 2 * k * n
    const asked: Array<[number, number]> = []
    const pick = (picked: number[]) => (chunkRows: number, count: number) => { asked.push([chunkRows, count]); return picked }
    assert.ok((await spotCheckOn(cpu, matmul, work, good, { maxFlops, pickRows: pick([3, 11]) })).ok)
    assert.deepEqual(asked, [[16, 2]])

    const corrupted = new Float32Array(good)
    corrupted[11 * n + 5] = corrupted[11 * n + 5]! * 2 + 1
    const caught = await spotCheckOn(cpu, matmul, work, corrupted, { maxFlops, pickRows: pick([11, 2]) })
    assert.equal(caught.ok, false)
    assert.equal(caught.firstMismatch, 11 * n + 5, 'the mismatch is reported at its index in the chunk')
    assert.ok((await spotCheckOn(cpu, matmul, work, corrupted, { maxFlops, pickRows: pick([0, 4]) })).ok, 'a row outside the sample is not checked')
    assert.ok(spotCheck(matmul, work, corrupted, { maxFlops, pickRows: pick([0, 11]) }).ok === false, 'the same on this thread')

    // Wrong throughout (the volunteer did not compute): any sample catches it.
    const guessed = new Float32Array(good.length).fill(1)
    for (let i = 0; i < 10; i++) assert.equal((await spotCheckOn(cpu, matmul, work, guessed, { maxFlops })).ok, false)
    // Within the budget, the whole chunk is recomputed: a single bad value anywhere is caught.
    assert.equal((await spotCheckOn(cpu, matmul, work, corrupted)).firstMismatch, 11 * n + 5)
  } finally {
    await cpu.destroy()
  }
})

test('given a chunk over the spot-check budget whose rows fold into one (a k-means round), the check recomputes it whole: an honest result passes, a wrong one fails', () => {
  const kmeans = getKernel('kmeans')
  const params = kmeans.parseParams({ k: 3, rounds: { count: 1, quorum: 1, aggregate: 'weighted-mean' } })
  const points = generateMatrix(600, 4, 5)
  const state = generateMatrix(3, 4, 6)
  const work: ChunkWork = { kernel: 'kmeans', params, range: { index: 0, rowStart: 0, rowEnd: 600 }, rows: points.data, rowCols: 4, shared: { state }, round: 0 }
  const honest = kmeans.cpuReference(work)
  // A budget far below the chunk's FLOPs: a row-sampling check would compare one point's row with the chunk's sums.
  assert.ok(spotCheck(kmeans, work, honest, { maxFlops: 100 }).ok)
  const wrong = honest.map((v, i) => i === 0 ? v + 1 : v)
  assert.equal(spotCheck(kmeans, work, wrong, { maxFlops: 100 }).ok, false)
})
