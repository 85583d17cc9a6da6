import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { Coordinator, exportProject, type CoordinatorInit } from '../../src/node/coordinator/index.ts'
import { loadProjectRecord } from '../../src/node/coordinator/records.ts'
import { LeaseStatus, RejectCode, ResultStatus, type ChunkLease, type ResultResponse } from '../../src/protocols/work/index.ts'
import { GroupCommit, type BatchTarget } from '../../src/store/group-commit.ts'
import { chunkKey } from '../../src/store/store.ts'
import { keyedBatchTarget } from '../helpers/keyed-batches.ts'
import { cpuMatmul, publishMatmul, startResearcher, stopPeer, type MatmulShape, type TestResearcher } from './helpers/mesh.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'
import type { ProjectManifest } from '../../src/protocols/manifest-codec.ts'
import type { PeerId } from '@libp2p/interface'

/**
 * The coordinator's writes of verified chunks go through the store's group
 * commit: results handed in together share batches, and a chunk counts as
 * verified (event, progress, receipt, the project's done record) only once
 * its batch is committed. Results are handed to the coordinator directly,
 * as the work protocol's handler does, by volunteers that are only peer ids.
 */

const researchers: TestResearcher[] = []
after(async () => {
  for (const researcher of researchers) await stopPeer(researcher)
})

/**
 * A switch over the store's root db: batches that hold `key` wait for `gate`
 * (when set), then fail as a full disk would if `fail` is set by then.
 */
interface FaultyDisk {
  readonly target: BatchTarget
  /** The (unprefixed) key that marks the batches to hold or fail. */
  key?: string
  fail: boolean
  gate?: Promise<void>
  /** Called when a batch holding `key` starts writing. */
  started?: () => void
}

function faultyDisk (researcher: TestResearcher): FaultyDisk {
  const disk: FaultyDisk = {
    fail: false,
    target: keyedBatchTarget(researcher.store.db, {
      beforeWrite: async keys => {
        if (disk.key == null || !keys.includes(disk.key)) return
        disk.started?.()
        await disk.gate
        if (disk.fail) throw Object.assign(new Error(`IO error: ${researcher.dir.path}/db/000012.log: No space left on device`), { code: 'ENOSPC' })
      }
    })
  }
  return disk
}

/** Holds the batches that hold `key` until the returned `open` is called; `started` resolves when the first of them is written. */
function hold (disk: FaultyDisk, key: string, fail: boolean): { started: Promise<void>, open: () => void } {
  let open!: () => void
  disk.gate = new Promise<void>(resolve => { open = resolve })
  const started = new Promise<void>(resolve => { disk.started = resolve })
  disk.key = key
  disk.fail = fail
  return { started, open }
}

interface Setup {
  readonly researcher: TestResearcher
  readonly coordinator: Coordinator
  readonly writer: GroupCommit
  readonly disk: FaultyDisk
  readonly manifest: ProjectManifest
  readonly product: Float32Array
  readonly a: Matrix
  readonly b: Matrix
  readonly events: { verified: number[], requeued: Array<{ chunk: number, reason: string }>, done: number }
}

/** A researcher's coordinator (not serving the network) over its store with a faulty-disk writer, coordinating a fresh matmul project. */
async function setup (shape: MatmulShape, init: Partial<CoordinatorInit> = {}): Promise<Setup> {
  const researcher = await startResearcher()
  researchers.push(researcher)
  researcher.coordinator.stop()
  const disk = faultyDisk(researcher)
  const writer = new GroupCommit(disk.target)
  const coordinator = new Coordinator({ libp2p: researcher.node, store: { ...researcher.store, writer }, blobs: researcher.blobs, privateKey: researcher.privateKey, maxChunkFailures: 100, ...init })
  const { manifest, a, b } = await publishMatmul(researcher, shape)
  await coordinator.addProject(manifest)
  const events: Setup['events'] = { verified: [], requeued: [], done: 0 }
  coordinator.events.addEventListener('chunk:verified', (evt: any) => { events.verified.push(evt.detail.chunk) })
  coordinator.events.addEventListener('chunk:requeued', (evt: any) => { events.requeued.push({ chunk: evt.detail.chunk, reason: evt.detail.reason }) })
  coordinator.events.addEventListener('project:done', () => { events.done++ })
  return { researcher, coordinator, writer, disk, manifest, product: cpuMatmul(a, b), a, b, events }
}

