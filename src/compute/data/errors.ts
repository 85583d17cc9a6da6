import { InputError } from '../../errors.ts'

/** A data file the user named is missing or not what we accept: one line naming the file and the problem. */
export class DataFileError extends InputError {
  override name = 'DataFileError'

  constructor (readonly path: string, problem: string) {
    super(`${path}: ${problem}`)
  }
}

/** How a failed open or read of a data file reads in a message. */
export function fileProblem (err: any, doing: 'open' | 'read'): string {
  if (err?.code === 'ENOENT') return 'no such file'
  if (err?.code === 'EISDIR') return 'is a directory, not a file'
  if (err?.code === 'EACCES') return 'permission denied'
  return `cannot ${doing} (${err?.code ?? err?.message})`
}
