import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { GpuComputeDevice } from '../../src/compute/device/gpu-device.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { planChunks, type ChunkWork } from '../../src/compute/kernel.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { planMatmulWithTile } from '../../src/compute/kernels/matmul/plan.ts'
import { parseTile } from '../../src/compute/kernels/matmul/tiles.ts'
import { ChunkTooLargeError } from '../../src/compute/errors.ts'
import { InputError } from '../../src/errors.ts'

const matmul = getKernel('matmul')
let device: ComputeDevice

// In this thread: these tests look at the GPU device's own reuse counters and programs.
before(async () => { device = await openComputeDevice({ inWorker: false }) })
after(async () => { await device.destroy() })

function chunkOf (a: { rows: number, cols: number, data: Float32Array }, b: { rows: number, cols: number, data: Float32Array }, rowStart = 0, rowEnd = a.rows): ChunkWork {
  return { kernel: 'matmul', params: {}, range: { index: 0, rowStart, rowEnd }, rows: a.data.subarray(rowStart * a.cols, rowEnd * a.cols), rowCols: a.cols, shared: { b } }
}

function shapes (m: number, k: number, n: number): Array<{ name: string, rows: number, cols: number }> {
  return [{ name: 'a', rows: m, cols: k }, { name: 'b', rows: k, cols: n }]
}

test('the device is a WebGPU adapter, not the CPU fallback (CI installs Mesa)', () => {
  assert.notEqual(device.info.backend, 'cpu', `fell back to the CPU: ${device.info.fallbackReasons.join('; ')}`)
})

const cases: Array<[string, number, number, number]> = [
  ['square', 64, 64, 64],
  ['aligned to the tile', 256, 32, 128],
  ['tall', 300, 20, 17],
  ['wide', 3, 50, 520],
  ['1xN', 1, 33, 300],
  ['Nx1', 300, 33, 1],
  ['not a tile multiple', 129, 65, 131],
  ['K = 1', 17, 1, 9],
  ['1x1x1', 1, 1, 1]
]
for (const [name, m, k, n] of cases) {
  test(`matmul ${name} (${m}x${k} by ${k}x${n}) agrees with the CPU reference`, async () => {
    const a = generateMatrix(m, k, m * 7 + k)
    const b = generateMatrix(k, n, n * 13 + k)
    const work = chunkOf(a, b)
    const actual = await device.run(work)
    assert.equal(actual.length, m * n)
    const result = matmul.compare({}, shapes(m, k, n), matmul.cpuReference(work), actual)
    assert.ok(result.ok, `max rel error ${result.maxRelError} at ${result.firstMismatch}`)
    assert.ok(result.maxRelError <= 1e-5)
  })
}

test('chunks of a project assemble to the whole product; B is uploaded once, buffers reused per shape', async () => {
  const [m, k, n] = [100, 48, 70]
  const a = generateMatrix(m, k, 1)
  const b = generateMatrix(k, n, 2)
  const whole = matmul.cpuReference(chunkOf(a, b))
  const assembled = new Float32Array(m * n)
  const gpu = device instanceof GpuComputeDevice ? device : undefined
  const before = gpu != null ? { ...gpu.stats } : undefined
  for (const range of planChunks(m, 24)) {
    const out = await device.run({ ...chunkOf(a, b, range.rowStart, range.rowEnd), range })
    assembled.set(out, range.rowStart * n)
  }
  assert.ok(matmul.compare({}, shapes(m, k, n), whole, assembled).ok)
  if (gpu != null && before != null) {
    // 5 chunks: four of 24 rows share one buffer set, the 4-row tail needs another.
    assert.equal(gpu.stats.bufferSetsCreated - before.bufferSetsCreated, 2)
    assert.equal(gpu.stats.sharedUploadsSkipped - before.sharedUploadsSkipped, 3)
    assert.ok(gpu.stats.pipelinesCompiled - before.pipelinesCompiled <= 1)
  }
})

test('a reused split-input array with new contents is uploaded again', async () => {
  const b = generateMatrix(16, 16, 5)
  const rows = new Float32Array(8 * 16)
  rows.set(generateMatrix(8, 16, 6).data)
  const first = await device.run(chunkOf({ rows: 8, cols: 16, data: rows }, b))
  rows.set(generateMatrix(8, 16, 7).data)
  const work = chunkOf({ rows: 8, cols: 16, data: rows }, b)
  const second = await device.run(work)
  assert.notDeepEqual(first, second)
  assert.ok(matmul.compare({}, shapes(8, 16, 16), matmul.cpuReference(work), second).ok)
})

test('the aligned and general programs of a tile agree', async (t) => {
  if (!(device instanceof GpuComputeDevice)) return t.skip('no GPU device')
  const a = generateMatrix(64, 32, 3)
  const b = generateMatrix(32, 64, 4)
  const work = chunkOf(a, b)
  const expected = matmul.cpuReference(work)
  for (const tile of ['32,32,8,4,4', '64,64,16,8,8,p', '32,64,8,4,8,p']) {
    const aligned = planMatmulWithTile(work, parseTile(tile))
    assert.match(aligned.program.key, /aligned/)
    const general = planMatmulWithTile({ ...chunkOf(generateMatrix(63, 32, 3), b) }, parseTile(tile))
    assert.match(general.program.key, /general/)
    assert.ok(matmul.compare({}, shapes(64, 32, 64), expected, await device.runDispatch(aligned)).ok, tile)
    const generalExpected = matmul.cpuReference(chunkOf(generateMatrix(63, 32, 3), b))
    assert.ok(matmul.compare({}, shapes(63, 32, 64), generalExpected, await device.runDispatch(general)).ok, tile)
  }
})

test('a chunk over the device buffer limit is refused before anything is uploaded; maxRowsPerChunk stays within it', async () => {
  const k = 4096
  const limits = device.info.limits
  const maxRows = matmul.maxRowsPerChunk({}, shapes(1, k, 1), limits)
  assert.ok(maxRows >= 1)
  assert.ok(maxRows * k * 4 <= Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize))
  const tooMany = maxRows + 1
  const b = { rows: k, cols: 1, data: new Float32Array(k) }
  // Zero-filled arrays are allocated lazily: the refusal must come before any upload touches them.
  const work = { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: tooMany }, rows: new Float32Array(tooMany * k), rowCols: k, shared: { b } }
  await assert.rejects(device.run(work), (err: any) => {
    assert.ok(err instanceof ChunkTooLargeError && err instanceof InputError)
    assert.match(err.message, /MiB for input 1; this device allows .* MiB per buffer \(use fewer rows per chunk\)/)
    return true
  })
  assert.equal(matmul.maxRowsPerChunk({}, shapes(1, 1 << 16, 1 << 16), limits), 0, 'a B over the limit leaves no rows')
})

test('shape and params errors are one-line input errors', () => {
  assert.throws(() => matmul.validateInputs({}, shapes(4, 5, 6).map((s, i) => i === 1 ? { ...s, rows: 4 } : s)),
    /A is 4x5 and B is 4x6; A's columns \(5\) must equal B's rows \(4\)/)
  assert.throws(() => matmul.parseParams({ tile: 3 }), /matmul takes no params \(got tile\)/)
  assert.throws(() => matmul.validateInputs({}, [{ name: 'a', rows: 1, cols: 1 }]), /needs two inputs named a and b/)
  assert.throws(() => getKernel('fft'), /unknown kernel 'fft' \(expected one of: matmul, map, wgsl, kmeans, train\)/)
  assert.equal(matmul.flops({}, shapes(10, 20, 30), { index: 0, rowStart: 2, rowEnd: 6 }), 2 * 4 * 20 * 30)
})
