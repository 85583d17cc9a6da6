import { KernelInputError, type ChunkWork, type DeviceLimits, type InputShape, type Kernel } from '../../kernel.ts'
import { aggregatedCols, STATE_INPUT } from '../../rounds.ts'
import { compareKmeans } from './compare.ts'
import { kmeansChunkCpu } from './cpu.ts'
import { pointsPerWorkgroup, rowValues } from './layout.ts'
import { MAX_ROW_VALUES, parseKmeansParams, type KmeansParams } from './params.ts'
import { kmeansProgram, planKmeans } from './program.ts'

export type { KmeansParams } from './params.ts'

/**
 * k-means by Lloyd's algorithm, one round per assignment and update step.
 * The points (`data`, n x D) are split by rows; the round's centroids
 * (`state`, k x D) are shared. A chunk assigns each of its points to the
 * nearest centroid and returns, per centroid, the sum of its points and
 * their count, then its inertia; the weighted-mean aggregator divides the
 * round's sums by its counts, and a centroid no point chose keeps its place.
 * The final state is the centroids matrix, exported as it is.
 */
export const kmeansKernel: Kernel<KmeansParams> = {
  id: 'kmeans',
  description: "k-means clustering (Lloyd's algorithm): per round, points to their nearest centroid, centroids to their points' mean",
  customCode: false,
  splitInput: 'data',
  hasCpuReference: true,

  sharedInputs: () => [STATE_INPUT],

  parseParams: parseKmeansParams,

  validateInputs (params, inputs): void {
    const { data, state } = shapesOf(inputs)
    if (data.cols < 1 || data.rows < 1) throw new KernelInputError(`kmeans: the data is ${data.rows}x${data.cols}; it needs at least one point and one column`)
    if (state.cols !== data.cols) throw new KernelInputError(`the initial centroids have ${state.cols} columns but the data has ${data.cols}`)
    if (params.k > data.rows) throw new KernelInputError(`k (${params.k}) is larger than the number of points (${data.rows})`)
    if (state.rows !== params.k) throw new KernelInputError(`there are ${state.rows} initial centroids but k is ${params.k}`)
    const row = rowValues(params.k, data.cols)
    if (row > MAX_ROW_VALUES) {
      throw new KernelInputError(`kmeans: k (${params.k}) x (${data.cols} columns + 1) makes rows of ${row} values, more than the ${MAX_ROW_VALUES} a chunk may return`)
    }
  },

  outputCols: (params, inputs) => aggregatedCols('weighted-mean', params.k, shapesOf(inputs).data.cols) + 1,

  rounds: (params) => params.rounds,
  roundExtraCols: () => 1,
  roundFigures: (_params, closed) => ({ inertia: closed.extras[0] ?? 0 }),

  /** Per point: a subtraction, a multiplication and an addition per centroid and dimension, then D + 1 additions into its centroid's sums. */
  flops (params, inputs, range): number {
    const dims = shapesOf(inputs).data.cols
    return (range.rowEnd - range.rowStart) * (3 * params.k * dims + dims + 1)
  },

  maxRowsPerChunk (params, inputs, limits: DeviceLimits): number {
    const dims = shapesOf(inputs).data.cols
    const bufferLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
    if (params.k * dims * 4 > bufferLimit) return 0
    const perGroup = pointsPerWorkgroup(params.k, dims)
    const partialBytes = rowValues(params.k, dims) * 4
    return Math.max(0, Math.min(
      Math.floor(bufferLimit / (dims * 4)),
      Math.floor(bufferLimit / partialBytes) * perGroup,
      limits.maxComputeWorkgroupsPerDimension * perGroup
    ))
  },

  compare: (params, inputs, expected, actual) => compareKmeans(params.k, inputs, expected, actual),

  cpuReference (work: ChunkWork<KmeansParams>): Float32Array {
    const { k } = work.params
    const state = work.shared[STATE_INPUT]
    if (state == null) throw new KernelInputError('kmeans: the shared input state (the centroids) is missing')
    const count = work.range.rowEnd - work.range.rowStart
    if (state.rows !== k || state.cols !== work.rowCols || state.data.length !== k * work.rowCols || work.rows.length !== count * work.rowCols) {
      throw new KernelInputError(`kmeans: a chunk of ${count}x${work.rowCols} points does not match the ${state.rows}x${state.cols} centroids for k = ${k}`)
    }
    return kmeansChunkCpu(work.rows, count, work.rowCols, state.data, k)
  },

  gpu: {
    program: (params, inputs) => kmeansProgram(params.k, shapesOf(inputs).data.cols),
    plan: planKmeans
  }
}

function shapesOf (inputs: readonly InputShape[]): { data: InputShape, state: InputShape } {
  const data = inputs.find(i => i.name === 'data')
  const state = inputs.find(i => i.name === STATE_INPUT)
  if (data == null || state == null) throw new KernelInputError('kmeans needs two inputs: data (the points) and state (the initial centroids)')
  const extra = inputs.filter(i => i.name !== 'data' && i.name !== STATE_INPUT)
  if (extra.length > 0) throw new KernelInputError(`kmeans takes only inputs data and state (got ${extra.map(i => i.name).join(', ')})`)
  return { data, state }
}
