import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { openStore, type MeshStore } from '../../src/store/store.ts'
import { BlobHashMismatchError, BlobSizeError, BlobStore, BlobWriteInProgressError, sha256Hex } from '../../src/store/blob-store.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'

const dir = await makeTempDir()
const store: MeshStore = await openStore(dir.path)
const pieceSize = 1000
const blobs = new BlobStore(store, pieceSize)

after(async () => {
  await store.close()
  await dir.remove()
})

async function collect (iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const part of iterable) parts.push(part)
  return Buffer.concat(parts)
}

test('put stores bytes in pieces and reads them back whole and piecewise', async () => {
  const bytes = randomBytes(3500)
  const info = await blobs.put(bytes, { own: true })
  assert.equal(info.hash, sha256Hex(bytes))
  assert.equal(info.size, 3500)
  assert.equal(info.pieces, 4)
  assert.equal(info.pieceSize, pieceSize)
  assert.equal(info.own, true)
  assert.equal(await blobs.has(info.hash), true)
  assert.deepEqual(Buffer.from(await blobs.get(info.hash)), bytes)
  const fromSecond = await collect(blobs.pieces(info.hash, 2))
  assert.deepEqual(fromSecond, bytes.subarray(2000))
})

test('an empty blob has zero pieces and reads back empty', async () => {
  const info = await blobs.put(new Uint8Array(0), { own: false })
  assert.equal(info.pieces, 0)
  assert.equal((await blobs.get(info.hash)).byteLength, 0)
})

test('a writer fed uneven writes commits a verified blob only at finish', async () => {
  const bytes = randomBytes(2700)
  const hash = sha256Hex(bytes)
  const writer = await blobs.createWriter(hash, bytes.byteLength)
  await assert.rejects(blobs.createWriter(hash, bytes.byteLength), BlobWriteInProgressError)
  await writer.write(bytes.subarray(0, 333))
  await writer.write(bytes.subarray(333, 2100))
  assert.equal(await blobs.has(hash), false, 'not visible before finish')
  await writer.write(bytes.subarray(2100))
  const info = await writer.finish()
  assert.equal(info.own, false)
  assert.equal(info.pieces, 3)
  assert.deepEqual(Buffer.from(await blobs.get(hash)), bytes)
})

test('a writer whose bytes do not match the hash throws and leaves nothing behind', async () => {
  const bytes = randomBytes(2500)
  const hash = sha256Hex(randomBytes(2500))
  const writer = await blobs.createWriter(hash, bytes.byteLength)
  await writer.write(bytes)
  await assert.rejects(writer.finish(), BlobHashMismatchError)
  assert.equal(await blobs.has(hash), false)
  assert.equal(await blobs.removeIncomplete(), 0, 'aborted pieces were already removed')
})

test('a writer refuses more bytes than announced, and too few at finish', async () => {
  const bytes = randomBytes(100)
  const tooMany = await blobs.createWriter(sha256Hex(bytes), 50)
  await assert.rejects(tooMany.write(bytes), BlobSizeError)
  const tooFew = await blobs.createWriter(sha256Hex(bytes), 100)
  await tooFew.write(bytes.subarray(0, 60))
  await assert.rejects(tooFew.finish(), BlobSizeError)
})

test('pieces of an interrupted write are removed by removeIncomplete', async () => {
  const bytes = randomBytes(2500)
  const writer = await blobs.createWriter(sha256Hex(bytes), bytes.byteLength)
  await writer.write(bytes.subarray(0, 2200))
  assert.equal(await blobs.removeIncomplete(), 0, 'a write in progress is left alone')
  await writer.abort()
  await writer.abort()
  const stray = randomBytes(1500)
  const crashed = await blobs.createWriter(sha256Hex(stray), stray.byteLength)
  await crashed.write(stray)
  // Simulate a crash: the process dies with the writer open (nothing aborts it).
  const afterCrash = new BlobStore(store, pieceSize)
  assert.equal(await afterCrash.removeIncomplete(), 1)
})

test('evict removes cached blobs by age, then by size, and never own ones', async () => {
  const now = Date.now()
  const own = await blobs.put(randomBytes(1200), { own: true })
  const old = await blobs.put(randomBytes(1200), { own: false })
  const older = await blobs.put(randomBytes(1200), { own: false })
  const recent = await blobs.put(randomBytes(1200), { own: false })
  await store.blobMeta.put(own.hash, { ...own, lastUsed: now - 10_000_000 })
  await store.blobMeta.put(older.hash, { ...older, lastUsed: now - 5000 })
  await store.blobMeta.put(old.hash, { ...old, lastUsed: now - 3000 })
  await store.blobMeta.put(recent.hash, { ...recent, lastUsed: now })
  const byAge = await blobs.evict({ maxAgeMs: 4000, now })
  assert.ok(byAge.some(info => info.hash === older.hash))
  assert.ok(!byAge.some(info => info.hash === own.hash))
  assert.equal(await blobs.has(older.hash), false)
  const cachedBytes = (await blobs.list()).filter(info => !info.own).reduce((sum, info) => sum + info.size, 0)
  const bySize = await blobs.evict({ maxCachedBytes: cachedBytes - 1, now })
  assert.deepEqual(bySize.map(info => info.hash), [old.hash], 'the least recently used goes first')
  assert.equal(await blobs.has(recent.hash), true)
  assert.equal(await blobs.has(own.hash), true)
})

test('put of bytes already cached marks them own', async () => {
  const bytes = randomBytes(10)
  await blobs.put(bytes, { own: false })
  const info = await blobs.put(bytes, { own: true })
  assert.equal(info.own, true)
  assert.equal((await blobs.info(info.hash))?.own, true)
})
