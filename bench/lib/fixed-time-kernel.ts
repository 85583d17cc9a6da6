import { KernelInputError, type ChunkWork, type InputShape, type Kernel } from '../../src/compute/kernel.ts'
import { registerKernel } from '../../src/compute/kernels/index.ts'
import { compareWithin } from '../../src/compute/verify.ts'
import type { VolunteerDevice } from '../../src/node/volunteer/index.ts'

/**
 * A benchmark-only kernel whose chunks take a fixed time, so a scaling figure
 * measures the mesh's overhead and not this machine's cores. Its output row i
 * is input row i doubled (cheap to check); the time is spent in the device
 * (FixedTimeDevice), which waits the way a host waits on a GPU queue.
 * Registered only by the benchmarks, never by the CLI.
 */

export const FIXED_TIME_KERNEL_ID = 'bench-fixed-time'

export interface FixedTimeParams {
  /** How long one chunk takes on the device, ms. */
  readonly chunkMs: number
}

export const fixedTimeKernel: Kernel<FixedTimeParams> = {
  id: FIXED_TIME_KERNEL_ID,
  description: 'benchmarks only: each chunk takes params.chunkMs on the device and doubles its rows',
  customCode: false,
  splitInput: 'a',
  sharedInputs: () => [],
  parseParams (value: any): FixedTimeParams {
    const chunkMs = value?.chunkMs ?? 0
    if (!(Number.isFinite(chunkMs) && chunkMs >= 0)) throw new KernelInputError(`${FIXED_TIME_KERNEL_ID}: chunkMs must be a number >= 0`)
    return { chunkMs }
  },
  validateInputs (_params, inputs): void {
    splitShape(inputs)
  },
  outputCols: (_params, inputs) => splitShape(inputs).cols,
  flops: (_params, inputs, range) => (range.rowEnd - range.rowStart) * splitShape(inputs).cols,
  maxRowsPerChunk: (_params, inputs, limits) => Math.floor(limits.maxStorageBufferBindingSize / (splitShape(inputs).cols * 4)),
  compare: (_params, _inputs, expected, actual) => compareWithin(expected, actual, { rel: 0, abs: 0 }),
  cpuReference: (work: ChunkWork<FixedTimeParams>) => work.rows.map(v => v * 2)
}

function splitShape (inputs: readonly InputShape[]): InputShape {
  const a = inputs.find(input => input.name === 'a')
  if (a == null || inputs.length !== 1) throw new KernelInputError(`${FIXED_TIME_KERNEL_ID} takes exactly one input named a`)
  return a
}

let registered = false

/** Registers the kernel in this process (idempotent). */
export function useFixedTimeKernel (): void {
  if (registered) return
  registerKernel(fixedTimeKernel)
  registered = true
}

/** Computes fixed-time chunks: waits chunkMs without holding the thread, then returns the reference output. */
export class FixedTimeDevice implements VolunteerDevice {
  readonly info = { description: 'fixed-time benchmark device', backend: 'cpu' }

  async run (work: ChunkWork, options: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    const { chunkMs } = work.params as FixedTimeParams
    if (chunkMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => { clearTimeout(timer); reject(new Error('compute aborted')) }
        const timer = setTimeout(() => { options.signal?.removeEventListener('abort', onAbort); resolve() }, chunkMs)
        options.signal?.addEventListener('abort', onAbort, { once: true })
      })
    }
    return fixedTimeKernel.cpuReference(work as ChunkWork<FixedTimeParams>)
  }
}
