import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import { InputError } from '../errors.ts'
import { GroupCommit } from './group-commit.ts'
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

/** The data directory is used by another running mesh process. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError'
  constructor (readonly location: string) {
    super(`data dir ${location} is in use by another mesh process (stop it, or pass another --data-dir)`)
  }
}

/**
 * LevelDB's memtable (its default is 4 MiB). Blob pieces are 1 MiB and a
 * busy researcher writes thousands of results a second: a larger memtable
 * flushes and compacts less often (grouped 1 KiB result writes went from
 * about 35,000 to 55,000 a second in the store benchmark). LevelDB holds at
 * most two, so this bounds the store's write memory at 32 MiB.
 */
const WRITE_BUFFER_BYTES = 16 * 1024 * 1024

/** The data directory cannot be used: not a directory, not writable, or its disk is full. */
export class DataDirError extends InputError {
  override name = 'DataDirError'
}

const FILE_PROBLEMS: Array<{ readonly codes: readonly string[], readonly text: RegExp, readonly problem: string }> = [
  { codes: ['ENOSPC', 'EDQUOT'], text: /no space left on device|quota exceeded/i, problem: 'is full (no space left on device): free some space or pass another --data-dir' },
  { codes: ['EROFS'], text: /read-only file system/i, problem: 'is on a read-only file system: pass another --data-dir' },
  { codes: ['EACCES', 'EPERM'], text: /permission denied|operation not permitted/i, problem: 'is not writable (permission denied): pass another --data-dir' },
  { codes: ['ENOTDIR', 'EEXIST'], text: /not a directory/i, problem: 'is not a directory: pass a directory as --data-dir' }
]

/**
 * A one-line DataDirError for a file-system failure of the store (from
 * LevelDB or the file system), or undefined for anything else. `dataDir`
 * defaults to the one named in LevelDB's message.
 */
export function dataDirProblem (err: unknown, dataDir?: string): DataDirError | undefined {
  if (err instanceof DataDirError) return err
  const failures = [err, (err as any)?.cause].filter(e => e != null)
  for (const { codes, text, problem } of FILE_PROBLEMS) {
    const failure = failures.find(e => codes.includes((e as any).code) || text.test(String((e as any).message ?? '')))
    if (failure == null) continue
    const dir = dataDir ?? /(?:IO error|error): (\S+?)\/db\/[^/\s]+:/.exec(String((failure as any).message))?.[1]
    return new DataDirError(`data dir ${dir ?? '(--data-dir)'} ${problem}`)
  }
  return undefined
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
  try {
    await mkdir(location, { recursive: true })
  } catch (err: any) {
    throw dataDirProblem(err, dataDir) ?? new DataDirError(`data dir ${dataDir} cannot be created (${err?.code ?? err?.message}): pass another --data-dir`)
  }
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
