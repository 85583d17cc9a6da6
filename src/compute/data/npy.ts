/**
 * The NumPy .npy format for 2-D little-endian float32 matrices in C order.
 *
 * Hand-written on purpose: the format is a tiny text header plus raw bytes,
 * and no maintained npm package streams a write (an export larger than memory
 * must go out a few rows at a time) or reads straight into a Float32Array.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { open, type FileHandle } from 'node:fs/promises'
import { endianness } from 'node:os'
import { DataFileError, fileProblem } from './errors.ts'
import { MAX_INPUT_BYTES, sizeText } from './limits.ts'
import type { Matrix, MatrixWriter } from './matrix.ts'
import { createRowFileWriter } from './row-file-writer.ts'

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY
const PREAMBLE_V1 = 10 // magic, version (2 bytes), header length (u16)
const PREAMBLE_V2 = 12 // header length is a u32 in versions 2 and 3
const HEADER_ALIGN = 64
/** A 2-D header is under 200 bytes; anything near this is not a file we wrote or numpy did. */
const MAX_HEADER_BYTES = 1 << 16
const littleEndianHost = endianness() === 'LE'

interface NpyHeader {
  readonly descr: string
  readonly fortranOrder: boolean
  readonly shape: number[]
  readonly dataOffset: number
}

/** Reads a 2-D little-endian fp32 C-order .npy file; anything else throws DataFileError naming the problem. */
export async function readNpyMatrix (path: string): Promise<Matrix> {
  let file: FileHandle
  try {
    file = await open(path, 'r')
  } catch (err: any) {
    throw new DataFileError(path, fileProblem(err, 'open'))
  }
  try {
    const stats = await file.stat()
    if (stats.isDirectory()) throw new DataFileError(path, fileProblem({ code: 'EISDIR' }, 'read'))
    const { size } = stats
    if (size === 0) throw new DataFileError(path, 'empty file, expected a .npy array')
    const header = await readHeader(file, path, size)
    const [rows, cols] = checkMatrixHeader(path, header)
    const byteLength = rows * cols * 4
    const available = size - header.dataOffset
    if (byteLength > MAX_INPUT_BYTES && available >= byteLength) {
      throw new DataFileError(path, `${rows}x${cols} float32 is ${sizeText(byteLength)}, more than the ${sizeText(MAX_INPUT_BYTES)} an input may have`)
    }
    if (available < byteLength) {
      throw new DataFileError(path, `truncated: the header says ${rows}x${cols} float32 (${byteLength} bytes of data), the file has ${available}`)
    }
    if (available > byteLength) {
      throw new DataFileError(path, `${available - byteLength} unexpected bytes after the ${rows}x${cols} float32 data`)
    }
    const data = new Float32Array(rows * cols)
    await readFully(file, new Uint8Array(data.buffer), header.dataOffset)
    if (!littleEndianHost) swapBytes32(new Uint8Array(data.buffer))
    return { rows, cols, data }
  } finally {
    await file.close()
  }
}

