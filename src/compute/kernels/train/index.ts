import { KernelInputError, type ChunkWork, type DeviceLimits, type InputShape, type Kernel, type StateExport } from '../../kernel.ts'
import { STATE_INPUT } from '../../rounds.ts'
import { compareTrainRows } from './compare.ts'
import { evaluate, mlpLayout, nestedRows, stateShape } from './model.ts'
import { parseTrainParams, type TrainParams } from './params.ts'
import { planTrain, trainOutputCols, trainProgram, trainWorkgroupSize } from './program.ts'
import { TRAIN_EXTRA_COLS, trainChunkCpu } from './sgd-cpu.ts'

export type { TrainParams } from './params.ts'

/** The researcher's held-out set, never leased. */
export const TEST_INPUT = 'test'

/**
 * Federated averaging (FedAvg) of a softmax or MLP classifier. `data` (n x
 * (F+1): features, then the class index) is split into shards; each round,
 * every chunk trains the round's weights (the `state`, layout in model.ts)
 * for localEpochs epochs of minibatch SGD on its shard and returns n *
 * weights with its n, so the weighted-mean aggregator makes the next state
 * the example-weighted mean of the volunteers' models. Extras: the summed
 * cross-entropy of the last local epoch's examples (each taken when its
 * minibatch was reached, before that minibatch's step) and their count.
 */
export const trainKernel: Kernel<TrainParams> = {
  id: 'train',
  description: 'federated averaging of a softmax or MLP classifier: rounds of local minibatch SGD on each shard',
  customCode: false,
  splitInput: 'data',
  hasCpuReference: true,

  sharedInputs: () => [STATE_INPUT],
  researcherInputs: (params) => params.hasTest ? [TEST_INPUT] : [],

  parseParams: parseTrainParams,

  validateInputs (params, inputs): void {
    const expected = new Map<string, { rows?: number, cols: number }>([
      ['data', { cols: params.features + 1 }],
      [STATE_INPUT, stateShape(params)],
      ...(params.hasTest ? [[TEST_INPUT, { cols: params.features + 1 }] as const] : [])
    ])
    for (const [name, shape] of expected) {
      const input = inputs.find(i => i.name === name)
      if (input == null) throw new KernelInputError(`train: the input ${name} is missing`)
      if (input.cols !== shape.cols || (shape.rows != null && input.rows !== shape.rows)) {
        const want = shape.rows != null ? `${shape.rows}x${shape.cols}` : `${shape.cols} columns (${params.features} features and the label)`
        throw new KernelInputError(`train: input ${name} is ${input.rows}x${input.cols}; it must be ${want}`)
      }
      if (input.rows < 1) throw new KernelInputError(`train: input ${name} has no rows`)
    }
    const extra = inputs.filter(i => !expected.has(i.name))
    if (extra.length > 0) throw new KernelInputError(`train: inputs ${extra.map(i => i.name).join(', ')} are not data, ${STATE_INPUT}${params.hasTest ? ` or ${TEST_INPUT}` : ''}`)
  },

  outputCols: (params) => trainOutputCols(params),

  flops: (params, _inputs, range) => trainFlops(params, range.rowEnd - range.rowStart),

  rounds: (params) => params.rounds,
  roundExtraCols: () => TRAIN_EXTRA_COLS,

  roundFigures (params, closed): Record<string, number> {
    const [lossSum = 0, examples = 0] = closed.extras
    const figures: Record<string, number> = { loss: examples > 0 ? lossSum / examples : NaN }
    const test = closed.researcherInputs[TEST_INPUT]
    if (test != null) {
      const { accuracy, loss } = evaluate(params, closed.state, test)
      figures.accuracy = accuracy
      figures.testLoss = loss
    }
    return figures
  },

  exportState (params, state): StateExport {
    const { features: F, classes: C } = params
    if (params.model === 'softmax') {
      return { kind: 'matrix', rows: F + 1, cols: C, data: state, sidecar: { suffix: 'labels.json', value: { labels: [...params.labels] } } }
    }
    const H = params.hidden!
    const at = mlpLayout(F, H, C)
    return {
      kind: 'json',
      value: {
        W1: nestedRows(state.subarray(at.w1, at.b1), F, H),
        b1: Array.from(state.subarray(at.b1, at.w2)),
        W2: nestedRows(state.subarray(at.w2, at.b2), H, C),
        b2: Array.from(state.subarray(at.b2, at.size)),
        labels: [...params.labels]
      }
    }
  },

  maxRowsPerChunk (params, _inputs, limits: DeviceLimits): number {
    const bufferLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
    return Math.max(0, Math.min(
      Math.floor(bufferLimit / ((params.features + 1) * 4)),
      Math.floor(bufferLimit / (params.localEpochs * 4)),
      // Shuffled indices travel as f32, exact below 2^24.
      1 << 24
    ))
  },

  compare: (params, _inputs, expected, actual) => compareTrainRows(params, params.tolerance, expected, actual),

  cpuReference: (work: ChunkWork<TrainParams>) => trainChunkCpu(work),

  gpu: {
    program: (params, _inputs: readonly InputShape[], capabilities) => trainProgram(params, trainWorkgroupSize(capabilities)),
    plan: planTrain
  }
}

/**
 * Floating-point operations of training n examples: per example and epoch,
 * the forward pass (2 per multiply-add, ~5 per class for the softmax), the
 * backward pass (deltas and each weight's gradient term); per minibatch the
 * step (2 per weight); at the end the weighted row (1 per weight).
 */
export function trainFlops (params: TrainParams, n: number): number {
  const { features: F, classes: C } = params
  const H = params.hidden ?? 0
  const weights = params.model === 'mlp' ? mlpLayout(F, H, C).size : (F + 1) * C
  const perExample = params.model === 'mlp'
    ? (2 * F * H + 2 * H) + (2 * H * C + C) + 5 * C + (2 * H * C) + 2 * weights
    : (2 * F * C + C) + 5 * C + 2 * weights
  const batches = Math.ceil(n / params.batch)
  return params.localEpochs * (n * perExample + batches * 2 * weights) + weights
}
