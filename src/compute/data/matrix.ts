/** A dense 2-D fp32 matrix, row-major: element (r, c) is data[r * cols + c]. */
export interface Matrix {
  readonly rows: number
  readonly cols: number
  readonly data: Float32Array
}

/** Streams a matrix to a file a few rows at a time, so exports never hold the whole output. */
export interface MatrixWriter {
  /** Appends whole rows, row-major (length a multiple of cols). */
  write (rows: Float32Array): Promise<void>
  /** Checks every declared row was written, then flushes and closes the file. */
  close (): Promise<void>
  /** Closes and removes the partly written file. */
  abort (): Promise<void>
}

/** e.g. "3x4" */
export function shapeText (rows: number, cols: number): string {
  return `${rows}x${cols}`
}
