import type { ChunkWork, InputShape } from '../kernel.ts'
import type { ComputeDevice, ComputeDeviceInfo, RunOptions } from '../device.ts'
import type { ComputeLimits } from '../gpu-program.ts'
import { KernelUnsupportedError } from '../errors.ts'
import { getKernel } from '../kernels/index.ts'

/** What the CPU can hold per chunk: no GPU limits apply, so bound by a sane buffer size. */
export const cpuLimits: ComputeLimits = {
  maxStorageBufferBindingSize: 1 << 30,
  maxBufferSize: 1 << 30,
  maxComputeWorkgroupsPerDimension: 2 ** 31 - 1,
  maxComputeWorkgroupStorageSize: 0,
  maxComputeInvocationsPerWorkgroup: 0,
  maxStorageBuffersPerShaderStage: 0
}

/** The last step of the selection order: each kernel's CPU reference, labelled as such. */
export class CpuComputeDevice implements ComputeDevice {
  readonly info: ComputeDeviceInfo

  constructor (fallbackReasons: string[]) {
    this.info = {
      backend: 'cpu',
      featureLevel: 'cpu',
      description: 'CPU reference implementation (no WebGPU adapter)',
      fallbackReasons,
      limits: cpuLimits
    }
  }

  async run (work: ChunkWork, options: RunOptions = {}): Promise<Float32Array> {
    options.signal?.throwIfAborted()
    const kernel = getKernel(work.kernel)
    if (kernel.hasCpuReference === false) {
      throw new KernelUnsupportedError(`kernel ${kernel.id} needs a WebGPU device; this peer has only the CPU reference`)
    }
    return kernel.cpuReference({ ...work, params: kernel.parseParams(work.params) })
  }

  async validateKernel (kernelId: string, params: unknown, inputs: readonly InputShape[]): Promise<void> {
    const kernel = getKernel(kernelId)
    kernel.validateInputs(kernel.parseParams(params), inputs)
    if (kernel.customCode) {
      throw new KernelUnsupportedError(`kernel ${kernelId}'s WGSL can only be checked on a WebGPU device; this peer has only the CPU reference`)
    }
  }

  async destroy (): Promise<void> {}
}
