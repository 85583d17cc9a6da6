import { InputError } from '../../errors.ts'
import { floatsOf } from './floats.ts'
import type { BlobStore } from '../../store/blob-store.ts'
import type { MeshStore } from '../../store/store.ts'
import type { ProjectManifest } from '../../protocols/manifest-codec.ts'
import type { ProjectSpec } from '../publish/project-builder.ts'
import type { HistoryEntry, VerificationPolicy } from '../types.ts'

/**
 * Finished own projects, kept in `store.history` by project id: the figures
 * of the run (a HistoryEntry) and what it takes to publish the same project
 * again (the manifest's fields, with the inputs by content hash: they stay
 * in the blob store, where own inputs are never evicted).
 */

export interface ReplaySpec {
  readonly name: string
  readonly description: string
  readonly kernel: string
  readonly params: unknown
  readonly inputs: ReadonlyArray<{ readonly name: string, readonly hash: string, readonly rows: number, readonly cols: number }>
  readonly rowsPerChunk: number
  readonly verification: VerificationPolicy
}

export interface HistoryRecord {
  readonly entry: HistoryEntry
  readonly replay: ReplaySpec
}

/** A past project that cannot be replayed (not in the history, or its inputs are gone). */
export class ReplayError extends InputError {
  override name = 'ReplayError'
}

export function replaySpecOf (manifest: ProjectManifest): ReplaySpec {
  return {
    name: manifest.name,
    description: manifest.description,
    kernel: manifest.kernel,
    params: manifest.params,
    inputs: manifest.inputs.map(({ name, hash, rows, cols }) => ({ name, hash, rows, cols })),
    rowsPerChunk: manifest.rowsPerChunk,
    verification: manifest.verification
  }
}

export async function writeHistory (store: Pick<MeshStore, 'history'>, entry: HistoryEntry, manifest: ProjectManifest): Promise<void> {
  const record: HistoryRecord = { entry, replay: replaySpecOf(manifest) }
  await store.history.put(entry.projectId, record)
}

export async function hasHistory (store: Pick<MeshStore, 'history'>, projectId: string): Promise<boolean> {
  return (await store.history.get(projectId)) != null
}

/** Every readable history entry, most recently finished first. */
export async function listHistory (store: Pick<MeshStore, 'history'>): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = []
  for await (const value of store.history.values()) {
    if (isHistoryRecord(value)) entries.push(value.entry)
  }
  return entries.sort((a, b) => b.finishedAt - a.finishedAt)
}

/** The spec of a past project with its inputs read back from the blob store, ready to publish as a new project. */
export async function loadReplaySpec (store: Pick<MeshStore, 'history'>, blobs: Pick<BlobStore, 'info' | 'get'>, projectId: string): Promise<ProjectSpec> {
  const record = await store.history.get(projectId)
  if (!isHistoryRecord(record)) throw new ReplayError(`project ${projectId} is not in this peer's history`)
  const { replay } = record
  const inputs = []
  for (const input of replay.inputs) {
    if ((await blobs.info(input.hash)) == null) throw new ReplayError(`input ${input.name} of project ${projectId} is no longer in the blob store`)
    inputs.push({ name: input.name, matrix: { rows: input.rows, cols: input.cols, data: floatsOf(await blobs.get(input.hash)) } })
  }
  return {
    name: replay.name,
    description: replay.description,
    kernel: replay.kernel,
    params: replay.params,
    inputs,
    rowsPerChunk: replay.rowsPerChunk,
    verification: replay.verification
  }
}

function isHistoryRecord (value: any): value is HistoryRecord {
  return value != null && typeof value.entry?.projectId === 'string' && typeof value.entry?.finishedAt === 'number' &&
    typeof value.replay?.kernel === 'string' && Array.isArray(value.replay?.inputs)
}
