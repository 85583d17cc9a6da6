import type { ComputeDevice } from './device.ts'
import { GpuComputeDevice } from './device/gpu-device.ts'
import { generateMatrix } from './data/generate.ts'
import { matmulCpu } from './kernels/matmul/cpu.ts'
import { planMatmul } from './kernels/matmul/plan.ts'
import { compareWithin, dotProductTolerance } from './verify.ts'

/** Above this size the CPU reference checks sampled rows only (a full 4096^3 product takes minutes in JS). */
const FULL_CHECK_MAX_SIZE = 1024
const SAMPLED_ROWS = 16
/** Repeat the kernel until about this much device time is measured. */
const TARGET_MEASURE_MS = 200
const MAX_REPEATS = 50

export interface MatmulBenchResult {
  readonly kernel: 'matmul'
  readonly size: number
  readonly backend: string
  readonly featureLevel: string
  readonly description: string
  /** Kernel throughput with inputs resident on the device. */
  readonly gflops: number
  /** One whole chunk through device.run: upload, compute, readback. */
  readonly endToEndGflops: number
  /** The CPU reference on the same inputs (on the checked rows). */
  readonly cpuGflops: number
  /** max |gpu - cpu| / max |cpu| over the checked rows. */
  readonly maxRelError: number
  readonly checkedRows: number
  /** The device's result is within the kernel's tolerance of the CPU reference. */
  readonly ok: boolean
}

/** C = A x B at size^3 on the device and with the CPU reference, on the same seeded inputs. */
export async function benchmarkMatmul (device: ComputeDevice, size: number, seed = 1, signal?: AbortSignal): Promise<MatmulBenchResult> {
  const a = generateMatrix(size, size, seed)
  const b = generateMatrix(size, size, seed + 1)
  const work = { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: size }, rows: a.data, rowCols: size, shared: { b } }
  const flops = 2 * size ** 3

  await device.run(work, { signal }) // warm-up: compiles the pipeline and uploads B
  const started = performance.now()
  const result = await device.run(work, { signal })
  const endToEndMs = performance.now() - started

  let kernelMs = endToEndMs
  if (device instanceof GpuComputeDevice) {
    const dispatch = planMatmul(work, device.capabilities)
    const once = await device.measureDispatch(dispatch, 1)
    kernelMs = await device.measureDispatch(dispatch, Math.min(MAX_REPEATS, Math.max(1, Math.ceil(TARGET_MEASURE_MS / Math.max(once, 0.01)))))
  }

  signal?.throwIfAborted()
  const rows = checkedRows(size)
  const sampleA = new Float32Array(rows.length * size)
  const sampleResult = new Float32Array(rows.length * size)
  rows.forEach((row, i) => {
    sampleA.set(a.data.subarray(row * size, (row + 1) * size), i * size)
    sampleResult.set(result.subarray(row * size, (row + 1) * size), i * size)
  })
  const cpuStarted = performance.now()
  const expected = matmulCpu(sampleA, b.data, rows.length, size, size)
  const cpuMs = performance.now() - cpuStarted
  const check = compareWithin(expected, sampleResult, dotProductTolerance(size))

  return {
    kernel: 'matmul',
    size,
    backend: device.info.backend,
    featureLevel: device.info.featureLevel,
    description: device.info.description,
    gflops: round(flops / kernelMs / 1e6),
    endToEndGflops: round(flops / endToEndMs / 1e6),
    cpuGflops: round(2 * rows.length * size * size / Math.max(cpuMs, 0.001) / 1e6),
    maxRelError: check.maxRelError,
    checkedRows: rows.length,
    ok: check.ok
  }
}

function checkedRows (size: number): number[] {
  if (size <= FULL_CHECK_MAX_SIZE) return Array.from({ length: size }, (_, i) => i)
  return Array.from({ length: SAMPLED_ROWS }, (_, i) => Math.floor(i * (size - 1) / (SAMPLED_ROWS - 1)))
}

/** Three significant digits: a small figure (a 64^3 product on a loaded software adapter) stays readable instead of rounding to 0. */
function round (x: number): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(3))
}
