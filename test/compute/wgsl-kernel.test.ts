import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { selectComputeDevice } from '../../src/compute/device/select.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { planChunks, type ChunkWork, type InputShape } from '../../src/compute/kernel.ts'
import { foldRows, type ReduceOp } from '../../src/compute/reduce.ts'
import { randomUniform4 } from '../../src/compute/random/philox.ts'
import { WgslCompileError } from '../../src/compute/errors.ts'
import { KernelInputError } from '../../src/compute/kernel.ts'

const wgsl = getKernel('wgsl')
let device: ComputeDevice

before(async () => { device = await selectComputeDevice() })
after(async () => { await device.destroy() })

function paramsOf (fields: Record<string, unknown>): any {
  return wgsl.parseParams({ shared: [], params: [], seed: '7', ...fields })
}

function work (params: any, rowStart: number, rowEnd: number, data = new Float32Array(0), rowCols = 0, shared: ChunkWork['shared'] = {}): ChunkWork {
  return { kernel: 'wgsl', params, range: { index: 0, rowStart, rowEnd }, rows: data.subarray(rowStart * rowCols, rowEnd * rowCols), rowCols, shared }
}

describe('the wgsl kernel on the WebGPU device', () => {
  it('given index-only items, compute_item(i) sees the item index and the project seed\'s random numbers', async () => {
    const params = paramsOf({
      wgsl: 'fn compute_item(i: u32) -> array<f32, OUT_COLS> {\n  let u = random_uniform4(i, 3u);\n  return array<f32, OUT_COLS>(f32(i), u.x, u.w, f32(ITEMS));\n}',
      items: 1000,
      outCols: 4
    })
    const out = await device.run(work(params, 600, 1000))
    assert.equal(out.length, 400 * 4)
    for (let local = 0; local < 400; local++) {
      const i = 600 + local
      const u = randomUniform4(7n, i, 3)
      assert.deepEqual([...out.subarray(local * 4, local * 4 + 4)], [i, Math.fround(u[0]), Math.fround(u[3]), 1000])
    }
  })

  it('given a dataset, shared inputs and params, each item reads its row, the shared matrix and params.NAME', async () => {
    const rows = 70
    const cols = 3
    const data = Float32Array.from({ length: rows * cols }, (_, k) => (k % 7) - 3)
    const weights = Float32Array.from({ length: 3 * 2 }, (_, k) => k + 1) // 3x2
    const params = paramsOf({
      wgsl: [
        'fn compute_item(i: u32) -> array<f32, OUT_COLS> {',
        '  let x = data_row(i);',
        '  var out: array<f32, OUT_COLS>;',
        '  for (var c = 0u; c < weights_COLS; c++) {',
        '    var acc = params.bias;',
        '    for (var r = 0u; r < weights_ROWS; r++) { acc += x[r] * weights[r * weights_COLS + c]; }',
        '    out[c] = acc * f32(params.times) + f32(params.shift);',
        '  }',
        '  return out;',
        '}'
      ].join('\n'),
      items: rows,
      outCols: 2,
      shared: ['weights'],
      params: [{ name: 'bias', type: 'f32', value: 0.5 }, { name: 'times', type: 'u32', value: 3 }, { name: 'shift', type: 'i32', value: -2 }]
    })
    const shapes: InputShape[] = [{ name: 'data', rows, cols }, { name: 'weights', rows: 3, cols: 2 }]
    wgsl.validateInputs(params, shapes)
    const out = await device.run(work(params, 10, 70, data, cols, { weights: { data: weights, rows: 3, cols: 2 } }))
    for (let local = 0; local < 60; local++) {
      const i = 10 + local
      for (let c = 0; c < 2; c++) {
        let acc = 0.5
        for (let r = 0; r < 3; r++) acc += data[i * cols + r]! * weights[r * 2 + c]!
        assert.ok(Math.abs(out[local * 2 + c]! - (acc * 3 - 2)) < 1e-4, `item ${i} col ${c}`)
      }
    }
  })

  for (const op of ['sum', 'min', 'max'] as ReduceOp[]) {
    it(`given --reduce ${op}, chunks that do not divide the items fold to the CPU fold of every item`, async () => {
      const items = 1000
      const params = paramsOf({
        wgsl: 'fn compute_item(i: u32) -> array<f32, OUT_COLS> {\n  let u = random_uniform4(i, 0u);\n  return array<f32, OUT_COLS>(u.x, u.y - 0.5, f32(i % 97u));\n}',
        items,
        outCols: 3,
        reduce: op
      })
      const perItem = new Float32Array(items * 3)
      for (let i = 0; i < items; i++) {
        const u = randomUniform4(7n, i, 0)
        perItem.set([u[0], Math.fround(Math.fround(u[1]) - 0.5), i % 97], i * 3)
      }
      const expected = foldRows(op, perItem, 3)
      const chunkRows: Float32Array[] = []
      for (const range of planChunks(items, 333)) {
        const out = await device.run(work(params, range.rowStart, range.rowEnd))
        assert.equal(out.length, 3, 'a reduced chunk is one row')
        chunkRows.push(out)
        assert.ok(wgsl.compare(params, [], foldRows(op, perItem.subarray(range.rowStart * 3, range.rowEnd * 3), 3), out).ok)
      }
      const folded = foldRows(op, Float32Array.from(chunkRows.flatMap(r => [...r])), 3)
      assert.ok(wgsl.compare(params, [], expected, folded).ok, `${[...folded]} vs ${[...expected]}`)
    })
  }

  it('given WGSL without compute_item, the compile check names the expected signature', async () => {
    const params = paramsOf({ wgsl: 'fn other(i: u32) -> f32 { return 1.0; }', items: 10, outCols: 1 })
    await assert.rejects(device.validateKernel('wgsl', params, [{ name: 'data', rows: 10, cols: 0 }]),
      (err: any) => err instanceof WgslCompileError && /compute_item\(i: u32\) -> array<f32, OUT_COLS>/.test(err.message))
  })

  it('given bad params, parsing names the problem', () => {
    const base = { wgsl: 'fn compute_item(i: u32) -> array<f32, OUT_COLS> { return array<f32, OUT_COLS>(1.0); }', items: 4, outCols: 1 }
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ shared: ['params'] }, /clashes with a name the mesh defines/],
      [{ shared: ['w', 'w'] }, /given twice/],
      [{ shared: ['9lives'] }, /not a WGSL identifier/],
      [{ params: [{ name: 'n', type: 'u32', value: -1 }] }, /not a u32/],
      [{ params: [{ name: 'x', type: 'f32', value: Infinity }] }, /not a finite f32/],
      [{ params: [{ name: 'loop', type: 'f32', value: 1 }] }, /WGSL keyword/],
      [{ reduce: 'sum', image: { width: 2, height: 2 } }, /cannot be combined/],
      [{ image: { width: 2, height: 3 } }, /has 6 pixels, but the project has 4 items/],
      [{ outCols: 2, image: { width: 2, height: 2 } }, /out cols 1 \(grey\), 3 \(RGB\) or 4/],
      [{ flopsPerItem: -1 }, /flops per item/],
      [{ reduce: 'mean' }, /reduce must be one of sum, min, max/]
    ]
    for (const [fields, message] of refusals) {
      assert.throws(() => paramsOf({ ...base, ...fields }), (err: any) => err instanceof KernelInputError && message.test(err.message), JSON.stringify(fields))
    }
  })
})