/** The bytes before the data of a (rows, cols) '<f4' C-order array: version 1, padded to 64 bytes. */
export function encodeNpyHeader (rows: number, cols: number): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`
  const unpadded = PREAMBLE_V1 + dict.length + 1 // + the closing newline
  const padding = (HEADER_ALIGN - (unpadded % HEADER_ALIGN)) % HEADER_ALIGN
  const text = dict + ' '.repeat(padding) + '\n'
  const bytes = new Uint8Array(PREAMBLE_V1 + text.length)
  bytes.set(MAGIC, 0)
  bytes[6] = 1
  bytes[7] = 0
  new DataView(bytes.buffer).setUint16(8, text.length, true)
  bytes.set(new TextEncoder().encode(text), PREAMBLE_V1)
  return bytes
}

/** Writes a whole matrix as .npy. */
export async function writeNpyMatrix (path: string, matrix: Matrix): Promise<void> {
  const writer = await createNpyWriter(path, matrix.rows, matrix.cols)
  try {
    await writer.write(matrix.data)
    await writer.close()
  } catch (err) {
    await writer.abort()
    throw err
  }
}

/** A .npy writer fed a few rows at a time; it never holds the whole matrix. */
export async function createNpyWriter (path: string, rows: number, cols: number): Promise<MatrixWriter> {
  return await createRowFileWriter(path, rows, cols, {
    header: encodeNpyHeader(rows, cols),
    encodeRows: littleEndianBytes,
    footer: new Uint8Array(0)
  })
}

function littleEndianBytes (values: Float32Array): Uint8Array {
  const view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  if (littleEndianHost) return view
  const copy = view.slice()
  swapBytes32(copy)
  return copy
}

function swapBytes32 (bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i]; const b = bytes[i + 1]
    bytes[i] = bytes[i + 3]; bytes[i + 1] = bytes[i + 2]; bytes[i + 2] = b; bytes[i + 3] = a
  }
}

async function readHeader (file: FileHandle, path: string, size: number): Promise<NpyHeader> {
  const notNpy = (): DataFileError => new DataFileError(path, 'not a .npy file (missing the \\x93NUMPY magic)')
  if (size < PREAMBLE_V1) throw notNpy()
  const preamble = new Uint8Array(PREAMBLE_V2)
  await readFully(file, preamble.subarray(0, Math.min(PREAMBLE_V2, size)), 0)
  if (!MAGIC.every((byte, i) => preamble[i] === byte)) throw notNpy()
  const major = preamble[6]
  const view = new DataView(preamble.buffer)
  let headerStart: number
  let headerLength: number
  if (major === 1) {
    headerStart = PREAMBLE_V1
    headerLength = view.getUint16(8, true)
  } else if (major === 2 || major === 3) {
    if (size < PREAMBLE_V2) throw new DataFileError(path, 'truncated .npy header')
    headerStart = PREAMBLE_V2
    headerLength = view.getUint32(8, true)
  } else {
    throw new DataFileError(path, `unsupported .npy format version ${major}.${preamble[7]}`)
  }
  if (headerLength > MAX_HEADER_BYTES) throw new DataFileError(path, `.npy header of ${headerLength} bytes is too large`)
  if (headerStart + headerLength > size) throw new DataFileError(path, 'truncated .npy header')
  const headerBytes = new Uint8Array(headerLength)
  await readFully(file, headerBytes, headerStart)
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes)
  return { ...parseHeaderDict(path, text), dataOffset: headerStart + headerLength }
}

/** Parses the header's Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } */
function parseHeaderDict (path: string, text: string): Omit<NpyHeader, 'dataOffset'> {
  const bad = (): DataFileError => new DataFileError(path, `malformed .npy header ${JSON.stringify(text.trim().slice(0, 120))}`)
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1]
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1]
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1]
  if (descr == null || fortran == null || shapeText == null) throw bad()
  const parts = shapeText.split(',').map(s => s.trim()).filter(s => s !== '')
  if (!parts.every(p => /^\d+L?$/.test(p))) throw bad()
  return { descr, fortranOrder: fortran === 'True', shape: parts.map(p => Number.parseInt(p, 10)) }
}

function checkMatrixHeader (path: string, header: NpyHeader): [number, number] {
  const { descr, shape } = header
  const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`
  if (descr !== '<f4' || shape.length !== 2) {
    throw new DataFileError(path, `expected a 2-D float32 array, got ${dtypeName(descr)} ${shapeText}`)
  }
  if (header.fortranOrder) {
    throw new DataFileError(path, 'expected C (row-major) order, got Fortran order (save it with numpy.ascontiguousarray)')
  }
  const [rows, cols] = shape as [number, number]
  if (rows === 0 || cols === 0) throw new DataFileError(path, `expected a non-empty matrix, got shape ${shapeText}`)
  if (!Number.isSafeInteger(rows * cols * 4)) throw new DataFileError(path, `shape ${shapeText} is too large`)
  return [rows, cols]
}

/** numpy's name for a descr, so the message reads like numpy's own. */
function dtypeName (descr: string): string {
  const match = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr)
  if (match == null) return `dtype '${descr}'`
  const [, order, kind, size] = match
  const kinds: Record<string, string> = { f: 'float', i: 'int', u: 'uint', c: 'complex', b: 'bool' }
  const base = kind === 'b' ? 'bool' : kinds[kind!] != null ? `${kinds[kind!]}${Number(size) * 8}` : `dtype '${descr}'`
  return order === '>' ? `big-endian ${base}` : base
}

async function readFully (file: FileHandle, target: Uint8Array, position: number): Promise<void> {
  // Reads are capped below 2 GiB each (the limit of one read(2) call in libuv).
  const step = 1 << 30
  for (let done = 0; done < target.length;) {
    const length = Math.min(step, target.length - done)
    const { bytesRead } = await file.read(target, done, length, position + done)
    if (bytesRead === 0) throw new Error('unexpected end of file')
    done += bytesRead
  }
}
