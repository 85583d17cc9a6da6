import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { GroupCommit, WriterClosedError, type BatchTarget, type WriteOp } from '../../src/store/group-commit.ts'
import { openStore, type MeshStore } from '../../src/store/store.ts'
import { keyedBatchTarget } from '../helpers/keyed-batches.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'

const dirs: TempDir[] = []
const stores: MeshStore[] = []

after(async () => {
  for (const store of stores) await store.close().catch(() => {})
  for (const dir of dirs) await dir.remove()
})

async function freshStore (): Promise<{ store: MeshStore, dir: TempDir }> {
  const dir = await makeTempDir('mesh-group-commit-')
  dirs.push(dir)
  const store = await openStore(dir.path)
  stores.push(store)
  return { store, dir }
}

/** A verified chunk's shape of writes: binary result, JSON record, binary receipt. */
function chunkOps (store: MeshStore, key: string, fill = 1): WriteOp[] {
  return [
    { type: 'put', sublevel: store.results, key, value: new Uint8Array(64).fill(fill) },
    { type: 'put', sublevel: store.chunks, key, value: { index: key, state: 'verified' } },
    { type: 'put', sublevel: store.ledger, key: `issued/${key}`, value: new Uint8Array([fill, 2, 3]) }
  ]
}

/**
 * The store's root db as a BatchTarget that records the keys of every batch
 * written, and can make chosen batches (by number, from 1) fail at write
 * time as a full disk would: nothing of them lands.
 */
function recordingTarget (store: MeshStore, failing = new Set<number>()): { target: BatchTarget, written: string[][] } {
  const written: string[][] = []
  const target = keyedBatchTarget(store.db, {
    beforeWrite: async (_keys, number) => {
      if (failing.has(number)) throw Object.assign(new Error(`IO error: batch ${number}: No space left on device`), { code: 'ENOSPC' })
    },
    afterWrite: keys => { if (keys.length > 0) written.push([...keys]) }
  })
  return { target, written }
}

function assertBytes (actual: Uint8Array | undefined, expected: Uint8Array): void {
  assert.ok(actual != null, 'stored')
  assert.deepEqual(new Uint8Array(actual), expected)
}

/** Resolves once the writer's current batch is on its way to the thread pool (a few turns of the event loop). */
async function turn (): Promise<void> {
  await new Promise(resolve => setImmediate(resolve))
}

test('writes handed in while a batch is in flight are committed together in the next batch', async () => {
  const { store } = await freshStore()
  const writer = new GroupCommit(store.db)
  const first = writer.write(chunkOps(store, 'first'))
  await Promise.resolve()
  await Promise.resolve()
  // The first batch is being written now; these 50 wait for it and go as one.
  const rest = Array.from({ length: 50 }, async (_, i) => { await writer.write(chunkOps(store, `k${i}`)) })
  await Promise.all([first, ...rest])
  assert.equal(writer.batches, 2, 'one batch for the first write, one for the 50 that queued behind it')
  for (let i = 0; i < 50; i++) assertBytes(await store.results.get(`k${i}`), new Uint8Array(64).fill(1))
})

test('concurrent submitters, each awaiting its own write, share batches: far fewer batches than writes', async () => {
  const { store } = await freshStore()
  const writer = new GroupCommit(store.db)
  const submitters = 32
  const each = 20
  await Promise.all(Array.from({ length: submitters }, async (_, s) => {
    for (let i = 0; i < each; i++) {
      const key = `s${s}/${i}`
      await writer.write(chunkOps(store, key, s))
      // What a caller reads after its write resolved is there.
      assertBytes(await store.results.get(key), new Uint8Array(64).fill(s))
      assert.deepEqual(await store.chunks.get(key), { index: key, state: 'verified' })
    }
  }))
  console.log(`# ${submitters * each} writes in ${writer.batches} batches`)
  assert.ok(writer.batches <= (submitters * each) / 4, `${writer.batches} batches for ${submitters * each} writes`)
})

