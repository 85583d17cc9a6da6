import { open, readFile, stat, type FileHandle } from 'node:fs/promises'
import { extname } from 'node:path'
import { parse, CsvError } from 'csv-parse'
import { DataFileError, fileProblem } from './errors.ts'
import { MAX_INPUT_BYTES, MAX_JSON_FILE_BYTES, sizeText } from './limits.ts'
import type { Matrix, MatrixWriter } from './matrix.ts'
import { createNpyWriter, readNpyMatrix } from './npy.ts'
import { createRowFileWriter } from './row-file-writer.ts'

export type MatrixFormat = 'npy' | 'csv' | 'json'
export const matrixFormats: readonly MatrixFormat[] = ['npy', 'csv', 'json']

/**
 * Reads a map project's dataset by its extension: .csv (a header row, then
 * numeric cells), .json (an array of equal-length arrays of numbers) or a
 * 2-D float32 .npy. Bad files throw DataFileError naming the place.
 */
export async function readDataset (path: string): Promise<Matrix> {
  const format = formatOfPath(path)
  if (format === 'npy') return await readNpyMatrix(path)
  if (format === 'csv') return await readCsvMatrix(path)
  if (format === 'json') return await readJsonMatrix(path)
  throw new DataFileError(path, 'unknown dataset format (expected a .csv, .json or .npy file)')
}

export function formatOfPath (path: string): MatrixFormat | undefined {
  const ext = extname(path).slice(1).toLowerCase()
  return (matrixFormats as readonly string[]).includes(ext) ? ext as MatrixFormat : undefined
}

/** A growable fp32 buffer, so a large CSV is not first held as JS numbers. */
export class RowAccumulator {
  private data = new Float32Array(1024)
  length = 0

  push (value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float32Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data[this.length++] = value
  }

  finish (): Float32Array {
    return this.data.slice(0, this.length)
  }
}

/**
 * The records of a CSV file in order, each with its line number, streamed;
 * a file that cannot be opened or read, or is not CSV, is a DataFileError
 * naming it. What the caller throws while reading passes through as it is.
 */
export async function * csvRecords (path: string): AsyncGenerator<{ readonly record: string[], readonly line: number }> {
  let file: FileHandle
  try {
    file = await open(path, 'r')
  } catch (err: any) {
    throw new DataFileError(path, fileProblem(err, 'open'))
  }
  const source = file.createReadStream()
  const parser = source.pipe(parse({ info: true, trim: true, skip_empty_lines: true, relax_column_count: true }))
  source.on('error', err => parser.destroy(err))
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[], info: { lines: number } }>) yield { record, line: info.lines }
  } catch (err: any) {
    if (err instanceof CsvError) throw new DataFileError(path, csvProblem(err))
    throw new DataFileError(path, fileProblem(err, 'read'))
  } finally {
    source.destroy()
    await file.close().catch(() => {})
  }
}

async function readCsvMatrix (path: string): Promise<Matrix> {
  const values = new RowAccumulator()
  let header: string[] | undefined
  let rows = 0
  for await (const { record, line } of csvRecords(path)) {
    if (header == null) {
      header = record
      if (record.every(cell => cell !== '' && Number.isFinite(Number(cell)))) {
        throw new DataFileError(path, `line ${line}: expected a header row of column names, got numbers`)
      }
      continue
    }
    if (record.length !== header.length) {
      throw new DataFileError(path, `line ${line}: has ${record.length} cells, expected ${header.length} like the header`)
    }
    record.forEach((cell, column) => {
      const value = Number(cell)
      if (cell === '' || !Number.isFinite(value)) {
        throw new DataFileError(path, `line ${line}, column ${column + 1} (${header![column]}): expected a number, got ${JSON.stringify(cell)}`)
      }
      if (!fitsFloat32(value)) {
        throw new DataFileError(path, `line ${line}, column ${column + 1} (${header![column]}): ${cell} is beyond the float32 range (±${FLOAT32_MAX})`)
      }
      values.push(value)
    })
    rows++
    if (values.length * 4 > MAX_INPUT_BYTES) {
      throw new DataFileError(path, `line ${line}: more than ${sizeText(MAX_INPUT_BYTES)} of float32 values, the most an input may have`)
    }
  }
  if (header == null) throw new DataFileError(path, 'empty file, expected a header row and numeric rows')
  if (rows === 0) throw new DataFileError(path, 'no data rows after the header')
  return { rows, cols: header.length, data: values.finish() }
}

function csvProblem (err: CsvError): string {
  const line = (err as CsvError & { lines?: number }).lines
  return `${line != null ? `line ${line}: ` : ''}${err.message.replace(/^[A-Za-z ]+: /, '')}`
}

