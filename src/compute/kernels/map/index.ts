import { KernelInputError, type InputShape, type Kernel } from '../../kernel.ts'
import { KernelUnsupportedError } from '../../errors.ts'
import { compareWithin } from '../../verify.ts'
import { parseMapParams, MAX_ROW_COLS, type MapParams } from './params.ts'
import { mapProgram, MAP_MAX_GROUPS_X, MAP_WORKGROUP_SIZE } from './wgsl.ts'

/**
 * A researcher's WGSL function applied to every row of a numeric dataset
 * (`data`, rows x cols): output row i = map_row(input row i), outCols wide.
 * The function is WGSL, so there is no CPU reference: results are verified by
 * redundancy (volunteers' results must agree within params.tolerance).
 */
export const mapKernel: Kernel<MapParams> = {
  id: 'map',
  description: "a researcher's WGSL function map_row applied to every row of a dataset",
  customCode: true,
  splitInput: 'data',
  hasCpuReference: false,

  sharedInputs: () => [],

  parseParams: parseMapParams,

  validateInputs (_params, inputs): void {
    const data = dataShape(inputs)
    if (data.cols > MAX_ROW_COLS) throw new KernelInputError(`map: the dataset has ${data.cols} columns; at most ${MAX_ROW_COLS} are supported`)
  },

  outputCols: (params) => params.outCols,

  /** One FLOP per input and output value: a nominal figure, as the function is arbitrary. */
  flops: (params, inputs, range) => (range.rowEnd - range.rowStart) * (dataShape(inputs).cols + params.outCols),

  maxRowsPerChunk (params, inputs, limits): number {
    const bufferLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
    const widest = Math.max(dataShape(inputs).cols, params.outCols)
    const groupsLimit = limits.maxComputeWorkgroupsPerDimension * Math.min(limits.maxComputeWorkgroupsPerDimension, MAP_MAX_GROUPS_X)
    return Math.min(Math.floor(bufferLimit / (widest * 4)), groupsLimit * MAP_WORKGROUP_SIZE)
  },

  compare: (params, _inputs, expected, actual) => compareWithin(expected, actual, params.tolerance),

  cpuReference (): Float32Array {
    throw new KernelUnsupportedError('map has no CPU reference: its function is WGSL and runs only on a WebGPU device')
  },

  gpu: {
    program: (params, inputs) => mapProgram(params.wgsl, dataShape(inputs).cols, params.outCols),
    plan (work) {
      const rows = work.range.rowEnd - work.range.rowStart
      if (work.rows.length !== rows * work.rowCols) {
        throw new KernelInputError(`map: chunk of ${rows} rows has ${work.rows.length} values, expected ${rows * work.rowCols}`)
      }
      const groups = Math.ceil(rows / MAP_WORKGROUP_SIZE)
      const groupsX = Math.min(groups, MAP_MAX_GROUPS_X)
      return {
        program: mapProgram(work.params.wgsl, work.rowCols, work.params.outCols),
        uniforms: new Uint32Array([rows, groupsX]),
        inputs: [{ data: work.rows, immutable: false }],
        outputLength: rows * work.params.outCols,
        workgroups: [groupsX, Math.ceil(groups / groupsX), 1]
      }
    }
  }
}

function dataShape (inputs: readonly InputShape[]): InputShape {
  const data = inputs.find(i => i.name === 'data')
  if (data == null) throw new KernelInputError('map needs one input named data')
  const extra = inputs.filter(i => i.name !== 'data')
  if (extra.length > 0) throw new KernelInputError(`map takes only the input data (got ${extra.map(i => i.name).join(', ')})`)
  return data
}
