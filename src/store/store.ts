import { Level } from 'level'
import { GroupCommit } from './group-commit.ts'
import { prepareDatabaseLocation } from './data-dir.ts'
import { dataDirProblem, StoreLockedError } from './errors.ts'
import type { AbstractSublevel } from 'abstract-level'

/**
 * One LevelDB database per peer, in its data directory, split into typed
 * sublevels (DESIGN.md section 7). Writes that belong together go in one
 * batch so they land together or not at all: `store.writer.write([...])`
 * (ops with `sublevel`, as `db.batch` takes them) where many such writes
 * come at once, since it groups concurrent callers into one batch.
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
  /** A rounds project's state after each closed round (fp32 bytes) by `chunkKey(project, round)`. */
  readonly checkpoints: Sublevel<Bytes>
  /** Each closed round's figures by `chunkKey(project, round)` (JSON), written in the batch of its checkpoint. */
  readonly rounds: Sublevel<unknown>
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
  /** Group commit over `db`: concurrent callers' batches are written together (see group-commit.ts). */
  readonly writer: GroupCommit
  /** Waits for the writer's queued batches, then closes the database. */
  close (): Promise<void>
}

/**
 * LevelDB's memtable (its default is 4 MiB). Blob pieces are 1 MiB and a
 * busy researcher writes thousands of results a second: a larger memtable
 * flushes and compacts less often (grouped 1 KiB result writes went from
 * about 35,000 to 55,000 a second in the store benchmark). LevelDB holds at
 * most two, so this bounds the store's write memory at 32 MiB.
 */
const WRITE_BUFFER_BYTES = 16 * 1024 * 1024

export { DataDirError, dataDirProblem, StoreLockedError } from './errors.ts'

/** Zero-padded so keys sort in chunk order. */
export function chunkKey (projectId: string, index: number): string {
  return `${projectId}/${index.toString().padStart(10, '0')}`
}

export function chunkPrefixRange (projectId: string): { gt: string, lt: string } {
  return { gt: `${projectId}/`, lt: `${projectId}/\xff` }
}

export async function openStore (dataDir: string): Promise<MeshStore> {
  const location = await prepareDatabaseLocation(dataDir)
  const db: Db = new Level<string, Bytes>(location, { valueEncoding: 'view', writeBufferSize: WRITE_BUFFER_BYTES })
  try {
    await db.open()
  } catch (err: any) {
    if (err?.cause?.code === 'LEVEL_LOCKED' || /lock/i.test(String(err?.cause?.message ?? ''))) {
      throw new StoreLockedError(dataDir)
    }
    throw dataDirProblem(err, dataDir) ?? err
  }
  const binary = (name: string): Sublevel<Bytes> => db.sublevel<string, Bytes>(name, { valueEncoding: 'view' })
  const json = (name: string): Sublevel<unknown> => db.sublevel<string, unknown>(name, { valueEncoding: 'json' })
  const writer = new GroupCommit(db)
  return {
    db,
    location: dataDir,
    identity: binary('identity'),
    projects: binary('projects'),
    projectState: json('project-state'),
    chunks: json('chunks'),
    results: binary('results'),
    checkpoints: binary('checkpoints'),
    rounds: json('rounds'),
    blobs: binary('blobs'),
    blobMeta: json('blob-meta'),
    ledger: binary('ledger'),
    history: json('history'),
    peers: json('peers'),
    settings: json('settings'),
    writer,
    close: async () => {
      await writer.close()
      await db.close()
    }
  }
}
