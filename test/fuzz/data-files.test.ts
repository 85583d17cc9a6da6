import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import fc from 'fast-check'
import { readDataset } from '../../src/compute/data/dataset.ts'
import { DataFileError } from '../../src/compute/data/errors.ts'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import { fuzzOptions } from './support.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'

const dir = await makeTempDir('mesh-fuzz-data-')
after(async () => { await dir.remove() })
let serial = 0

async function fileWith (ext: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir.path, `f${serial++}.${ext}`)
  await writeFile(path, bytes)
  return path
}

/** Reads `path`; a refusal must be a one-line DataFileError naming the file. */
async function readOrRefusal (path: string, read: (path: string) => Promise<Matrix>): Promise<Matrix | undefined> {
  try {
    return await read(path)
  } catch (err: any) {
    assert.ok(err instanceof DataFileError, `expected DataFileError, got ${err?.stack ?? err}`)
    assert.equal(err.message.split('\n').length, 1, err.message)
    assert.ok(err.message.startsWith(`${path}: `), err.message)
    return undefined
  }
}

function assertMatrix (m: Matrix): void {
  assert.ok(Number.isSafeInteger(m.rows) && m.rows > 0 && Number.isSafeInteger(m.cols) && m.cols > 0)
  assert.equal(m.data.length, m.rows * m.cols)
}

/** A .npy file from parts an attacker controls: version, header text, declared header length and data. */
const npyFile = fc.record({
  magic: fc.oneof({ weight: 8, arbitrary: fc.constant([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]) }, { weight: 1, arbitrary: fc.array(fc.nat({ max: 255 }), { maxLength: 6 }) }),
  version: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(1, 2, 3) }, { weight: 1, arbitrary: fc.nat({ max: 255 }) }),
  descr: fc.oneof({ weight: 6, arbitrary: fc.constant('<f4') }, { weight: 2, arbitrary: fc.constantFrom('<f8', '>f4', '|u1', '<i4') }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }),
  fortran: fc.oneof({ weight: 6, arbitrary: fc.constant('False') }, { weight: 1, arbitrary: fc.constantFrom('True', 'maybe') }),
  shape: fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })).map(dims => [...dims]) },
    { weight: 2, arbitrary: fc.array(fc.oneof(fc.nat({ max: 6 }), fc.nat(), fc.constant(2 ** 40)), { maxLength: 3 }) }
  ).map(dims => `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`),
  quote: fc.constantFrom("'", '"'),
  headerLengthDelta: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -40, max: 200_000 }) }),
  dataBytes: fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat({ max: 200 }) }),
  junkHeader: fc.option(fc.string({ maxLength: 80 }), { freq: 8, nil: undefined })
}).map(f => {
  const q = f.quote
  const dict = f.junkHeader ?? `{${q}descr${q}: ${q}${f.descr}${q}, ${q}fortran_order${q}: ${f.fortran}, ${q}shape${q}: ${f.shape}, }`
  const text = new TextEncoder().encode(dict + '\n')
  const preamble = f.version === 1 ? 10 : 12
  const head = new Uint8Array(preamble)
  head.set(f.magic.slice(0, 6))
  head[6] = f.version
  const view = new DataView(head.buffer)
  const declared = Math.max(0, text.byteLength + f.headerLengthDelta)
  if (preamble === 10) view.setUint16(8, Math.min(declared, 0xffff), true)
  else view.setUint32(8, declared, true)
  const dims = /\(([^)]*)\)/.exec(f.shape)![1].split(',').map(s => Number(s.trim())).filter(n => !Number.isNaN(n))
  const exact = dims.length === 2 && dims[0] * dims[1] * 4 < 4096 ? dims[0] * dims[1] * 4 : 16
  const data = new Uint8Array(f.dataBytes === -1 ? exact : f.dataBytes).map((_, i) => i * 37)
  return Uint8Array.from([...head, ...text, ...data])
})

test('any .npy file reads as a matrix of its declared shape or is refused naming the file', async () => {
  let read = 0
  await fc.assert(fc.asyncProperty(fc.oneof({ weight: 5, arbitrary: npyFile }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) }), async bytes => {
    const matrix = await readOrRefusal(await fileWith('npy', bytes), readNpyMatrix)
    if (matrix != null) {
      read++
      assertMatrix(matrix)
    }
  }), fuzzOptions(300))
  console.log(`# ${read} generated .npy files were readable`)
})

const cell = fc.oneof(
  { weight: 30, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('', 'NaN', 'inf', '1e999', '1e39', '-3.5e38', '0x10', ' 7 ', '"3"', '1,5', 'abc') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }
)

test('any CSV text reads as a finite numeric matrix or is refused naming the file', async () => {
  let read = 0
  const csv = fc.oneof(
    fc.integer({ min: 1, max: 4 }).chain(cols => fc.tuple(
      fc.array(fc.string({ minLength: 1, maxLength: 5, unit: fc.constantFrom(...'abcxyz_ 1') }), { minLength: cols, maxLength: cols }),
      fc.array(fc.oneof({ weight: 8, arbitrary: fc.array(cell, { minLength: cols, maxLength: cols }) }, { weight: 1, arbitrary: fc.array(cell, { maxLength: 5 }) }), { minLength: 1, maxLength: 6 })
    )).map(([header, rows]) => [header.join(','), ...rows.map(r => r.join(','))].join('\n')),
    fc.string({ maxLength: 200 })
  )
  await fc.assert(fc.asyncProperty(csv, async text => {
    const matrix = await readOrRefusal(await fileWith('csv', text), readDataset)
    if (matrix != null) {
      read++
      assertMatrix(matrix)
      assert.ok(matrix.data.every(v => Number.isFinite(v)), 'only finite float32 values')
    }
  }), fuzzOptions(300))
  console.log(`# ${read} generated CSV files were readable`)
})

test('any JSON text reads as a numeric matrix or is refused naming the file; a valid table round-trips', async () => {
  const table = fc.integer({ min: 1, max: 4 }).chain(cols => fc.array(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 5 }))
  await fc.assert(fc.asyncProperty(table, async rows => {
    const matrix = await readDataset(await fileWith('json', JSON.stringify(rows)))
    assert.deepEqual([...matrix.data], rows.flat().map(v => Object.is(v, -0) ? 0 : v))
  }), fuzzOptions(100))
  await fc.assert(fc.asyncProperty(fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ maxLength: 100 }), fc.constantFrom('[[1e39]]', '[[1, -1e400]]', '[[3.4e38, 1]]')), async text => {
    const matrix = await readOrRefusal(await fileWith('json', text), readDataset)
    if (matrix != null) {
      assertMatrix(matrix)
      assert.ok(matrix.data.every(v => Number.isFinite(v)), 'only finite float32 values')
    }
  }), fuzzOptions(300))
})
