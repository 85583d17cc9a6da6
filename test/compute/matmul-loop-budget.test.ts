import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { LoopBudgetError } from '../../src/compute/errors.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import type { ChunkWork } from '../../src/compute/kernel.ts'

/**
 * matmul's K loop runs K / bk tile steps (bk 16 on a software adapter): a
 * K of 1,100,000 is 68,750 steps, past llvmpipe's 65,535. The answer is
 * right (a GPU) or refused, never wrong. (On SwiftShader it is right too,
 * but a 128x128 tile over a million K takes a minute there: the fallback is
 * tested end to end in test/e2e/loop-budget.test.ts.)
 */
const matmul = getKernel('matmul')
const K = 1_100_000
const a = generateMatrix(1, K, 5)
const b = generateMatrix(K, 3, 6)
const work: ChunkWork = { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: 1 }, rows: a.data, rowCols: K, shared: { b } }
const shapes = [{ name: 'a', rows: 1, cols: K }, { name: 'b', rows: K, cols: 3 }]
const expected = matmul.cpuReference(work)

let device: ComputeDevice
before(async () => { device = await openComputeDevice({ loopFallback: false }) })
after(async () => { await device.destroy() })

test('a matmul whose K loop overruns the loop budget is refused on llvmpipe, and right on a device without one', async () => {
  try {
    const c = await device.run(work)
    assert.ok(matmul.compare({}, shapes, expected, c).ok, `${device.info.description} returned a wrong product`)
    assert.equal(device.info.loopBudget, null, 'a device with a loop budget must refuse this product')
    console.log(`${device.info.description}: right`)
  } catch (err) {
    assert.ok(err instanceof LoopBudgetError, String(err))
    assert.notEqual(device.info.loopBudget, null, 'only a device with a loop budget refuses')
    console.log(`${device.info.description}: refused (${err.message})`)
  }
})
