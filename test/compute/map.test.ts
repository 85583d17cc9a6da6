import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { CpuComputeDevice } from '../../src/compute/device/cpu-device.ts'
import { readDataset } from '../../src/compute/data/dataset.ts'
import { writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { planChunks, type ChunkWork } from '../../src/compute/kernel.ts'
import { KernelUnsupportedError, WgslCompileError } from '../../src/compute/errors.ts'
import { spotCheck } from '../../src/compute/verify.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'

const map = getKernel('map')
let device: ComputeDevice
let dir: string

before(async () => {
  device = await openComputeDevice()
  dir = await mkdtemp(join(tmpdir(), 'mesh-map-'))
})
after(async () => {
  await device.destroy()
  await rm(dir, { recursive: true, force: true })
})

/** The README's example: row sum, the larger of two columns, and a smooth function. */
const exampleWgsl = `fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {
  var out: array<f32, OUT_COLS>;
  var sum = 0.0;
  for (var j = 0u; j < IN_COLS; j++) { sum += row[j]; }
  out[0] = sum;
  out[1] = max(row[0], row[1]);
  out[2] = sqrt(row[0] * row[0] + row[2] * row[2]);
  return out;
}
`
function exampleReference (row: Float32Array): number[] {
  return [row.reduce((s, v) => s + v, 0), Math.max(row[0]!, row[1]!), Math.hypot(row[0]!, row[2]!)]
}

/** Runs the map over a dataset in chunks and assembles the output, as a project would. */
async function runMap (data: Matrix, wgsl: string, outCols: number, rowsPerChunk: number): Promise<Float32Array> {
  const params = map.parseParams({ wgsl, outCols })
  const output = new Float32Array(data.rows * outCols)
  for (const range of planChunks(data.rows, rowsPerChunk)) {
    const work: ChunkWork = { kernel: 'map', params, range, rows: data.data.subarray(range.rowStart * data.cols, range.rowEnd * data.cols), rowCols: data.cols, shared: {} }
    output.set(await device.run(work), range.rowStart * outCols)
  }
  return output
}

function reference (data: Matrix, fn: (row: Float32Array) => number[]): Float32Array {
  const out: number[] = []
  for (let r = 0; r < data.rows; r++) out.push(...fn(data.data.subarray(r * data.cols, (r + 1) * data.cols)))
  return new Float32Array(out)
}

async function checkAgainstReference (data: Matrix): Promise<void> {
  const actual = await runMap(data, exampleWgsl, 3, 7)
  const result = map.compare(map.parseParams({ wgsl: exampleWgsl, outCols: 3 }), [], reference(data, exampleReference), actual)
  assert.ok(result.ok, `max abs error ${result.maxAbsError} at ${result.firstMismatch}`)
}

test('map over a CSV dataset agrees with the JS reference', async () => {
  const lines = ['a,b,c']
  for (let i = 0; i < 40; i++) lines.push(`${i * 0.5},${-i},${Math.sin(i).toFixed(4)}`)
  const path = join(dir, 'rows.csv')
  await writeFile(path, lines.join('\n') + '\n')
  await checkAgainstReference(await readDataset(path))
})

test('map over a JSON dataset agrees with the JS reference', async () => {
  const rows = Array.from({ length: 23 }, (_, i) => [i, 100 - i * 3, i % 5])
  const path = join(dir, 'rows.json')
  await writeFile(path, JSON.stringify(rows))
  await checkAgainstReference(await readDataset(path))
})

test('map over a .npy dataset agrees with the JS reference', async () => {
  const path = join(dir, 'rows.npy')
  await writeNpyMatrix(path, generateMatrix(131, 5, 8))
  await checkAgainstReference(await readDataset(path))
})

test('a WGSL syntax error is reported at its line and column in the researcher\'s source', async () => {
  const wgsl = 'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {\n  var out: array<f32, OUT_COLS>;\n  out[0] = row[0] +* 2.0;\n  return out;\n}\n'
  await assert.rejects(device.validateKernel('map', { wgsl, outCols: 1 }, [{ name: 'data', rows: 4, cols: 2 }]), (err: any) => {
    assert.ok(err instanceof WgslCompileError, String(err))
    assert.equal(err.line, 3)
    assert.match(err.message, /^WGSL error at line 3, column \d+: /)
    assert.equal(err.message.split('\n').length, 1)
    return true
  })
})

test('a WGSL type error is reported at its line', async () => {
  const wgsl = '// computes nothing useful\nfn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {\n  var out: array<f32, OUT_COLS>;\n  let n: i32 = row[0];\n  return out;\n}\n'
  await assert.rejects(device.validateKernel('map', { wgsl, outCols: 1 }, [{ name: 'data', rows: 4, cols: 2 }]), (err: any) => {
    assert.ok(err instanceof WgslCompileError, String(err))
    assert.equal(err.line, 4)
    assert.ok(err.column >= 1)
    assert.match(err.message, /^WGSL error at line 4, column \d+: .*(i32|f32)/)
    return true
  })
})

test('WGSL without map_row is refused with the expected signature', async () => {
  const wgsl = 'fn transform(x: f32) -> f32 { return x; }\n'
  await assert.rejects(device.validateKernel('map', { wgsl, outCols: 1 }, [{ name: 'data', rows: 4, cols: 2 }]),
    /the WGSL must define fn map_row\(row: array<f32, IN_COLS>\) -> array<f32, OUT_COLS>/)
})

test('valid WGSL passes validation, and params are checked', async () => {
  await device.validateKernel('map', { wgsl: exampleWgsl, outCols: 3 }, [{ name: 'data', rows: 4, cols: 3 }])
  assert.throws(() => map.parseParams({ wgsl: exampleWgsl, outCols: 0 }), /out cols must be an integer from 1 to 4096/)
  assert.throws(() => map.parseParams({ wgsl: '  ', outCols: 1 }), /params.wgsl must be the WGSL source/)
  assert.throws(() => map.parseParams({ wgsl: exampleWgsl, outCols: 1, extra: true }), /unknown params extra/)
  assert.equal(map.customCode, true)
})

test('map needs a WebGPU device: the CPU fallback and spot checks refuse it', async () => {
  const cpu = new CpuComputeDevice(['test'])
  const params = map.parseParams({ wgsl: exampleWgsl, outCols: 3 })
  const work: ChunkWork = { kernel: 'map', params, range: { index: 0, rowStart: 0, rowEnd: 1 }, rows: new Float32Array(3), rowCols: 3, shared: {} }
  await assert.rejects(cpu.run(work), KernelUnsupportedError)
  assert.throws(() => spotCheck(map, work, new Float32Array(3)), KernelUnsupportedError)
})
