import { chunkPrefixRange, type MeshStore } from '../../store/store.ts'
import { loadProjectRecord } from './records.ts'
import type { AnnouncedProgress } from '../../protocols/announce.ts'
import type { ProjectManifest } from '../../protocols/manifest-codec.ts'

/** Live progress of an own project, as announced to other peers. */
export type OwnProgress = AnnouncedProgress

/**
 * Where MeshNode reads the progress of its own projects: the coordinator's
 * live figures, or the store for a project it does not coordinate.
 */
export type ProgressProvider = (projectId: string) => OwnProgress | undefined | Promise<OwnProgress | undefined>

/** Progress from the store alone: verified results counted, the status from the project's work record, no volunteers known. */
export function storeProgressProvider (store: Pick<MeshStore, 'results' | 'projectState'>, manifestOf: (id: string) => ProjectManifest | undefined): ProgressProvider {
  return async (projectId) => {
    const manifest = manifestOf(projectId)
    if (manifest == null) return undefined
    let done = 0
    for await (const _ of store.results.keys(chunkPrefixRange(projectId))) done++
    const status = (await loadProjectRecord(store, projectId))?.status ?? (done >= manifest.chunkCount ? 'done' : 'running')
    return { done, total: manifest.chunkCount, volunteers: 0, status }
  }
}