async function volunteer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

const context = (): { signal: AbortSignal, readMs: number, requestBytes: number } => ({ signal: new AbortController().signal, readMs: 0, requestBytes: 0 })

async function lease (s: Setup, peer: PeerId): Promise<ChunkLease> {
  const answer = await s.coordinator.leaseNextChunk(peer, { projectId: s.manifest.id, device: 'test', gflops: 1 }, context())
  assert.equal(answer.status, LeaseStatus.LEASED, answer.message)
  return answer.lease!
}

/** Hands in the exact rows of the product for `leased`. */
async function submit (s: Setup, peer: PeerId, leased: ChunkLease): Promise<ResultResponse> {
  const cols = leased.outputCols
  const rows = s.product.slice(leased.rowStart * cols, leased.rowEnd * cols)
  return await s.coordinator.acceptResult(peer, { leaseId: leased.leaseId, result: new Uint8Array(rows.buffer), computeMs: 5, fetchMs: 0, blobBytes: 0 }, context())
}

/** Waits for `condition`; fails rather than hangs should it never hold. */
async function until (condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`never: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

async function exportEqualsProduct (s: Setup): Promise<boolean> {
  const out = join(s.researcher.dir.path, 'c.npy')
  await exportProject(s.researcher.store, s.manifest.id, 'npy', out)
  const shapes = [{ name: 'a', rows: s.a.rows, cols: s.a.cols }, { name: 'b', rows: s.b.rows, cols: s.b.cols }]
  return getKernel('matmul').compare({}, shapes, s.product, (await readNpyMatrix(out)).data).ok
}

test('given 32 results of one project handed in at once, they are written in a few batches, each volunteer gets its receipt, and the project finishes with its done record', async () => {
  const s = await setup({ m: 64, k: 8, n: 16, rowsPerChunk: 2 })
  const peers = await Promise.all(Array.from({ length: 32 }, async () => await volunteer()))
  const leases = await Promise.all(peers.map(async peer => await lease(s, peer)))
  assert.deepEqual(leases.map(l => l.chunk).sort((x, y) => x - y), Array.from({ length: 32 }, (_, i) => i))
  const before = s.writer.batches
  const answers = await Promise.all(peers.map(async (peer, i) => await submit(s, peer, leases[i])))
  const batches = s.writer.batches - before
  console.log(`# 32 verified chunks in ${batches} batches`)
  for (const answer of answers) {
    assert.equal(answer.status, ResultStatus.VERIFIED, answer.message)
    assert.ok(answer.receipt != null, 'the submitter gets its receipt')
  }
  assert.ok(batches <= 8, `${batches} batches for 32 chunks handed in together`)
  assert.deepEqual([...s.events.verified].sort((x, y) => x - y), Array.from({ length: 32 }, (_, i) => i))
  assert.equal(await s.coordinator.waitUntilFinished(s.manifest.id), 'done')
  assert.equal(s.events.done, 1)
  assert.equal((await loadProjectRecord(s.researcher.store, s.manifest.id))?.status, 'done')
  assert.ok(await exportEqualsProduct(s), 'the export equals the CPU reference')
})

