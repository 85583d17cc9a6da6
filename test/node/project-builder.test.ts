import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { InputError } from '../../src/errors.ts'
import { planProject, TARGET_CHUNK_COUNT, type ProjectSpec } from '../../src/node/publish/project-builder.ts'

const matmul = (m: number, k: number, n: number, extra: Partial<ProjectSpec> = {}): ProjectSpec => ({
  name: 'plan',
  kernel: 'matmul',
  inputs: [{ name: 'a', matrix: generateMatrix(m, k, 1) }, { name: 'b', matrix: generateMatrix(k, n, 2) }],
  ...extra
})

test('by default a project is cut into about TARGET_CHUNK_COUNT chunks, spot-checked', () => {
  const plan = planProject(matmul(256, 16, 8))
  assert.equal(plan.rowsPerChunk, 256 / TARGET_CHUNK_COUNT)
  assert.equal(plan.chunkCount, TARGET_CHUNK_COUNT)
  assert.equal(plan.outputCols, 8)
  assert.deepEqual(plan.verification, { redundancy: 1, spotCheck: 0.05 })
  const small = planProject(matmul(5, 4, 3))
  assert.equal(small.rowsPerChunk, 1)
  assert.equal(small.chunkCount, 5)
})

test('rows per chunk is taken as given, capped at the rows there are and refused beyond what a device holds', () => {
  assert.equal(planProject(matmul(100, 4, 4, { rowsPerChunk: 30 })).chunkCount, 4)
  assert.equal(planProject(matmul(10, 4, 4, { rowsPerChunk: 500 })).chunkCount, 1)
  const limits = { maxStorageBufferBindingSize: 1024, maxBufferSize: 1024, maxComputeWorkgroupsPerDimension: 65_535 }
  assert.throws(() => planProject(matmul(100, 16, 4, { rowsPerChunk: 64 }), limits), /more than a device can hold/)
})

test('the kernel checks the inputs and the policy is checked, each as an InputError', () => {
  assert.throws(() => planProject(matmul(4, 3, 2, { inputs: [{ name: 'a', matrix: generateMatrix(4, 3, 1) }, { name: 'b', matrix: generateMatrix(5, 2, 1) }] })), InputError)
  assert.throws(() => planProject(matmul(4, 3, 2, { kernel: 'nope' })), /unknown kernel 'nope'/)
  assert.throws(() => planProject(matmul(4, 3, 2, { verification: { redundancy: 0 } })), /redundancy/)
  assert.throws(() => planProject(matmul(4, 3, 2, { name: '' })), /name/)
  assert.throws(() => planProject(matmul(4, 3, 2, { params: { tile: 8 } })), /matmul takes no params/)
})
