import { writeFile, rm } from 'node:fs/promises'
import { createMatrixWriter, writeMatrixFile, type MatrixFormat } from '../../compute/data/dataset.ts'
import { encodePng, type ImageChannels } from '../../compute/data/png.ts'
import { getKernel } from '../../compute/kernels/index.ts'
import { RowFold } from '../../compute/reduce.ts'
import type { ProjectStats } from '../types.ts'
import { InputError } from '../../errors.ts'
import { decodeSignedManifest } from '../../protocols/manifest-codec.ts'
import { chunkPrefixRange, type MeshStore } from '../../store/store.ts'
import { CorruptResultError, ProjectNotDoneError, UnknownProjectError } from './errors.ts'
import { floatsOf } from './floats.ts'
import { loadProjectRecord, type WorkProjectRecord } from './records.ts'
import type { AbortOptions } from '@libp2p/interface'
import { exportState, type RoundsLayout } from './export-state.ts'
import { STATE_INPUT } from '../../compute/rounds.ts'

/** What a result can be written as: a matrix file, or a PNG for an image project. */
export type ExportFormat = MatrixFormat | 'png'
export const exportFormats: readonly ExportFormat[] = ['npy', 'csv', 'json', 'png']

export interface ExportSummary {
  readonly rows: number
  readonly cols: number
  readonly chunks: number
  readonly path: string
}

type ExportStore = Pick<MeshStore, 'projectState' | 'results' | 'projects' | 'checkpoints' | 'rounds'>

/**
 * Writes a finished project's verified result in chunk order: a .npy, CSV
 * or JSON file streamed through the compute engine's matrix writer (one
 * chunk in memory at a time, never the whole output); the chunks' rows
 * folded into one when the kernel reduces; a PNG when the project is an
 * image. Throws UnknownProjectError / ProjectNotDoneError (InputErrors) for a
 * project that is not an own finished one; a half-written file is removed.
 */
export async function exportProject (store: ExportStore, projectId: string, format: ExportFormat, outPath: string, options: AbortOptions = {}): Promise<ExportSummary> {
  const record = await loadProjectRecord(store, projectId)
  if (record == null) throw new UnknownProjectError(projectId)
  const layout = await outputLayout(store, projectId)
  if (layout.rounds != null) return await exportState(store, record, layout.rounds, format, outPath, options)
  let verified = 0
  for await (const _ of store.results.keys(chunkPrefixRange(projectId))) verified++
  if (verified < record.chunkCount) throw new ProjectNotDoneError(projectId, verified, record.chunkCount)
  if (format === 'png' && layout.image == null) {
    throw new InputError(`project ${projectId} is not an image (publish it with --image WxH); export it as npy, csv or json`)
  }
  const rowsOfChunk = (index: number): number => layout.reduce != null
    ? 1
    : Math.min(record.rowsPerChunk, record.rows - index * record.rowsPerChunk)
  if (layout.reduce != null) return await exportFolded(store, record, layout.reduce, format, outPath, options)
  if (format === 'png') return await exportPng(store, record, layout.image!, outPath, rowsOfChunk, options)

  const writer = await createMatrixWriter(outPath, format, record.rows, record.outputCols)
  try {
    let chunks = 0
    for await (const rows of verifiedChunks(store, record, rowsOfChunk, options)) {
      await writer.write(rows)
      chunks++
    }
    await writer.close()
    return { rows: record.rows, cols: record.outputCols, chunks, path: outPath }
  } catch (err) {
    await writer.abort()
    throw err
  }
}

/**
 * The one row a finished reducing project folds into (what `export` writes),
 * for showing it; undefined for a project that does not reduce or is not done.
 */
export async function foldedResult (store: ExportStore, projectId: string, options: AbortOptions = {}): Promise<Float32Array | undefined> {
  const record = await loadProjectRecord(store, projectId)
  if (record == null || record.status !== 'done') return undefined
  const { reduce, rounds } = await outputLayout(store, projectId)
  if (reduce == null || rounds != null) return undefined
  return (await foldChunks(store, record, reduce, options)).result()
}

