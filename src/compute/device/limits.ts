import { ChunkTooLargeError } from '../errors.ts'
import type { ComputeLimits, GpuDispatch } from '../gpu-program.ts'

const MiB = 1024 * 1024

/** The GPU memory guard: refuses a dispatch whose buffers or workgroup counts exceed the device's limits. */
export function checkDispatchFits (dispatch: GpuDispatch, limits: ComputeLimits): void {
  const bufferLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
  const buffers = [
    ...dispatch.inputs.map((input, i) => ({ what: `input ${i + 1}`, bytes: input.data.byteLength })),
    { what: 'the output', bytes: dispatch.outputLength * 4 }
  ]
  for (const { what, bytes } of buffers) {
    if (bytes === 0) throw new ChunkTooLargeError(`chunk has an empty buffer for ${what}`)
    if (bytes > bufferLimit) {
      throw new ChunkTooLargeError(`chunk needs ${(bytes / MiB).toFixed(1)} MiB for ${what}; this device allows ${(bufferLimit / MiB).toFixed(1)} MiB per buffer (use fewer rows per chunk)`)
    }
  }
  const widest = Math.max(...dispatch.workgroups)
  if (widest > limits.maxComputeWorkgroupsPerDimension) {
    throw new ChunkTooLargeError(`chunk needs ${widest} workgroups in one dimension; this device allows ${limits.maxComputeWorkgroupsPerDimension} (use fewer rows per chunk)`)
  }
  if (dispatch.inputs.length + 1 > limits.maxStorageBuffersPerShaderStage) {
    throw new ChunkTooLargeError(`kernel needs ${dispatch.inputs.length + 1} storage buffers; this device allows ${limits.maxStorageBuffersPerShaderStage}`)
  }
}