test('given a disk full while results are written, their chunks are not counted verified but queued again, and verified once the disk has room', async () => {
  const s = await setup({ m: 16, k: 8, n: 16, rowsPerChunk: 2 })
  const peers = await Promise.all(Array.from({ length: 8 }, async () => await volunteer()))
  const leases = await Promise.all(peers.map(async peer => await lease(s, peer)))
  const failing = leases.slice(0, 4)
  s.disk.key = chunkKey(s.manifest.id, failing[0].chunk)
  s.disk.fail = true
  // The first four are handed in together and share the failing batch (the first one alone, if it is written before the rest come).
  const first = submit(s, peers[0], failing[0])
  const answers = await Promise.all([first, ...failing.slice(1).map(async (l, i) => await submit(s, peers[i + 1], l))])
  assert.equal(answers[0].status, ResultStatus.REJECTED)
  assert.equal(answers[0].code, RejectCode.NOT_ACCEPTING)
  assert.ok(!s.events.verified.includes(failing[0].chunk), 'a chunk whose write failed is never announced verified')
  assert.ok(s.events.requeued.some(r => r.chunk === failing[0].chunk && /result not stored: data dir .* is full/.test(r.reason)), JSON.stringify(s.events.requeued))
  const notStored = answers.flatMap((answer, i) => answer.status === ResultStatus.REJECTED ? [failing[i].chunk] : [])
  assert.equal(s.coordinator.progress(s.manifest.id)!.done, 4 - notStored.length)
  for (const chunk of notStored) {
    assert.equal(await s.researcher.store.results.get(chunkKey(s.manifest.id, chunk)), undefined)
    assert.equal(s.coordinator.snapshot(s.manifest.id)!.chunks[chunk].state, 'queued')
  }
  s.disk.fail = false
  const rest = await Promise.all(leases.slice(4).map(async (l, i) => await submit(s, peers[i + 4], l)))
  for (const answer of rest) assert.equal(answer.status, ResultStatus.VERIFIED, answer.message)
  // The dropped chunks go out again and are verified.
  for (const chunk of notStored) {
    const peer = await volunteer()
    const again = await lease(s, peer)
    assert.ok(notStored.includes(again.chunk))
    assert.equal((await submit(s, peer, again)).status, ResultStatus.VERIFIED)
  }
  assert.equal(await s.coordinator.waitUntilFinished(s.manifest.id), 'done')
  assert.equal((await loadProjectRecord(s.researcher.store, s.manifest.id))?.status, 'done')
  assert.deepEqual([...s.events.verified].sort((x, y) => x - y), Array.from({ length: 8 }, (_, i) => i), 'every chunk announced verified exactly once')
  assert.ok(await exportEqualsProduct(s))
})

test('given the write of one of the last two chunks failing after the other was verified in memory, the project is not done (nor recorded done) until that chunk is stored', async () => {
  const s = await setup({ m: 8, k: 8, n: 16, rowsPerChunk: 2 })
  const peers = await Promise.all(Array.from({ length: 4 }, async () => await volunteer()))
  const leases = await Promise.all(peers.map(async peer => await lease(s, peer)))
  for (const i of [0, 1]) assert.equal((await submit(s, peers[i], leases[i])).status, ResultStatus.VERIFIED)
  const { started, open } = hold(s.disk, chunkKey(s.manifest.id, leases[2].chunk), true)
  const third = submit(s, peers[2], leases[2])
  await started
  // The third chunk's batch is in flight; the fourth is verified meanwhile and waits for the next batch.
  const fourth = submit(s, peers[3], leases[3])
  await until(() => s.coordinator.snapshot(s.manifest.id)!.chunks[leases[3].chunk].state === 'verifying', 'the fourth chunk is verified in memory while the third one\'s write is in flight')
  assert.equal(s.coordinator.progress(s.manifest.id)!.done, 2, 'chunks whose writes are in flight are not counted done')
  open()
  assert.equal((await third).code, RejectCode.NOT_ACCEPTING)
  assert.equal((await fourth).status, ResultStatus.VERIFIED)
  assert.equal(s.coordinator.progress(s.manifest.id)!.status, 'running')
  assert.equal(s.coordinator.progress(s.manifest.id)!.done, 3)
  assert.equal(s.events.done, 0)
  assert.equal((await loadProjectRecord(s.researcher.store, s.manifest.id))?.status, 'running', 'no done record while a chunk is not stored')
  s.disk.fail = false
  const peer = await volunteer()
  const again = await lease(s, peer)
  assert.equal(again.chunk, leases[2].chunk)
  assert.equal((await submit(s, peer, again)).status, ResultStatus.VERIFIED)
  assert.equal(await s.coordinator.waitUntilFinished(s.manifest.id), 'done')
  assert.equal((await loadProjectRecord(s.researcher.store, s.manifest.id))?.status, 'done')
  assert.ok(await exportEqualsProduct(s))
})