async function readJsonMatrix (path: string): Promise<Matrix> {
  let text: string
  try {
    const { size } = await stat(path)
    if (size > MAX_JSON_FILE_BYTES) {
      throw new DataFileError(path, `${sizeText(size)} of JSON is more than the ${sizeText(MAX_JSON_FILE_BYTES)} read whole; give larger data as CSV or .npy`)
    }
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    if (err instanceof DataFileError) throw err
    throw new DataFileError(path, fileProblem(err, 'read'))
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err: any) {
    throw new DataFileError(path, `not valid JSON (${err.message})`)
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new DataFileError(path, 'expected a non-empty JSON array of rows (arrays of numbers)')
  }
  const first = value[0]
  if (!Array.isArray(first) || first.length === 0) {
    throw new DataFileError(path, 'row 0: expected a non-empty array of numbers')
  }
  const cols = first.length
  const data = new Float32Array(value.length * cols)
  value.forEach((row: unknown, r: number) => {
    if (!Array.isArray(row)) throw new DataFileError(path, `row ${r}: expected an array of numbers, got ${typeName(row)}`)
    if (row.length !== cols) throw new DataFileError(path, `row ${r}: has ${row.length} values, expected ${cols} like row 0`)
    row.forEach((cell: unknown, c: number) => {
      if (typeof cell !== 'number') {
        throw new DataFileError(path, `row ${r}, column ${c}: expected a number, got ${typeName(cell)}`)
      }
      if (!fitsFloat32(cell)) {
        throw new DataFileError(path, `row ${r}, column ${c}: ${cell} is beyond the float32 range (±${FLOAT32_MAX})`)
      }
      data[r * cols + c] = cell
    })
  })
  return { rows: value.length, cols, data }
}

const FLOAT32_MAX = 3.4028234663852886e38

/** Finite, and still finite as float32 (1e39 parses, but would become Infinity on the GPU). */
function fitsFloat32 (value: number): boolean {
  return Number.isFinite(Math.fround(value))
}

function typeName (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? JSON.stringify(value).slice(0, 40) : typeof value
}

/**
 * A streaming export writer in the given format; rows go out as they are
 * written. CSV gets a header `c0,c1,...`; JSON is an array of row arrays (NaN and
 * infinities, which JSON cannot express, are written as null).
 */
export async function createMatrixWriter (path: string, format: MatrixFormat, rows: number, cols: number): Promise<MatrixWriter> {
  const encoder = new TextEncoder()
  if (format === 'npy') return await createNpyWriter(path, rows, cols)
  if (format === 'csv') {
    const header = Array.from({ length: cols }, (_, c) => `c${c}`).join(',') + '\n'
    return await createRowFileWriter(path, rows, cols, {
      header: encoder.encode(header),
      encodeRows: (values) => encoder.encode(rowTexts(values, cols, shortestFloat32).map(row => row + '\n').join('')),
      footer: new Uint8Array(0)
    })
  }
  if (format === 'json') {
    return await createRowFileWriter(path, rows, cols, {
      header: encoder.encode('['),
      encodeRows: (values, firstRow) => encoder.encode(
        rowTexts(values, cols, jsonNumber).map((row, i) => (firstRow + i === 0 ? '\n[' : ',\n[') + row + ']').join('')
      ),
      footer: encoder.encode('\n]\n')
    })
  }
  throw new DataFileError(path, `unknown export format '${String(format)}' (expected npy, csv or json)`)
}

/** Writes a whole matrix in the given format; a failed write leaves no partial file. */
export async function writeMatrixFile (path: string, format: MatrixFormat, rows: number, cols: number, data: Float32Array): Promise<void> {
  const writer = await createMatrixWriter(path, format, rows, cols)
  try {
    await writer.write(data)
    await writer.close()
  } catch (err) {
    await writer.abort()
    throw err
  }
}

/** Each row's cells, comma-separated. */
function rowTexts (values: Float32Array, cols: number, format: (v: number) => string): string[] {
  const rows: string[] = []
  for (let start = 0; start < values.length; start += cols) {
    const cells: string[] = []
    for (let c = 0; c < cols; c++) cells.push(format(values[start + c]!))
    rows.push(cells.join(','))
  }
  return rows
}

function jsonNumber (value: number): string {
  return Number.isFinite(value) ? shortestFloat32(value) : 'null'
}

/** The shortest decimal that reads back as the same float32 (e.g. 0.1, not 0.10000000149011612). */
export function shortestFloat32 (value: number): string {
  if (!Number.isFinite(value)) return String(value)
  for (let digits = 6; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits))
    if (Math.fround(candidate) === value) return String(candidate)
  }
  return String(Number(value.toPrecision(9)))
}
