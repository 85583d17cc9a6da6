import { rm, writeFile } from 'node:fs/promises'
import { writeMatrixFile } from '../../compute/data/dataset.ts'
import { InputError } from '../../errors.ts'
import type { Kernel } from '../../compute/kernel.ts'
import type { MeshStore } from '../../store/store.ts'
import { floatsOf } from './floats.ts'
import { loadCheckpoint, loadRoundRecords } from './round-records.ts'
import type { ExportFormat, ExportSummary } from './export.ts'
import type { WorkProjectRecord } from './records.ts'
import type { AbortOptions } from '@libp2p/interface'

/** What a rounds project's export needs to know of its kernel. */
export interface RoundsLayout {
  readonly kernel: Kernel
  readonly params: unknown
  readonly stateShape: { readonly rows: number, readonly cols: number }
}

/**
 * A finished rounds project's result is its last state (centroids, a model):
 * written as the kernel says (a matrix with a label file beside it, or JSON),
 * else as the state matrix. `chunks` in the summary counts the rounds run.
 */
export async function exportState (
  store: Pick<MeshStore, 'checkpoints' | 'rounds'>, record: WorkProjectRecord, layout: RoundsLayout, format: ExportFormat, outPath: string, options: AbortOptions
): Promise<ExportSummary> {
  const rounds = await loadRoundRecords(store, record.projectId)
  const last = rounds.at(-1)
  if (record.status !== 'done' || last?.final !== true) {
    throw new InputError(`project ${record.projectId} is not done yet (${rounds.length} rounds closed)`)
  }
  options.signal?.throwIfAborted()
  const bytes = await loadCheckpoint(store, record.projectId, last.round)
  const state = bytes == null ? undefined : floatsOf(bytes)
  const { rows, cols } = layout.stateShape
  if (state == null || state.length !== rows * cols) throw new InputError(`project ${record.projectId}: the state of its last round is missing from the store`)
  const exported = layout.kernel.exportState?.(layout.params, state, layout.stateShape) ?? { kind: 'matrix', rows, cols, data: state }
  if (exported.kind === 'json') {
    if (format !== 'json') throw new InputError(`project ${record.projectId} exports a model of several matrices: use --format json`)
    await writeWhole(outPath, JSON.stringify(exported.value) + '\n')
    return { rows: 1, cols: 1, chunks: rounds.length, path: outPath }
  }
  if (format === 'png') throw new InputError(`project ${record.projectId} ends with a ${exported.rows}x${exported.cols} state; export it as npy, csv or json`)
  await writeMatrixFile(outPath, format, exported.rows, exported.cols, exported.data)
  if (exported.sidecar != null) await writeWhole(`${outPath}.${exported.sidecar.suffix}`, JSON.stringify(exported.sidecar.value) + '\n')
  return { rows: exported.rows, cols: exported.cols, chunks: rounds.length, path: outPath }
}

async function writeWhole (path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text)
  } catch (err: any) {
    await rm(path, { force: true })
    throw new InputError(`cannot write ${path} (${err?.code ?? err?.message})`)
  }
}
