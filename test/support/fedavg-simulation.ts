import type { ComputeDevice } from '../../src/compute/device.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'
import { planChunks } from '../../src/compute/kernel.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { aggregatedCols, aggregateRound, sumExtras, STATE_INPUT } from '../../src/compute/rounds.ts'
import type { ProjectSpec } from '../../src/node/publish/project-builder.ts'
import type { LabelledExamples } from './centralised-train.ts'

export interface FedAvgRun {
  /** The state after the last round. */
  readonly state: Float32Array
  /** Each round's figures, as the researcher reports them. */
  readonly figures: ReadonlyArray<Record<string, number>>
}

/**
 * A train project's rounds as the mesh runs them, without the network: the
 * `data` input cut into chunks of `rowsPerChunk` rows, every chunk of every
 * round computed on `device`, the round's rows folded by the kernel's
 * aggregator in chunk order, the figures computed as the researcher does.
 */
export async function simulateFedAvg (device: ComputeDevice, spec: ProjectSpec, rowsPerChunk: number): Promise<FedAvgRun> {
  const kernel = getKernel(spec.kernel)
  const params = kernel.parseParams(spec.params)
  const input = (name: string): Matrix | undefined => spec.inputs.find(i => i.name === name)?.matrix
  const data = input(kernel.splitInput)!
  const initial = input(STATE_INPUT)!
  const researcherInputs = Object.fromEntries((kernel.researcherInputs?.(params) ?? []).map(name => [name, input(name)!]))
  const plan = kernel.rounds!(params)!
  const extrasFrom = aggregatedCols(plan.aggregate, initial.rows, initial.cols)
  const extraCols = kernel.roundExtraCols?.(params) ?? 0
  let state = initial.data
  const figures: Array<Record<string, number>> = []
  for (let round = 0; round < plan.count; round++) {
    const rows: Float32Array[] = []
    for (const range of planChunks(data.rows, rowsPerChunk)) {
      rows.push(await device.run({
        kernel: kernel.id,
        params,
        range,
        rows: data.data.subarray(range.rowStart * data.cols, range.rowEnd * data.cols),
        rowCols: data.cols,
        shared: { [STATE_INPUT]: { data: state, rows: initial.rows, cols: initial.cols } },
        round
      }))
    }
    const previous = state
    state = aggregateRound(plan.aggregate, previous, initial.rows, initial.cols, rows)
    figures.push(kernel.roundFigures?.(params, { round, previous, state, extras: sumExtras(rows, extrasFrom, extraCols), researcherInputs }) ?? {})
  }
  return { state, figures }
}

/** A labelled matrix (features, then the class index) as plain examples. */
export function examplesOf (matrix: Matrix): LabelledExamples {
  const features = matrix.cols - 1
  const x: number[][] = []
  const y: number[] = []
  for (let r = 0; r < matrix.rows; r++) {
    x.push(Array.from(matrix.data.subarray(r * matrix.cols, r * matrix.cols + features)))
    y.push(matrix.data[r * matrix.cols + features]!)
  }
  return { x, y }
}
