import { open, rm, type FileHandle } from 'node:fs/promises'
import { DataFileError } from './errors.ts'
import type { MatrixWriter } from './matrix.ts'

/** How one file format turns rows into bytes. */
export interface RowEncoding {
  readonly header: Uint8Array
  /** Encodes whole rows; `firstRow` is the index of the first one in the matrix. */
  encodeRows (rows: Float32Array, firstRow: number): Uint8Array
  readonly footer: Uint8Array
}

/**
 * The bookkeeping every matrix writer shares: open the file, check each
 * write is whole rows and stays within the declared shape, and refuse to
 * close a file that is missing rows (a short export must not look complete).
 */
export async function createRowFileWriter (path: string, rows: number, cols: number, encoding: RowEncoding): Promise<MatrixWriter> {
  checkShape(path, rows, cols)
  let file: FileHandle
  try {
    file = await open(path, 'w')
  } catch (err: any) {
    throw new DataFileError(path, `cannot create the file (${err.code ?? err.message})`)
  }
  let written = 0
  let closed = false
  const abort = async (): Promise<void> => {
    if (closed) return
    closed = true
    await file.close()
    await rm(path, { force: true })
  }
  await file.write(encoding.header)

  return {
    async write (chunk: Float32Array): Promise<void> {
      if (closed) throw new Error(`${path}: write after close`)
      if (chunk.length % cols !== 0) {
        throw new RangeError(`${path}: a write of ${chunk.length} values is not whole rows of ${cols}`)
      }
      const count = chunk.length / cols
      if (written + count > rows) {
        throw new RangeError(`${path}: writing rows ${written}..${written + count} past the declared ${rows}`)
      }
      await file.write(encoding.encodeRows(chunk, written))
      written += count
    },
    async close (): Promise<void> {
      if (closed) return
      if (written !== rows) {
        await abort()
        throw new RangeError(`${path}: closed after ${written} of ${rows} rows; the file was removed`)
      }
      closed = true
      await file.write(encoding.footer)
      await file.close()
    },
    abort
  }
}

function checkShape (path: string, rows: number, cols: number): void {
  for (const [what, n] of [['rows', rows], ['cols', cols]] as const) {
    if (!Number.isSafeInteger(n) || n < 1) throw new DataFileError(path, `${what} must be a positive integer (got ${n})`)
  }
}
