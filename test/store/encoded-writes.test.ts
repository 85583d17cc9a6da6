import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { verifiedChunkOps, type StoredChunkRecord } from '../../src/node/coordinator/records.ts'
import { GroupCommit, type WriteOp } from '../../src/store/group-commit.ts'
import { openStore, type MeshStore } from '../../src/store/store.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'

/**
 * The group commit encodes the ops of the store's sublevels itself and hands
 * most of them to the batch's _put() (see group-commit.ts): what lands must
 * be what `db.batch([... { sublevel }])` writes, byte for byte, and read
 * back unchanged through the sublevels.
 */

const dirs: TempDir[] = []
const stores: MeshStore[] = []

after(async () => {
  for (const store of stores) await store.close().catch(() => {})
  for (const dir of dirs) await dir.remove()
})

async function freshStore (): Promise<MeshStore> {
  const dir = await makeTempDir('mesh-encoded-writes-')
  dirs.push(dir)
  const store = await openStore(dir.path)
  stores.push(store)
  return store
}

/** Counts the ops that batches of `store.db` take through _put() and _del(), i.e. past put() and del(). */
function countDirectOps (store: MeshStore): { direct: number } {
  const counts = { direct: 0 }
  const db = store.db as any
  const batch = db.batch.bind(db)
  db.batch = (...args: unknown[]) => {
    const made = batch(...args)
    if (args.length > 0) return made
    // put() and del() end in _put() and _del(): count only the calls from elsewhere.
    let inPublic = false
    for (const name of ['put', 'del']) {
      const publicOp = made[name].bind(made)
      made[name] = (...a: unknown[]) => {
        inPublic = true
        try { return publicOp(...a) } finally { inPublic = false }
      }
      const privateOp = made[`_${name}`].bind(made)
      made[`_${name}`] = (...a: unknown[]) => {
        if (!inPublic) counts.direct++
        return privateOp(...a)
      }
    }
    return made
  }
  return counts
}

const projectId = 'c'.repeat(64)
const volunteers = ['12D3KooWAbc', '12D3KooWDéf', '12D3KooW😀']

function record (index: number): StoredChunkRecord {
  return {
    index, state: 'verified', attempts: 2, leasedAt: 1_700_000_000_000 + index, verifiedAt: 1_700_000_000_500 + index, volunteer: volunteers[index % 3], computeMs: 12.5, transferMs: 3, bytesMoved: 4096, flops: 2e9 + index, agreed: volunteers.slice(0, 1 + (index % 3)), spotChecked: index % 2 === 0
  }
}

function result (index: number): Uint8Array {
  return Uint8Array.from({ length: 1024 }, (_, i) => (i * 31 + index) & 0xff)
}

/** A verified chunk's writes as the coordinator makes them, plus ops of other shapes: a string into a binary sublevel, a JSON string, a delete. */
function opsFor (store: MeshStore, index: number): WriteOp[] {
  const receipts = record(index).agreed!.map((volunteer, i) => ({ volunteer, signed: Uint8Array.from([index & 0xff, i, 7, 8, 9]) }))
  const done = index === 9 ? { projectId, status: 'done' as const, kernel: 'matmul', rows: 10, outputCols: 256, rowsPerChunk: 1, chunkCount: 10, startedAt: 1, finishedAt: 2, mismatches: 0, spotChecks: 3 } : undefined
  return [
    ...verifiedChunkOps(store, projectId, record(index), result(index), receipts, done),
    { type: 'put', sublevel: store.blobs, key: `text/${index}/ünïcode`, value: `bytes from a string ✓ ${index}` },
    { type: 'put', sublevel: store.settings, key: `s${index}`, value: `a "json" string\n${index}` },
    { type: 'put', sublevel: store.peers, key: `gone${index}`, value: { n: index } },
    { type: 'del', sublevel: store.peers, key: `gone${index}` }
  ]
}

