/**
 * Matmul throughput of each tile shape on the chosen WebGPU device at
 * n x n x n, with inputs resident on the device (kernel time), plus the
 * default tile end to end (upload, compute, readback) and, with --cublas,
 * cuBLAS fp32 (TF32 off) measured in the same run for the ratio.
 *
 *   node --import tsx bench/matmul.ts [--size 4096] [--tiles "128,128,8,8,8,p;..."] [--repeats 10] [--cublas]
 *
 * A tile is bm,bn,bk,tm,tn[,p] (see src/compute/kernels/matmul/tiles.ts).
 * Every tile's result is checked against the CPU reference on sampled rows.
 */
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { generateMatrix } from '../src/compute/data/generate.ts'
import { openComputeDevice } from '../src/compute/device.ts'
import { GpuComputeDevice } from '../src/compute/device/gpu-device.ts'
import { matmulCpu } from '../src/compute/kernels/matmul/cpu.ts'
import { planMatmulWithTile } from '../src/compute/kernels/matmul/plan.ts'
import { chooseTiles, isAligned, parseTile, tileFits, tileKey, type MatmulTile } from '../src/compute/kernels/matmul/tiles.ts'
import { compareWithin, dotProductTolerance } from '../src/compute/verify.ts'

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '4096' },
    tiles: { type: 'string' },
    repeats: { type: 'string', default: '10' },
    cublas: { type: 'boolean', default: false }
  }
})
const n = Number(values.size)
const repeats = Number(values.repeats)
const sampleRows = 8

const discreteCandidates = [
  '64,64,8,4,4', '64,64,16,4,4,p', '128,128,8,8,8', '128,128,8,8,8,p', '128,128,16,8,8,p', '128,128,32,8,8,p',
  '128,64,8,8,4,p', '64,128,8,4,8,p', '128,256,8,8,16,p', '256,128,8,16,8,p', '128,128,8,4,4,p', '128,128,16,16,16,p'
]
const softwareCandidates = ['32,32,8,4,4', '64,64,8,8,8', '128,128,8,16,16', '128,128,16,16,16', '128,128,16,16,16,p']

const device = await openComputeDevice({ inWorker: false })
if (!(device instanceof GpuComputeDevice)) {
  console.log(JSON.stringify({ error: 'no WebGPU device', info: device.info }))
  process.exit(1)
}
console.log(JSON.stringify({ device: device.info }))

const a = generateMatrix(n, n, 1)
const b = generateMatrix(n, n, 2)
const work = { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: n }, rows: a.data, rowCols: n, shared: { b } }
const flops = 2 * n ** 3
const sampled = Array.from({ length: Math.min(sampleRows, n) }, (_, i) => Math.floor(i * n / Math.min(sampleRows, n)))
const sampleA = new Float32Array(sampled.length * n)
sampled.forEach((row, i) => sampleA.set(a.data.subarray(row * n, (row + 1) * n), i * n))
const expected = matmulCpu(sampleA, b.data, sampled.length, n, n)

const candidates = (values.tiles?.split(';') ?? (device.info.featureLevel === 'core' ? discreteCandidates : softwareCandidates)).map(parseTile)
const results: Array<{ tile: string, gflops: number, ms: number, maxRelError: number, ok: boolean }> = []
for (const tile of candidates) {
  if (!tileFits(tile, device.capabilities)) {
    console.log(JSON.stringify({ tile: tileKey(tile), skipped: 'over the device limits' }))
    continue
  }
  try {
    const result = await measure(tile)
    results.push(result)
    console.log(JSON.stringify(result))
  } catch (err: any) {
    console.log(JSON.stringify({ tile: tileKey(tile), error: String(err.message).split('\n')[0] }))
  }
}

const tiles = chooseTiles(device.capabilities)
const defaultTile = isAligned(tiles.aligned, n, n, n) ? tiles.aligned : tiles.general
const endToEnd = await timeEndToEnd()
const best = results.filter(r => r.ok).sort((x, y) => y.gflops - x.gflops)[0]
const defaultResult = results.find(r => r.tile === tileKey(defaultTile))
const cublas = values.cublas ? runCublas() : undefined
console.log(JSON.stringify({
  summary: true,
  n,
  backend: device.info.backend,
  description: device.info.description,
  defaultTile: tileKey(defaultTile),
  defaultGflops: defaultResult?.gflops,
  bestTile: best?.tile,
  bestGflops: best?.gflops,
  endToEndGflops: endToEnd,
  cublasGflops: cublas?.gflops,
  bestOverCublas: cublas != null && best != null ? best.gflops / cublas.gflops : undefined,
  defaultOverCublas: cublas != null && defaultResult != null ? defaultResult.gflops / cublas.gflops : undefined
}))
await device.destroy()

async function measure (tile: MatmulTile): Promise<{ tile: string, gflops: number, ms: number, maxRelError: number, ok: boolean }> {
  const dispatch = planMatmulWithTile(work, tile)
  const out = await (device as GpuComputeDevice).runDispatch(dispatch)
  const actual = new Float32Array(sampled.length * n)
  sampled.forEach((row, i) => actual.set(out.subarray(row * n, (row + 1) * n), i * n))
  const check = compareWithin(expected, actual, dotProductTolerance(n))
  const ms = await (device as GpuComputeDevice).measureDispatch(dispatch, repeats)
  return { tile: tileKey(tile), gflops: round(flops / ms / 1e6), ms: round(ms), maxRelError: check.maxRelError, ok: check.ok }
}

/** The default path a volunteer takes: device.run with upload and readback, after one warm-up run. */
async function timeEndToEnd (): Promise<number> {
  await device.run(work)
  const started = performance.now()
  await device.run(work)
  return round(flops / (performance.now() - started) / 1e6)
}

function runCublas (): { gflops: number } | undefined {
  const child = spawnSync('python3', [new URL('./cublas.py', import.meta.url).pathname, String(n)], { encoding: 'utf8' })
  const line = child.stdout.trim().split('\n').pop() ?? ''
  console.log(line !== '' ? line : JSON.stringify({ cublasError: child.stderr.slice(-500) }))
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

function round (x: number): number {
  return Math.round(x * 10) / 10
}
