import { LoopBudgetError } from '../../compute/errors.ts'
import type { ComputeDevice } from '../../compute/device.ts'
import type { ChunkWork } from '../../compute/kernel.ts'
import { MAX_CHUNKS, MAX_DIMENSION } from '../../protocols/announce.ts'
import type { LoadedProject } from './publish-request.ts'
import { PORTABLE_DEVICE_LIMITS, type ProjectPlan, type ProjectSpec } from './project-builder.ts'

/** A chunk long enough that lease round trips are noise, short enough to rebalance when a volunteer leaves. */
export const DEFAULT_SECONDS_PER_CHUNK = 3
/** The trial doubles its items until a run takes this long, so timer resolution and dispatch cost do not skew the rate. */
const TRIAL_MIN_SECONDS = 0.25
const TRIAL_FIRST_ITEMS = 64

interface TrialOptions {
  readonly secondsPerChunk: number
  /** The researcher set the items per chunk: the trial only checks that this device can run the kernel. */
  readonly fixedRowsPerChunk: boolean
}

/**
 * Runs the first items of a wgsl project on this peer's device and sizes
 * its chunks so one takes about `secondsPerChunk` here. A device that cuts
 * the kernel's loops short cannot time it (nor spot-check it later): the
 * chunks keep the default size, and the notes say so.
 */
export async function sizeChunksByTrial (spec: ProjectSpec, plan: ProjectPlan, device: ComputeDevice, options: TrialOptions): Promise<LoadedProject> {
  const data = spec.inputs.find(input => input.name === plan.kernel.splitInput)!.matrix
  const items = data.rows
  const maxRows = Math.min(plan.kernel.maxRowsPerChunk(plan.params, plan.shapes, PORTABLE_DEVICE_LIMITS), MAX_DIMENSION)
  const shared = Object.fromEntries(spec.inputs.filter(input => input.name !== plan.kernel.splitInput).map(({ name, matrix }) => [name, matrix]))
  const workOf = (count: number): ChunkWork => ({
    kernel: plan.kernel.id,
    params: plan.params,
    range: { index: 0, rowStart: 0, rowEnd: count },
    rows: data.data.subarray(0, count * data.cols),
    rowCols: data.cols,
    shared
  })
  const deviceName = device.info.description
  try {
    let count = Math.min(items, TRIAL_FIRST_ITEMS, maxRows)
    // The first run compiles the pipeline and uploads the shared inputs: not timed.
    await device.run(workOf(count))
    if (options.fixedRowsPerChunk) return { spec, notes: [`trial: ran ${count} items on ${deviceName}`] }
    for (;;) {
      const started = performance.now()
      await device.run(workOf(count))
      const seconds = (performance.now() - started) / 1000
      if (seconds >= TRIAL_MIN_SECONDS || count >= items || count >= maxRows) {
        const perItem = seconds / count
        const fewestRows = Math.ceil(items / MAX_CHUNKS)
        const rowsPerChunk = Math.max(1, fewestRows, Math.min(items, maxRows, Math.round(options.secondsPerChunk / Math.max(perItem, 1e-12))))
        const chunks = Math.ceil(items / rowsPerChunk)
        return {
          spec: { ...spec, rowsPerChunk },
          notes: [`trial: ${count.toLocaleString('en-US')} items in ${(seconds * 1000).toFixed(0)} ms on ${deviceName}; ` +
            `${rowsPerChunk.toLocaleString('en-US')} items per chunk (about ${duration(rowsPerChunk * perItem)} here), ${chunks.toLocaleString('en-US')} chunks`]
        }
      }
      count = Math.min(items, maxRows, count * 2)
    }
  } catch (err) {
    if (!(err instanceof LoopBudgetError)) throw err
    return {
      spec,
      notes: [`${deviceName}: ${err.message}, so this peer cannot time or spot-check the project; ` +
        'volunteers whose devices run it compute it, and their copies must agree (redundancy)']
    }
  }
}

/** `17 ms`, `2.9 s`: a chunk of a small project takes milliseconds. */
function duration (seconds: number): string {
  return seconds < 1 ? `${Math.max(1, Math.round(seconds * 1000))} ms` : `${seconds.toFixed(1)} s`
}
