import { createMatrixWriter, type MatrixFormat } from '../../compute/data/dataset.ts'
import { chunkPrefixRange, type MeshStore } from '../../store/store.ts'
import { CorruptResultError, ProjectNotDoneError, UnknownProjectError } from './errors.ts'
import { floatsOf } from './floats.ts'
import { loadProjectRecord } from './records.ts'
import type { AbortOptions } from '@libp2p/interface'

export interface ExportSummary {
  readonly rows: number
  readonly cols: number
  readonly chunks: number
  readonly path: string
}

/**
 * Streams a finished project's verified results, in chunk order, into a
 * .npy, CSV or JSON file through the compute engine's matrix writer: one
 * chunk in memory at a time, never the whole output. Throws
 * UnknownProjectError / ProjectNotDoneError (InputErrors) for a project that
 * is not an own finished one; a half-written file is removed.
 */
export async function exportProject (
  store: Pick<MeshStore, 'projectState' | 'results'>,
  projectId: string,
  format: MatrixFormat,
  outPath: string,
  options: AbortOptions = {}
): Promise<ExportSummary> {
  const record = await loadProjectRecord(store, projectId)
  if (record == null) throw new UnknownProjectError(projectId)
  let verified = 0
  for await (const _ of store.results.keys(chunkPrefixRange(projectId))) verified++
  if (verified < record.chunkCount) throw new ProjectNotDoneError(projectId, verified, record.chunkCount)

  const writer = await createMatrixWriter(outPath, format, record.rows, record.outputCols)
  try {
    let expected = 0
    for await (const [key, bytes] of store.results.iterator(chunkPrefixRange(projectId))) {
      options.signal?.throwIfAborted()
      const index = Number(key.slice(projectId.length + 1))
      const rows = Math.min(record.rowsPerChunk, record.rows - index * record.rowsPerChunk)
      if (index !== expected || bytes.byteLength !== rows * record.outputCols * 4) {
        throw new CorruptResultError(`result of chunk ${index} of ${projectId} does not fit (expected chunk ${expected}, ${rows}x${record.outputCols} fp32)`)
      }
      await writer.write(floatsOf(bytes))
      expected++
    }
    await writer.close()
    return { rows: record.rows, cols: record.outputCols, chunks: expected, path: outPath }
  } catch (err) {
    await writer.abort()
    throw err
  }
}
