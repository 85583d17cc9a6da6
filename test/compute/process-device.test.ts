import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import type { ChunkWork } from '../../src/compute/kernel.ts'
import { ChunkTooLargeError, DeviceLostError, WgslCompileError } from '../../src/compute/errors.ts'

const matmul = getKernel('matmul')
let device: ComputeDevice
before(async () => { device = await openComputeDevice() })
after(async () => { await device.destroy() })

function work (m: number, k: number, n: number, seed: number, b = generateMatrix(k, n, seed + 1)): ChunkWork {
  return { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: m }, rows: generateMatrix(m, k, seed).data, rowCols: k, shared: { b } }
}

/** Counts event-loop turns of this thread until the promise settles. */
async function turnsWhile<T> (promise: Promise<T>): Promise<{ value: T, turns: number }> {
  let done = false
  let turns = 0
  const settled = promise.finally(() => { done = true })
  while (!done) {
    await new Promise(resolve => setImmediate(resolve))
    turns++
  }
  return { value: await settled, turns }
}

test('the worker device computes chunks like the device itself', async () => {
  assert.notEqual(device.info.backend, 'cpu')
  const chunk = work(70, 33, 45, 3)
  const result = await device.run(chunk)
  assert.ok(matmul.compare({}, [{ name: 'a', rows: 70, cols: 33 }, { name: 'b', rows: 33, cols: 45 }], matmul.cpuReference(chunk), result).ok)
})

test('this thread keeps turning while a long chunk computes in the worker', async () => {
  const cpu = await openComputeDevice({ prefer: 'cpu' })
  try {
    const chunk = work(256, 256, 256, 9)
    const { value, turns } = await turnsWhile(cpu.run(chunk))
    assert.deepEqual(value, matmul.cpuReference(chunk))
    assert.ok(turns >= 100, `only ${turns} event-loop turns during the chunk`)

    const inThread = await openComputeDevice({ prefer: 'cpu', inWorker: false })
    const blocked = await turnsWhile(inThread.run(chunk))
    assert.equal(blocked.turns, 1, 'the in-thread CPU device holds the loop for the whole chunk')
    await inThread.destroy()
  } finally {
    await cpu.destroy()
  }
})

test('shared inputs released from the worker are sent again when used later', async () => {
  const bs = Array.from({ length: 6 }, (_, i) => generateMatrix(16, 8, 100 + i))
  for (const round of [0, 1]) {
    for (const [i, b] of bs.entries()) {
      const chunk = work(5, 16, 8, i + round * 10, b)
      const result = await device.run(chunk)
      assert.ok(matmul.compare({}, [{ name: 'a', rows: 5, cols: 16 }, { name: 'b', rows: 16, cols: 8 }], matmul.cpuReference(chunk), result).ok, `B ${i}, round ${round}`)
    }
  }
})

test('errors cross the thread boundary as their own classes', async () => {
  await assert.rejects(
    device.validateKernel('map', { wgsl: 'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {\n  return 1;\n}', outCols: 1 }, [{ name: 'data', rows: 1, cols: 1 }]),
    (err: any) => err instanceof WgslCompileError && err.line === 2)
  const k = 4096
  const rows = Math.floor(Math.min(device.info.limits.maxStorageBufferBindingSize, device.info.limits.maxBufferSize) / (k * 4)) + 1
  const tooBig: ChunkWork = { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: rows }, rows: new Float32Array(rows * k), rowCols: k, shared: { b: { rows: k, cols: 1, data: new Float32Array(k) } } }
  await assert.rejects(device.run(tooBig), ChunkTooLargeError)
})

test('an aborted run rejects at once; a destroyed device refuses work', async () => {
  const controller = new AbortController()
  controller.abort()
  await assert.rejects(device.run(work(4, 4, 4, 1), { signal: controller.signal }), { name: 'AbortError' })
  const other = await openComputeDevice({ prefer: 'cpu' })
  await other.destroy()
  await assert.rejects(other.run(work(4, 4, 4, 1)), DeviceLostError)
})
