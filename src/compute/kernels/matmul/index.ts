import { KernelInputError, type ChunkWork, type DeviceLimits, type InputShape, type Kernel } from '../../kernel.ts'
import { dotProductTolerance, compareWithin } from '../../verify.ts'
import { matmulCpu } from './cpu.ts'
import { planMatmul, matmulProgram } from './plan.ts'
import { smallestTileRows } from './tiles.ts'

/** matmul takes no parameters: the shapes of A and B say everything. */
export type MatmulParams = Record<string, never>

/**
 * fp32 C = A x B. A (`a`, m x k) is split by rows into chunks; B (`b`, k x n)
 * is shared by every chunk; chunk i computes the same rows of C (m x n).
 */
export const matmulKernel: Kernel<MatmulParams> = {
  id: 'matmul',
  description: 'fp32 matrix product C = A x B, split by rows of A',
  customCode: false,
  splitInput: 'a',
  hasCpuReference: true,

  sharedInputs: () => ['b'],

  parseParams (value: unknown): MatmulParams {
    if (value == null) return {}
    if (typeof value !== 'object' || Array.isArray(value)) throw new KernelInputError('matmul params must be an empty object')
    const keys = Object.keys(value)
    if (keys.length > 0) throw new KernelInputError(`matmul takes no params (got ${keys.join(', ')})`)
    return {}
  },

  validateInputs (_params, inputs): void {
    const { a, b } = shapesOf(inputs)
    if (a.cols !== b.rows) {
      throw new KernelInputError(`matmul: A is ${a.rows}x${a.cols} and B is ${b.rows}x${b.cols}; A's columns (${a.cols}) must equal B's rows (${b.rows})`)
    }
  },

  outputCols: (_params, inputs) => shapesOf(inputs).b.cols,

  flops (_params, inputs, range): number {
    const { a, b } = shapesOf(inputs)
    return 2 * (range.rowEnd - range.rowStart) * a.cols * b.cols
  },

  maxRowsPerChunk (_params, inputs, limits: DeviceLimits): number {
    const { a, b } = shapesOf(inputs)
    const bufferLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
    if (a.cols * b.cols * 4 > bufferLimit) return 0
    return Math.max(0, Math.min(
      Math.floor(bufferLimit / (a.cols * 4)),
      Math.floor(bufferLimit / (b.cols * 4)),
      limits.maxComputeWorkgroupsPerDimension * smallestTileRows
    ))
  },

  compare (_params, inputs, expected, actual) {
    return compareWithin(expected, actual, dotProductTolerance(shapesOf(inputs).a.cols))
  },

  cpuReference (work: ChunkWork<MatmulParams>): Float32Array {
    const b = work.shared.b
    if (b == null) throw new KernelInputError('matmul: the shared input b is missing')
    const m = work.range.rowEnd - work.range.rowStart
    if (work.rows.length !== m * work.rowCols || b.rows !== work.rowCols) {
      throw new KernelInputError(`matmul: chunk of ${m}x${work.rowCols} does not match B ${b.rows}x${b.cols}`)
    }
    return matmulCpu(work.rows, b.data, m, work.rowCols, b.cols)
  },

  gpu: { program: matmulProgram, plan: planMatmul }
}

function shapesOf (inputs: readonly InputShape[]): { a: InputShape, b: InputShape } {
  const a = inputs.find(i => i.name === 'a')
  const b = inputs.find(i => i.name === 'b')
  if (a == null || b == null) throw new KernelInputError('matmul needs two inputs named a and b')
  const extra = inputs.filter(i => i.name !== 'a' && i.name !== 'b')
  if (extra.length > 0) throw new KernelInputError(`matmul takes only inputs a and b (got ${extra.map(i => i.name).join(', ')})`)
  return { a, b }
}
