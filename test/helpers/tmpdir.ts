import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh directory under the system temp dir; `remove()` deletes it and everything in it. */
export interface TempDir {
  readonly path: string
  remove (): Promise<void>
}

export async function makeTempDir (prefix = 'mesh-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: async () => { await rm(path, { recursive: true, force: true }) } }
}