/** Stats of a finished project with its folded row added, read once per project into `cache`. */
export async function withFoldedResult (stats: ProjectStats, store: ExportStore, cache = new Map<string, number[] | undefined>()): Promise<ProjectStats> {
  if (stats.project.status !== 'done') return stats
  const id = stats.project.id
  if (!cache.has(id)) {
    const row = await foldedResult(store, id).catch(() => undefined)
    cache.set(id, row == null ? undefined : [...row])
  }
  const result = cache.get(id)
  return result == null ? stats : { ...stats, result }
}

async function foldChunks (store: ExportStore, record: WorkProjectRecord, op: 'sum' | 'min' | 'max', options: AbortOptions): Promise<RowFold> {
  const fold = new RowFold(op, record.outputCols)
  for await (const rows of verifiedChunks(store, record, () => 1, options)) fold.add(rows)
  return fold
}

interface OutputLayout {
  readonly reduce?: 'sum' | 'min' | 'max'
  readonly image?: { readonly width: number, readonly height: number }
  /** A rounds project exports its last state. */
  readonly rounds?: RoundsLayout
}

/** The kernel's fold and image size, from the project's stored manifest (absent for matmul and map). */
async function outputLayout (store: ExportStore, projectId: string): Promise<OutputLayout> {
  const bytes = await store.projects.get(projectId)
  if (bytes == null) return {}
  const manifest = await decodeSignedManifest(bytes)
  const kernel = getKernel(manifest.kernel)
  const params = kernel.parseParams(manifest.params)
  const reduce = kernel.reduce?.(params)
  const image = kernel.image?.(params)
  const state = kernel.rounds?.(params) != null ? manifest.inputs.find(input => input.name === STATE_INPUT) : undefined
  return {
    ...(reduce != null ? { reduce } : {}),
    ...(image != null ? { image } : {}),
    ...(state != null ? { rounds: { kernel, params, stateShape: { rows: state.rows, cols: state.cols } } } : {})
  }
}

/** Each verified chunk's rows, in order, checked against the chunk's shape. */
async function * verifiedChunks (store: ExportStore, record: WorkProjectRecord, rowsOfChunk: (index: number) => number, options: AbortOptions): AsyncGenerator<Float32Array> {
  let expected = 0
  for await (const [key, bytes] of store.results.iterator(chunkPrefixRange(record.projectId))) {
    options.signal?.throwIfAborted()
    const index = Number(key.slice(record.projectId.length + 1))
    const rows = rowsOfChunk(index)
    if (index !== expected || bytes.byteLength !== rows * record.outputCols * 4) {
      throw new CorruptResultError(`result of chunk ${index} of ${record.projectId} does not fit (expected chunk ${expected}, ${rows}x${record.outputCols} fp32)`)
    }
    yield floatsOf(bytes)
    expected++
  }
}

/** A reduced project: every chunk's row folded (in f64) into the one row of the result. */
async function exportFolded (
  store: ExportStore, record: WorkProjectRecord, op: 'sum' | 'min' | 'max', format: ExportFormat, outPath: string,
  options: AbortOptions
): Promise<ExportSummary> {
  if (format === 'png') throw new InputError(`project ${record.projectId} folds into one row; export it as npy, csv or json`)
  const fold = await foldChunks(store, record, op, options)
  await writeMatrixFile(outPath, format, 1, record.outputCols, fold.result())
  return { rows: 1, cols: record.outputCols, chunks: fold.rows, path: outPath }
}

async function exportPng (
  store: ExportStore, record: WorkProjectRecord, image: { width: number, height: number }, outPath: string,
  rowsOfChunk: (index: number) => number, options: AbortOptions
): Promise<ExportSummary> {
  const pixels = new Float32Array(record.rows * record.outputCols)
  let offset = 0
  let chunks = 0
  for await (const rows of verifiedChunks(store, record, rowsOfChunk, options)) {
    pixels.set(rows, offset)
    offset += rows.length
    chunks++
  }
  try {
    await writeFile(outPath, encodePng(pixels, image, record.outputCols as ImageChannels))
  } catch (err) {
    await rm(outPath, { force: true })
    throw err
  }
  return { rows: record.rows, cols: record.outputCols, chunks, path: outPath }
}
