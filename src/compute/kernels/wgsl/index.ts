import { KernelInputError, type ChunkWork, type DeviceLimits, type InputShape, type Kernel } from '../../kernel.ts'
import { KernelUnsupportedError } from '../../errors.ts'
import { foldRows } from '../../reduce.ts'
import { compareWithin } from '../../verify.ts'
import { splitSeed } from '../../random/philox.ts'
import { parseWgslParams, type WgslParams } from './params.ts'
import { wgslProgram, WGSL_MAX_GROUPS_X, WGSL_WORKGROUP_SIZE, type ProgramShapes } from './program.ts'
import { aggregatedCols, STATE_INPUT } from '../../rounds.ts'

/**
 * The general kernel: the researcher's `fn compute_item(i: u32) ->
 * array<f32, OUT_COLS>` computed for every item of the project. Items are
 * the rows of the `data` input, chunked by rows as for map; in an
 * index-only project (`--items N`) `data` has no columns and carries no
 * bytes. Shared inputs travel once per volunteer; params and the Philox
 * seed ride in a uniform. There is no CPU reference: results are verified by
 * redundancy and by spot checks on the researcher's own WebGPU device.
 */
export const wgslKernel: Kernel<WgslParams> = {
  id: 'wgsl',
  description: "a researcher's WGSL function compute_item(i) for every item, with shared inputs, params, random numbers and reductions",
  customCode: true,
  splitInput: 'data',
  hasCpuReference: false,

  // A rounds project's state binds after the researcher's shared inputs.
  sharedInputs: (params) => params.rounds != null ? [...params.shared, STATE_INPUT] : [...params.shared],
  rounds: (params) => params.rounds,

  parseParams: parseWgslParams,

  validateInputs (params, inputs): void {
    const { data, shared } = shapesOf(params, inputs)
    if (data.rows !== params.items) throw new KernelInputError(`wgsl: the project has ${params.items} items but its data has ${data.rows} rows`)
    for (const input of shared) {
      if (input.rows < 1 || input.cols < 1) throw new KernelInputError(`shared input ${input.name} is ${input.rows}x${input.cols}; it must have at least one row and one column`)
    }
    const rounds = params.rounds
    const state = shared.find(input => input.name === STATE_INPUT)
    if (rounds != null && state != null) {
      const needed = aggregatedCols(rounds.aggregate, state.rows, state.cols)
      if (params.outCols !== needed) {
        const layout = rounds.aggregate === 'weighted-mean' ? ` (each of the ${state.rows} state rows: ${state.cols} weighted values, then its weight)` : ''
        throw new KernelInputError(`wgsl: with --aggregate ${rounds.aggregate} and a ${state.rows}x${state.cols} state, compute_item returns ${needed} values${layout}; --out-cols is ${params.outCols}`)
      }
    }
  },

  outputCols: (params) => params.outCols,

  flops: (params, _inputs, range) => (params.flopsPerItem ?? 0) * (range.rowEnd - range.rowStart),
  flopsKnown: (params) => params.flopsPerItem != null,
  reduce: (params) => params.reduce,
  image: (params) => params.image,

  maxRowsPerChunk (params, inputs, limits: DeviceLimits): number {
    const { data } = shapesOf(params, inputs)
    const bufferLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
    const outputRowBytes = params.reduce == null ? params.outCols * 4 : params.outCols * 4 / WGSL_WORKGROUP_SIZE
    const perRow = Math.max(data.cols * 4, outputRowBytes)
    const groupsLimit = limits.maxComputeWorkgroupsPerDimension * Math.min(limits.maxComputeWorkgroupsPerDimension, WGSL_MAX_GROUPS_X)
    return Math.min(Math.floor(bufferLimit / perRow), groupsLimit * WGSL_WORKGROUP_SIZE)
  },

  compare: (params, _inputs, expected, actual) => compareWithin(expected, actual, params.tolerance),

  cpuReference (): Float32Array {
    throw new KernelUnsupportedError('a wgsl project has no CPU reference: its function is WGSL and runs only on a WebGPU device')
  },

  gpu: {
    program: (params, inputs) => wgslProgram(params, programShapes(params, inputs)),
    plan (work: ChunkWork<WgslParams>) {
      const params = work.params
      const items = work.range.rowEnd - work.range.rowStart
      if (work.rows.length !== items * work.rowCols) {
        throw new KernelInputError(`wgsl: chunk of ${items} items has ${work.rows.length} data values, expected ${items * work.rowCols}`)
      }
      const shared = wgslKernel.sharedInputs(params).map(name => {
        const input = work.shared[name]
        if (input == null) throw new KernelInputError(`wgsl: the shared input ${name} is missing`)
        return { name, ...input }
      })
      const groups = Math.ceil(items / WGSL_WORKGROUP_SIZE)
      const groupsX = Math.min(groups, WGSL_MAX_GROUPS_X)
      const groupsY = Math.ceil(groups / groupsX)
      const [seedLo, seedHi] = splitSeed(BigInt(params.seed))
      const reduce = params.reduce
      const round = params.rounds != null ? [work.round ?? 0] : []
      return {
        program: wgslProgram(params, { inCols: work.rowCols, shared: shared.map(({ name, rows, cols }) => ({ name, rows, cols })) }),
        uniforms: new Uint32Array([work.range.rowStart, items, groupsX, seedLo, seedHi, ...round, ...params.params.map(p => bitsOf(p.type, p.value))]),
        // An index-only chunk still binds its (empty) dataset: WebGPU has no zero-sized bindings.
        inputs: [
          { data: work.rows.length > 0 ? work.rows : new Float32Array(1), immutable: false },
          ...shared.map(s => ({ data: s.data, immutable: true }))
        ],
        outputLength: (reduce == null ? items : groupsX * groupsY) * params.outCols,
        workgroups: [groupsX, groupsY, 1],
        ...(reduce == null ? {} : { finish: (partials: Float32Array) => foldRows(reduce, partials, params.outCols) })
      }
    }
  }
}

function shapesOf (params: WgslParams, inputs: readonly InputShape[]): { data: InputShape, shared: InputShape[] } {
  const data = inputs.find(i => i.name === 'data')
  if (data == null) throw new KernelInputError('a wgsl project needs its items as the input named data')
  const shared = wgslKernel.sharedInputs(params).map(name => {
    const input = inputs.find(i => i.name === name)
    if (input == null) throw new KernelInputError(name === STATE_INPUT ? 'wgsl: a rounds project needs its initial state (--state FILE)' : `wgsl: the shared input ${name} is missing`)
    return input
  })
  const known = new Set(['data', ...wgslKernel.sharedInputs(params)])
  const extra = inputs.filter(i => !known.has(i.name))
  if (extra.length > 0) throw new KernelInputError(`wgsl: inputs ${extra.map(i => i.name).join(', ')} are not among the shared inputs`)
  return { data, shared }
}

function programShapes (params: WgslParams, inputs: readonly InputShape[]): ProgramShapes {
  const { data, shared } = shapesOf(params, inputs)
  return { inCols: data.cols, shared: shared.map(({ name, rows, cols }) => ({ name, rows, cols })) }
}

/** A param's bits in the uniform: f32 as IEEE-754, i32 as two's complement. */
function bitsOf (type: WgslParams['params'][number]['type'], value: number): number {
  if (type === 'f32') return new Uint32Array(Float32Array.of(value).buffer)[0]!
  return value >>> 0
}
