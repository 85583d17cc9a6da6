import { InputError } from '../errors.ts'

/** The data directory is used by another running mesh process. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError'
  constructor (readonly location: string) {
    super(`data dir ${location} is in use by another mesh process (stop it, or pass another --data-dir)`)
  }
}

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
