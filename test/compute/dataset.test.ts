import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMatrixWriter, readDataset, shortestFloat32 } from '../../src/compute/data/dataset.ts'
import { DataFileError } from '../../src/compute/data/errors.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { writeNpyMatrix } from '../../src/compute/data/npy.ts'

let dir: string
before(async () => { dir = await mkdtemp(join(tmpdir(), 'mesh-dataset-')) })
after(async () => { await rm(dir, { recursive: true, force: true }) })

async function file (name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

async function rejects (path: string, message: RegExp): Promise<void> {
  await assert.rejects(readDataset(path), (err: any) => {
    assert.ok(err instanceof DataFileError, `expected DataFileError, got ${err}`)
    assert.equal(err.message.split('\n').length, 1)
    assert.ok(err.message.startsWith(path + ': '), err.message)
    assert.match(err.message, message)
    return true
  })
}

test('a CSV with a header row reads as a matrix of its numeric rows', async () => {
  const path = await file('rows.csv', 'x, y ,z\n1,2,3\n\n-4.5, 5e-1 ,6\n')
  const m = await readDataset(path)
  assert.deepEqual([m.rows, m.cols], [2, 3])
  assert.deepEqual([...m.data], [1, 2, 3, -4.5, 0.5, 6])
})

test('a JSON array of rows and a 2-D .npy read as matrices', async () => {
  const json = await readDataset(await file('rows.json', '[[1, 2], [3.5, -4]]'))
  assert.deepEqual([json.rows, json.cols, [...json.data]], [2, 2, [1, 2, 3.5, -4]])
  const npyPath = join(dir, 'rows.npy')
  const matrix = generateMatrix(3, 2, 5)
  await writeNpyMatrix(npyPath, matrix)
  assert.deepEqual((await readDataset(npyPath)).data, matrix.data)
})

test('bad CSV files name the file, line and column', async () => {
  await rejects(await file('bad-cell.csv', 'a,b,c\n1,2,3\n4,abc,6\n'), /line 3, column 2 \(b\): expected a number, got "abc"/)
  await rejects(await file('empty-cell.csv', 'a,b\n1,\n'), /line 2, column 2 \(b\): expected a number, got ""/)
  await rejects(await file('ragged.csv', 'a,b,c\n1,2,3\n4,5\n'), /line 3: has 2 cells, expected 3 like the header/)
  await rejects(await file('no-header.csv', '1,2\n3,4\n'), /line 1: expected a header row of column names, got numbers/)
  await rejects(await file('only-header.csv', 'a,b\n'), /no data rows after the header/)
  await rejects(await file('empty.csv', ''), /empty file/)
  await rejects(join(dir, 'missing.csv'), /no such file/)
  await rejects(await file('quote.csv', 'a,b\n"1,2\n'), /line/)
})

test('bad JSON files name the row and column', async () => {
  await rejects(await file('syntax.json', '[[1, 2], [3'), /not valid JSON/)
  await rejects(await file('object.json', '{"a": 1}'), /expected a non-empty JSON array of rows/)
  await rejects(await file('empty.json', '[]'), /expected a non-empty JSON array/)
  await rejects(await file('flat.json', '[1, 2, 3]'), /row 0: expected a non-empty array of numbers/)
  await rejects(await file('ragged.json', '[[1, 2], [3]]'), /row 1: has 1 values, expected 2 like row 0/)
  await rejects(await file('string.json', '[[1, 2], [3, "4"]]'), /row 1, column 1: expected a number, got "4"/)
  await rejects(await file('null.json', '[[1, null]]'), /row 0, column 1: expected a number, got null/)
  await rejects(join(dir, 'missing.json'), /no such file/)
})

test('an unknown extension is refused', async () => {
  await rejects(await file('rows.txt', '1 2'), /unknown dataset format \(expected a \.csv, \.json or \.npy file\)/)
})

test('streaming writers in each format read back to the same fp32 values', async () => {
  const matrix = generateMatrix(9, 4, 11)
  for (const format of ['npy', 'csv', 'json'] as const) {
    const path = join(dir, `out.${format}`)
    const writer = await createMatrixWriter(path, format, 9, 4)
    await writer.write(matrix.data.subarray(0, 8))
    await writer.write(matrix.data.subarray(8, 36))
    await writer.close()
    const back = await readDataset(path)
    assert.deepEqual([back.rows, back.cols], [9, 4], format)
    assert.deepEqual(back.data, matrix.data, format)
  }
  const csv = await readFile(join(dir, 'out.csv'), 'utf8')
  assert.match(csv, /^c0,c1,c2,c3\n/)
  assert.equal(csv.trim().split('\n').length, 10)
})

test('JSON export writes non-finite values as null; numbers in their shortest fp32 form', async () => {
  const path = join(dir, 'nan.json')
  const writer = await createMatrixWriter(path, 'json', 1, 3)
  await writer.write(new Float32Array([NaN, Infinity, 0.1]))
  await writer.close()
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), [[null, null, 0.1]])
  assert.equal(shortestFloat32(Math.fround(0.1)), '0.1')
  assert.equal(shortestFloat32(Math.fround(1 / 3)), '0.33333334')
  assert.equal(Math.fround(Number(shortestFloat32(Math.fround(1e-40)))), Math.fround(1e-40))
})