/** A two-chunk project: chunk 0 leased, chunk 1 leased to another volunteer, then chunk 0 given as a backup copy to a third. */
async function chunkWithBackup (): Promise<{ s: Setup, first: PeerId, backup: PeerId, leased: ChunkLease, copy: ChunkLease, finish: () => Promise<void> }> {
  const s = await setup({ m: 4, k: 8, n: 16, rowsPerChunk: 2 }, { backupMinAgeMs: 0 })
  const [first, backup, other] = await Promise.all([volunteer(), volunteer(), volunteer()])
  const leased = await lease(s, first)
  const otherLease = await lease(s, other)
  await new Promise(resolve => setTimeout(resolve, 5))
  const copy = await lease(s, backup)
  assert.equal(copy.chunk, leased.chunk, 'the idle volunteer gets a backup copy of the chunk leased first')
  const finish = async (): Promise<void> => {
    assert.equal((await submit(s, other, otherLease)).status, ResultStatus.VERIFIED)
    assert.equal(await s.coordinator.waitUntilFinished(s.manifest.id), 'done')
  }
  return { s, first, backup, leased, copy, finish }
}

test('given a backup copy handed in while the first copy\'s write is in flight, it waits for that write and is told the chunk is done: one verification, one receipt', async () => {
  const { s, first, backup, leased, copy, finish } = await chunkWithBackup()
  const { started, open } = hold(s.disk, chunkKey(s.manifest.id, leased.chunk), false)
  const firstAnswer = submit(s, first, leased)
  await started
  const backupAnswer = submit(s, backup, copy)
  await new Promise(resolve => setTimeout(resolve, 20))
  assert.deepEqual(s.events.verified, [], 'nothing is verified while the only write is in flight')
  open()
  assert.equal((await firstAnswer).status, ResultStatus.VERIFIED)
  const answer = await backupAnswer
  assert.equal(answer.code, RejectCode.ALREADY_DONE, answer.message)
  assert.deepEqual(s.events.verified, [leased.chunk])
  assert.equal(s.coordinator.snapshot(s.manifest.id)!.receipts.length, 1)
  await finish()
})

test('given a backup copy handed in while the first copy\'s write is in flight, if that write fails the backup copy verifies the chunk', async () => {
  const { s, first, backup, leased, copy, finish } = await chunkWithBackup()
  const { started, open } = hold(s.disk, chunkKey(s.manifest.id, leased.chunk), true)
  const firstAnswer = submit(s, first, leased)
  await started
  s.disk.key = undefined
  const backupAnswer = submit(s, backup, copy)
  await new Promise(resolve => setTimeout(resolve, 20))
  assert.deepEqual(s.events.verified, [], 'nothing is verified while the only write is in flight')
  open()
  assert.equal((await firstAnswer).code, RejectCode.NOT_ACCEPTING)
  const answer = await backupAnswer
  assert.equal(answer.status, ResultStatus.VERIFIED, answer.message)
  assert.deepEqual(s.events.verified, [leased.chunk])
  assert.equal(s.coordinator.snapshot(s.manifest.id)!.receipts.length, 1)
  await finish()
})
