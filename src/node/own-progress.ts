import { chunkPrefixRange, type MeshStore } from '../store/store.ts'
import type { AnnouncedProgress } from '../protocols/announce.ts'
import type { ProjectManifest } from '../protocols/manifest-codec.ts'

/** Live progress of an own project, as announced to other peers. */
export type OwnProgress = AnnouncedProgress

/**
 * Where MeshNode reads the progress of its own projects. The coordinator
 * provides one; until then it is derived from the store.
 */
export type ProgressProvider = (projectId: string) => OwnProgress | undefined | Promise<OwnProgress | undefined>

/** Progress from the store alone: verified results counted, no volunteers known. */
export function storeProgressProvider (store: Pick<MeshStore, 'results'>, manifestOf: (id: string) => ProjectManifest | undefined): ProgressProvider {
  return async (projectId) => {
    const manifest = manifestOf(projectId)
    if (manifest == null) return undefined
    let done = 0
    for await (const _ of store.results.keys(chunkPrefixRange(projectId))) done++
    return { done, total: manifest.chunkCount, volunteers: 0, status: done >= manifest.chunkCount ? 'done' : 'running' }
  }
}
