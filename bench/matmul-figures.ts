import { spawnSync } from 'node:child_process'
import { benchmarkMatmul } from '../src/compute/bench-matmul.ts'
import { openComputeDevice } from '../src/compute/device.ts'

export interface MatmulOptions {
  /** Size on a software or CPU device; a core (discrete GPU) adapter gets `gpuSize`. */
  readonly size: number
  readonly gpuSize: number
  /** Run cuBLAS fp32 (TF32 off) through PyTorch at the same size, when a core adapter is present. */
  readonly cublas: boolean
}

export interface MatmulFigures {
  readonly matmulSize: number
  readonly matmulBackend: string
  readonly matmulDevice: string
  /** The WGSL kernel with inputs resident on the device. */
  readonly matmulGflops: number
  /** One chunk through device.run: upload, compute, readback. */
  readonly matmulEndToEndGflops: number
  /** The JavaScript CPU reference on the same inputs. */
  readonly matmulCpuGflops: number
  readonly matmulMaxRelError: number
  readonly cublasGflops?: number
  readonly cublasFraction?: number
}

/**
 * fp32 C = A x B on this machine's compute device (src/compute/bench-matmul.ts,
 * what `mesh bench matmul` runs) next to the CPU reference, and on a machine
 * with a core adapter cuBLAS in the same run. bench/matmul.ts sweeps tiles.
 */
export async function benchMatmul (options: MatmulOptions): Promise<MatmulFigures> {
  const device = await openComputeDevice({ inWorker: false })
  try {
    const size = device.info.featureLevel === 'core' ? options.gpuSize : options.size
    const result = await benchmarkMatmul(device, size)
    if (!result.ok) throw new Error(`matmul ${size}: the device differs from the CPU reference (max rel error ${result.maxRelError})`)
    const cublas = options.cublas && device.info.featureLevel === 'core' ? runCublas(size) : undefined
    return {
      matmulSize: size,
      matmulBackend: result.backend,
      matmulDevice: result.description,
      matmulGflops: result.gflops,
      matmulEndToEndGflops: result.endToEndGflops,
      matmulCpuGflops: result.cpuGflops,
      matmulMaxRelError: result.maxRelError,
      ...(cublas == null ? {} : { cublasGflops: cublas, cublasFraction: result.gflops / cublas })
    }
  } finally {
    await device.destroy()
  }
}

function runCublas (size: number): number | undefined {
  const child = spawnSync('python3', [new URL('./cublas.py', import.meta.url).pathname, String(size)], { encoding: 'utf8' })
  const line = child.stdout?.trim().split('\n').pop() ?? ''
  try {
    return JSON.parse(line).gflops
  } catch {
    console.error(`  matmul: cuBLAS did not run: ${(child.stderr ?? child.error?.message ?? '').slice(-300)}`)
    return undefined
  }
}
