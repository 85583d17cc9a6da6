import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNpyWriter, encodeNpyHeader, readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { DataFileError } from '../../src/compute/data/errors.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'

let dir: string
before(async () => { dir = await mkdtemp(join(tmpdir(), 'mesh-npy-')) })
after(async () => { await rm(dir, { recursive: true, force: true }) })

/** A .npy file with any header text and data bytes, as other tools (or attackers) might write. */
function npyBytes (dict: string, data: Uint8Array, version = 1): Uint8Array {
  const preamble = version === 1 ? 10 : 12
  let text = dict
  while ((preamble + text.length + 1) % 64 !== 0) text += ' '
  text += '\n'
  const bytes = new Uint8Array(preamble + text.length + data.length)
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0])
  const view = new DataView(bytes.buffer)
  if (version === 1) view.setUint16(8, text.length, true)
  else view.setUint32(8, text.length, true)
  bytes.set(new TextEncoder().encode(text), preamble)
  bytes.set(data, preamble + text.length)
  return bytes
}

async function file (name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, bytes)
  return path
}

async function rejects (path: string, message: RegExp): Promise<void> {
  await assert.rejects(readNpyMatrix(path), (err: any) => {
    assert.ok(err instanceof DataFileError, `expected DataFileError, got ${err}`)
    assert.equal(err.message.split('\n').length, 1)
    assert.ok(err.message.startsWith(path + ': '), err.message)
    assert.match(err.message, message)
    return true
  })
}

test('a written matrix reads back bit for bit, with numpy\'s 64-byte header alignment', async () => {
  const matrix = generateMatrix(7, 5, 3)
  const path = join(dir, 'm.npy')
  await writeNpyMatrix(path, matrix)
  const back = await readNpyMatrix(path)
  assert.deepEqual([back.rows, back.cols], [7, 5])
  assert.deepEqual(back.data, matrix.data)
  assert.equal(encodeNpyHeader(7, 5).length % 64, 0)
  assert.match(new TextDecoder().decode(encodeNpyHeader(7, 5)), /\{'descr': '<f4', 'fortran_order': False, 'shape': \(7, 5\), \}/)
})

test('version 2 headers and a Python 2 long suffix are accepted', async () => {
  const data = new Float32Array([1, 2, 3, 4])
  const path = await file('v2.npy', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 2L), }", new Uint8Array(data.buffer), 2))
  assert.deepEqual((await readNpyMatrix(path)).data, data)
})

test('the streaming writer writes rows as they come and refuses to finish short', async () => {
  const matrix = generateMatrix(10, 3, 9)
  const path = join(dir, 'stream.npy')
  const writer = await createNpyWriter(path, 10, 3)
  for (let r = 0; r < 10; r += 4) await writer.write(matrix.data.subarray(r * 3, Math.min(10, r + 4) * 3))
  await writer.close()
  assert.deepEqual((await readNpyMatrix(path)).data, matrix.data)

  const shortPath = join(dir, 'short.npy')
  const short = await createNpyWriter(shortPath, 10, 3)
  await short.write(matrix.data.subarray(0, 9))
  await assert.rejects(short.close(), /closed after 3 of 10 rows/)
  await assert.rejects(readFile(shortPath), { code: 'ENOENT' })
  const partial = await createNpyWriter(join(dir, 'partial.npy'), 2, 3)
  await assert.rejects(partial.write(new Float32Array(4)), /not whole rows/)
  await partial.abort()
})

test('each malformed .npy file is refused with one line naming the file and the problem', async () => {
  const four = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer)
  await rejects(join(dir, 'missing.npy'), /no such file/)
  await rejects(await file('empty.npy', new Uint8Array(0)), /empty file/)
  await rejects(await file('text.npy', 'a,b\n1,2\n'), /not a \.npy file/)
  await rejects(await file('f64.npy', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", new Uint8Array(96))),
    /expected a 2-D float32 array, got float64 \(3, 4\)$/)
  await rejects(await file('i32.npy', npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", four)), /got int32 \(2, 2\)/)
  await rejects(await file('be.npy', npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", four)), /got big-endian float32/)
  await rejects(await file('1d.npy', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four)), /got float32 \(4,\)/)
  await rejects(await file('3d.npy', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", four)), /got float32 \(1, 2, 2\)/)
  await rejects(await file('fortran.npy', npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four)), /Fortran order/)
  await rejects(await file('zero.npy', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }", new Uint8Array(0))), /non-empty/)
  await rejects(await file('short-data.npy', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", four)),
    /truncated: the header says 2x3 float32 \(24 bytes of data\), the file has 16/)
  await rejects(await file('long-data.npy', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", four)), /8 unexpected bytes/)
  await rejects(await file('garbled.npy', npyBytes('{hello}', four)), /malformed \.npy header/)
  const cut = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", four).subarray(0, 30)
  await rejects(await file('cut-header.npy', cut), /truncated \.npy header/)
  const v9 = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", four)
  v9[6] = 9
  await rejects(await file('v9.npy', v9), /unsupported \.npy format version 9/)
})

test('generated matrices are deterministic per seed and within [-1, 1)', () => {
  const a = generateMatrix(50, 40, 42)
  assert.deepEqual(a.data, generateMatrix(50, 40, 42).data)
  assert.notDeepEqual(a.data, generateMatrix(50, 40, 43).data)
  assert.ok(a.data.every(v => v >= -1 && v < 1))
  const mean = a.data.reduce((s, v) => s + v, 0) / a.data.length
  assert.ok(Math.abs(mean) < 0.1, `mean ${mean} of uniform values should be near 0`)
})