test('one caller\'s ops are never split across batches, also when the group cap is reached; a caller over the cap gets a batch of its own', async () => {
  const { store } = await freshStore()
  const { target, written } = recordingTarget(store)
  const writer = new GroupCommit(target, { maxOps: 7 })
  const big: WriteOp[] = Array.from({ length: 10 }, (_, i) => ({ type: 'put', sublevel: store.results, key: `big/${i}`, value: new Uint8Array([i]) }))
  const first = writer.write(chunkOps(store, 'lead'))
  await Promise.resolve()
  const writes = [first]
  for (let i = 0; i < 12; i++) {
    writes.push(writer.write(chunkOps(store, `c${i}`)))
    if (i === 4) writes.push(writer.write(big))
  }
  await Promise.all(writes)
  const ownerOf = (key: string): string => key.startsWith('big/') ? 'big' : key.replace(/^issued\//, '')
  const total = (owner: string): number => owner === 'big' ? 10 : 3
  assert.equal(written.flat().length, 3 + 12 * 3 + 10, 'every op was written once')
  assert.ok(written.length >= 1 + 1 + Math.ceil((12 * 3) / 7), `${written.length} batches`)
  for (const batch of written) {
    const owners = new Set(batch.map(ownerOf))
    for (const owner of owners) assert.equal(batch.filter(k => ownerOf(k) === owner).length, total(owner), `batch [${batch.join(', ')}] holds all of ${owner}'s ops`)
    if (owners.has('big')) assert.equal(owners.size, 1, 'the caller over the cap is alone in its batch')
    else assert.ok(batch.length <= 7, `batch of ${batch.length} ops over the cap of 7`)
  }
  for (let i = 0; i < 12; i++) assert.ok(await store.results.get(`c${i}`) != null)
})

test('an op that cannot be encoded rejects only its caller, and none of that caller\'s ops land; the rest of its batch commits', async () => {
  const { store } = await freshStore()
  const writer = new GroupCommit(store.db)
  const lead = writer.write(chunkOps(store, 'lead'))
  await Promise.resolve()
  const before = writer.write(chunkOps(store, 'before'))
  const bad = assert.rejects(writer.write([
    { type: 'put', sublevel: store.results, key: 'bad', value: new Uint8Array([9]) },
    { type: 'put', sublevel: store.chunks, key: 'bad', value: { flops: 10n } }
  ]), /BigInt/)
  const later = writer.write(chunkOps(store, 'later'))
  await lead
  await before
  await bad
  await later
  assert.equal(writer.batches, 2, 'the bad caller did not cost a batch of its own')
  assert.equal(await store.results.get('bad'), undefined, 'the bad caller\'s first op did not land without its second')
  assert.ok(await store.results.get('before') != null)
  assert.ok(await store.results.get('later') != null)
})

test('a batch that fails to write rejects exactly its callers with its error; earlier and later batches commit', async () => {
  const { store } = await freshStore()
  const { target } = recordingTarget(store, new Set([2]))
  const writer = new GroupCommit(target)
  const settled = new Map<string, 'ok' | Error>()
  const write = (key: string): Promise<void> => writer.write(chunkOps(store, key)).then(() => { settled.set(key, 'ok') }, err => { settled.set(key, err) })
  const first = write('a')
  await Promise.resolve()
  const second = [write('b'), write('c')]
  await first
  await Promise.all(second)
  const third = write('d')
  await third
  assert.equal(settled.get('a'), 'ok')
  for (const key of ['b', 'c']) {
    const err = settled.get(key)
    assert.ok(err instanceof Error && /No space left on device/.test(err.message), `${key}: ${String(err)}`)
    assert.equal(await store.results.get(key), undefined)
    assert.equal(await store.chunks.get(key), undefined)
  }
  assert.equal(settled.get('d'), 'ok', 'the writer still writes after a failed batch')
  assert.ok(await store.results.get('a') != null)
  assert.ok(await store.results.get('d') != null)
})

test('with the database closed, writes reject; once it is open again, writes go through', async () => {
  const { store } = await freshStore()
  const writer = new GroupCommit(store.db)
  const put = (key: string): WriteOp[] => [{ type: 'put', key, value: new Uint8Array([1]) }, { type: 'put', key: `${key}/2`, value: new Uint8Array([2]) }]
  await writer.write(put('x'))
  await store.db.close()
  await assert.rejects(writer.write(put('y')), (err: any) => err.code === 'LEVEL_DATABASE_NOT_OPEN')
  await store.db.open()
  await writer.write(put('z'))
  assertBytes(await store.db.get('z/2'), new Uint8Array([2]))
  assert.equal(await store.db.get('y'), undefined)
})

test('writes commit and resolve in the order they were handed in; the last write of a key wins', async () => {
  const { store } = await freshStore()
  const writer = new GroupCommit(store.db, { maxOps: 5 })
  const resolved: number[] = []
  const writes: Array<Promise<void>> = []
  for (let i = 0; i < 40; i++) {
    writes.push(writer.write([{ type: 'put', sublevel: store.settings, key: 'same', value: i }, { type: 'put', sublevel: store.settings, key: `n${i}`, value: i }]).then(() => { resolved.push(i) }))
    if (i % 7 === 0) await turn()
  }
  await Promise.all(writes)
  assert.ok(writer.batches > 1)
  assert.deepEqual(resolved, Array.from({ length: 40 }, (_, i) => i))
  assert.equal(await store.settings.get('same'), 39)
  await writer.write([{ type: 'del', sublevel: store.settings, key: 'same' }])
  assert.equal(await store.settings.get('same'), undefined)
})

test('store.close() commits the writes still queued, then refuses new ones; the data is there after reopening', async () => {
  const dir = await makeTempDir('mesh-group-commit-')
  dirs.push(dir)
  const store = await openStore(dir.path)
  const pending = Array.from({ length: 20 }, async (_, i) => { await store.writer.write(chunkOps(store, `q${i}`)) })
  await store.close()
  await Promise.all(pending)
  await assert.rejects(store.writer.write(chunkOps(store, 'late')), WriterClosedError)
  const reopened = await openStore(dir.path)
  stores.push(reopened)
  for (let i = 0; i < 20; i++) assertBytes(await reopened.results.get(`q${i}`), new Uint8Array(64).fill(1))
  assert.equal(await reopened.results.get('late'), undefined)
})
