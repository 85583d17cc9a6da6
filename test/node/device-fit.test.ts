import assert from 'node:assert/strict'
import { test } from 'node:test'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { deviceFitProblem } from '../../src/node/volunteer/device-fit.ts'
import type { ComputeLimits } from '../../src/compute/gpu-program.ts'

const MiB = 1024 * 1024
// WebGPU's default limits, which every adapter meets.
const defaults: ComputeLimits = {
  maxStorageBufferBindingSize: 128 * MiB,
  maxBufferSize: 256 * MiB,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxStorageBuffersPerShaderStage: 8
}
const matmul = getKernel('matmul')
const params = matmul.parseParams({})
const input = (name: string, rows: number, cols: number): { name: string, rows: number, cols: number, hash: string, size: number } =>
  ({ name, rows, cols, hash: '0'.repeat(64), size: rows * cols * 4 })

test('given shared inputs within the device limits, the project fits', () => {
  assert.equal(deviceFitProblem(matmul, params, { inputs: [input('a', 1024, 1024), input('b', 1024, 1024)], rowsPerChunk: 64 }, defaults), undefined)
})

test('given a shared input larger than the device binds, the volunteer is told which input and which limit', () => {
  // B is 1024 x 40,000 fp32 = 156 MiB, over the 128 MiB binding limit.
  const problem = deviceFitProblem(matmul, params, { inputs: [input('a', 64, 1024), input('b', 1024, 40_000)], rowsPerChunk: 8 }, defaults)
  assert.match(problem ?? '', /shared input b is 156\.3 MiB; this device binds at most 128\.0 MiB per buffer \(maxStorageBufferBindingSize\)/)
})

test('given a device with fewer storage buffers than the kernel binds, the limit is named', () => {
  const problem = deviceFitProblem(matmul, params, { inputs: [input('a', 64, 64), input('b', 64, 64)], rowsPerChunk: 8 }, { ...defaults, maxStorageBuffersPerShaderStage: 2 })
  assert.match(problem ?? '', /binds 3 storage buffers; this device allows 2 \(maxStorageBuffersPerShaderStage\)/)
})

test('given chunks larger than the device holds, the chunk size is named', () => {
  const problem = deviceFitProblem(matmul, params, { inputs: [input('a', 100_000, 1024), input('b', 1024, 64)], rowsPerChunk: 50_000 }, { ...defaults, maxStorageBufferBindingSize: 64 * MiB })
  assert.match(problem ?? '', /chunks of 50,000 rows exceed the [\d,]+ rows this device can hold per chunk/)
})

test('given the CPU reference device (no GPU limits), nothing is refused', () => {
  const cpu = { ...defaults, maxStorageBuffersPerShaderStage: 0, maxStorageBufferBindingSize: 1 }
  assert.equal(deviceFitProblem(matmul, params, { inputs: [input('a', 64, 64), input('b', 64, 64)], rowsPerChunk: 8 }, cpu), undefined)
})
