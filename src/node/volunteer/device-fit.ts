import type { ComputeLimits } from '../../compute/gpu-program.ts'
import type { Kernel } from '../../compute/kernel.ts'
import type { ProjectManifest } from '../../protocols/manifest-codec.ts'

const MiB = 1024 * 1024

/**
 * Why this device cannot hold a project's buffers, or undefined when it can:
 * checked before joining, so a volunteer declines the project with the reason
 * instead of failing each chunk it leases. A publish checks against WebGPU's
 * default limits, which every adapter meets; a researcher may still bind more
 * than a small device (a phone, an integrated GPU) offers.
 */
export function deviceFitProblem (kernel: Kernel<any>, params: unknown, project: Pick<ProjectManifest, 'inputs' | 'rowsPerChunk'>, limits: ComputeLimits | undefined): string | undefined {
  // The CPU reference has no GPU limits (it reports 0 storage buffers).
  if (limits == null || limits.maxStorageBuffersPerShaderStage === 0) return undefined
  const bufferLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
  const limitName = limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize'
  const sharedNames: readonly string[] = kernel.sharedInputs(params)
  const shared = project.inputs.filter(input => sharedNames.includes(input.name))
  for (const input of shared) {
    if (input.size > bufferLimit) {
      return `shared input ${input.name} is ${(input.size / MiB).toFixed(1)} MiB; this device binds at most ${(bufferLimit / MiB).toFixed(1)} MiB per buffer (${limitName})`
    }
  }
  // Bindings: the split input, each shared input, the output.
  const buffers = shared.length + 2
  if (buffers > limits.maxStorageBuffersPerShaderStage) {
    return `the kernel binds ${buffers} storage buffers; this device allows ${limits.maxStorageBuffersPerShaderStage} (maxStorageBuffersPerShaderStage)`
  }
  const shapes = project.inputs.map(({ name, rows, cols }) => ({ name, rows, cols }))
  const maxRows = kernel.maxRowsPerChunk(params, shapes, limits)
  if (project.rowsPerChunk > maxRows) {
    return `its chunks of ${project.rowsPerChunk.toLocaleString('en-US')} rows exceed the ${maxRows.toLocaleString('en-US')} rows this device can hold per chunk`
  }
  return undefined
}