async function rawEntries (store: MeshStore): Promise<Array<[string, string]>> {
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
  const entries: Array<[string, string]> = []
  for await (const [key, value] of store.db.iterator<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' })) entries.push([hex(key), hex(value)])
  return entries
}

test('writes through the group commit land byte for byte as db.batch() with { sublevel } writes them, most of them past put()', async () => {
  const grouped = await freshStore()
  const counts = countDirectOps(grouped)
  const writer = new GroupCommit(grouped.db, { maxOps: 20 })
  await Promise.all(Array.from({ length: 10 }, async (_, i) => { await writer.write(opsFor(grouped, i)) }))
  assert.ok(writer.batches >= 2, `${writer.batches} batches`)
  assert.ok(counts.direct > 0, 'ops went to _put() and _del()')

  const batched = await freshStore()
  for (let i = 0; i < 10; i++) await batched.db.batch(opsFor(batched, i) as any)

  const expected = await rawEntries(batched)
  assert.ok(expected.length > 40, `${expected.length} entries`)
  assert.deepEqual(await rawEntries(grouped), expected)
})

test('what the store\'s writer writes reads back unchanged through the sublevels', async () => {
  const store = await freshStore()
  const counts = countDirectOps(store)
  await Promise.all(Array.from({ length: 10 }, async (_, i) => { await store.writer.write(opsFor(store, i)) }))
  assert.ok(counts.direct > 0, 'ops went to _put() and _del()')
  for (let i = 0; i < 10; i++) {
    const key = `${projectId}/${i.toString().padStart(10, '0')}`
    assert.deepEqual(new Uint8Array((await store.results.get(key))!), result(i))
    assert.deepEqual(await store.chunks.get(key), record(i))
    for (const [n, volunteer] of record(i).agreed!.entries()) {
      assert.deepEqual(new Uint8Array((await store.ledger.get(`issued/${key}/${volunteer}`))!), Uint8Array.from([i, n, 7, 8, 9]))
    }
    assert.equal(new TextDecoder().decode(await store.blobs.get(`text/${i}/ünïcode`)), `bytes from a string ✓ ${i}`)
    assert.equal(await store.settings.get(`s${i}`), `a "json" string\n${i}`)
    assert.equal(await store.peers.get(`gone${i}`), undefined)
  }
  assert.equal((await store.projectState.get(projectId) as any)?.status, 'done')
})

test('an op past put() that cannot be stored rejects only its caller, and none of that caller\'s ops land', async () => {
  const store = await freshStore()
  const writer = new GroupCommit(store.db)
  const lead = writer.write(opsFor(store, 0))
  await Promise.resolve()
  const before = writer.write(opsFor(store, 1))
  const bad = assert.rejects(writer.write([
    { type: 'put', sublevel: store.results, key: 'bad', value: new Uint8Array([1]) },
    { type: 'put', sublevel: store.results, key: 'bad/2', value: undefined }
  ]), (err: any) => err.code === 'LEVEL_INVALID_VALUE')
  const badKey = assert.rejects(writer.write([
    { type: 'put', sublevel: store.results, key: 'bad/3', value: new Uint8Array([1]) },
    { type: 'del', sublevel: store.results, key: null as unknown as string }
  ]), (err: any) => err.code === 'LEVEL_INVALID_KEY')
  const later = writer.write(opsFor(store, 2))
  await Promise.all([lead, before, bad, badKey, later])
  assert.equal(writer.batches, 2)
  for (const key of ['bad', 'bad/2', 'bad/3']) assert.equal(await store.results.get(key), undefined, key)
  for (const i of [0, 1, 2]) assert.ok(await store.results.get(`${projectId}/${i.toString().padStart(10, '0')}`) != null)
})

test('with a prewrite hook or a write listener on the database, ops go in with { sublevel } as before', async () => {
  const store = await freshStore()
  const counts = countDirectOps(store)
  const hooked: Array<{ key: unknown, sublevel: unknown }> = []
  store.db.hooks.prewrite.add((op: any) => { hooked.push({ key: op.key, sublevel: op.sublevel }) })
  const events: any[] = []
  store.db.on('write', (ops: any[]) => { events.push(...ops) })
  const writer = new GroupCommit(store.db)
  await Promise.all(Array.from({ length: 4 }, async (_, i) => { await writer.write(opsFor(store, i)) }))
  assert.equal(counts.direct, 0, 'nothing went past put()')
  const key = `${projectId}/${'0'.padStart(10, '0')}`
  assert.ok(hooked.some(op => op.key === key && op.sublevel === store.results), 'the hook saw the sublevel\'s op')
  assert.ok(events.some(op => op.key === `!results!${key}`), 'the write event names the keys as the root database has them')
  assert.deepEqual(await store.chunks.get(key), record(0))
})
