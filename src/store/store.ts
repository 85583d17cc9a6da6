import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import type { AbstractSublevel } from 'abstract-level'

/**
 * One LevelDB database per peer, in its data directory, split into typed
 * sublevels (DESIGN.md section 7). Writes that belong together go through
 * `store.db.batch([...{ sublevel }])` so they land together or not at all.
 */

export type Bytes = Uint8Array
type Db = Level<string, Bytes>
export type Sublevel<V> = AbstractSublevel<Db, string | Buffer | Uint8Array, string, V>

export interface MeshStore {
  readonly db: Db
  readonly location: string
  /** This peer's private key (protobuf-encoded libp2p key) under `key`. */
  readonly identity: Sublevel<Bytes>
  /** Signed manifest bytes by project id: own projects and those seen on the topic. */
  readonly projects: Sublevel<Bytes>
  /** Researcher-side state of each own project, by project id (JSON). */
  readonly projectState: Sublevel<unknown>
  /** Researcher-side state of each chunk, by `chunkKey(project, index)` (JSON). */
  readonly chunks: Sublevel<unknown>
  /** Verified fp32 result bytes by `chunkKey(project, index)`. */
  readonly results: Sublevel<Bytes>
  /** Content-addressed input blobs (own and cached), by hash and piece. */
  readonly blobs: Sublevel<Bytes>
  /** Blob metadata (size, pieces, last used) by hash (JSON). */
  readonly blobMeta: Sublevel<unknown>
  /** Signed receipts: researchers' issued ones and volunteers' earned ones. */
  readonly ledger: Sublevel<Bytes>
  /** Finished projects with their metrics (JSON). */
  readonly history: Sublevel<unknown>
  /** Peers seen: name, last seen, measured speed (JSON). */
  readonly peers: Sublevel<unknown>
  /** Volunteer preferences and other small settings (JSON). */
  readonly settings: Sublevel<unknown>
  close (): Promise<void>
}

/** The data directory is used by another running mesh process. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError'
  constructor (readonly location: string) {
    super(`data dir ${location} is in use by another mesh process (stop it, or pass another --data-dir)`)
  }
}

/** Zero-padded so keys sort in chunk order. */
export function chunkKey (projectId: string, index: number): string {
  return `${projectId}/${index.toString().padStart(10, '0')}`
}

export function chunkPrefixRange (projectId: string): { gt: string, lt: string } {
  return { gt: `${projectId}/`, lt: `${projectId}/\xff` }
}

export async function openStore (dataDir: string): Promise<MeshStore> {
  const location = join(dataDir, 'db')
  await mkdir(location, { recursive: true })
  const db: Db = new Level<string, Bytes>(location, { valueEncoding: 'view' })
  try {
    await db.open()
  } catch (err: any) {
    if (err?.cause?.code === 'LEVEL_LOCKED' || /lock/i.test(String(err?.cause?.message ?? ''))) {
      throw new StoreLockedError(dataDir)
    }
    throw err
  }
  const binary = (name: string): Sublevel<Bytes> => db.sublevel<string, Bytes>(name, { valueEncoding: 'view' })
  const json = (name: string): Sublevel<unknown> => db.sublevel<string, unknown>(name, { valueEncoding: 'json' })
  return {
    db,
    location: dataDir,
    identity: binary('identity'),
    projects: binary('projects'),
    projectState: json('project-state'),
    chunks: json('chunks'),
    results: binary('results'),
    blobs: binary('blobs'),
    blobMeta: json('blob-meta'),
    ledger: binary('ledger'),
    history: json('history'),
    peers: json('peers'),
    settings: json('settings'),
    close: async () => { await db.close() }
  }
}
