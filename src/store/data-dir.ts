import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { dataDirProblem, DataDirError } from './errors.ts'

/**
 * Where a peer's database lives, made ready to open: on Node, the `db`
 * folder of the data dir, created with its parents. The volunteer page
 * bundles data-dir.browser.ts instead, where the database is IndexedDB's.
 */
export async function prepareDatabaseLocation (dataDir: string): Promise<string> {
  const location = join(dataDir, 'db')
  try {
    await mkdir(location, { recursive: true })
  } catch (err: any) {
    throw dataDirProblem(err, dataDir) ?? new DataDirError(`data dir ${dataDir} cannot be created (${err?.code ?? err?.message}): pass another --data-dir`)
  }
  return location
}
