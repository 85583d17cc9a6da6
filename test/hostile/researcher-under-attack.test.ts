import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { pbStream } from '@libp2p/utils'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { exportProject } from '../../src/node/coordinator/index.ts'
import { bytesOf, floatsOf } from '../../src/node/coordinator/floats.ts'
import { BLOB_PROTOCOL, BlobHeader, BlobRequest, BlobStatus, BlobUnavailableError } from '../../src/protocols/blob/index.ts'
import {
  LeaseStatus, RejectCode, ResultStatus, SignedReceipt, verifyReceipt, WORK_PROTOCOL, WorkErrorCode, WorkRequest, WorkResponse,
  type ChunkLease, type WorkRejection
} from '../../src/protocols/work/index.ts'
import { MAX_LEASES_PER_PEER } from '../../src/node/coordinator/constants.ts'
import { sha256Hex } from '../../src/store/blob-store.ts'
import { chunkPrefixRange } from '../../src/store/store.ts'
import { cpuMatmul, instrumentedDevice, openDevice, publishMatmul, startVolunteer, stopPeer, type TestResearcher, type TestVolunteer } from '../work/helpers/mesh.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'
import { framed, memoryNow, openStreams, sleep, startHardenedResearcher, startHostile, varint, type MemorySample } from './helpers.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'
import type { ProjectManifest } from '../../src/protocols/manifest-codec.ts'
import type { WorkNode } from '../work/helpers/nodes.ts'

/**
 * One researcher, one honest volunteer computing a real project on the
 * machine's WebGPU device, and hostile peers (real libp2p nodes speaking our
 * protocols) attacking all at once. The honest project must complete with
 * exactly the right result, nothing invalid stored, memory back where it was.
 */

const TIMEOUT_MS = 1500
const kernel = getKernel('matmul')
let device: ComputeDevice
let researcher: TestResearcher
let honest: TestVolunteer
let manifest: ProjectManifest
let a: Matrix
let b: Matrix
let exportDir: TempDir
const hostiles: WorkNode[] = []
let nextHostile = 0
const rejections: WorkRejection[] = []

before(async () => {
  device = await openDevice()
  researcher = await startHardenedResearcher({
    work: { requestTimeoutMs: TIMEOUT_MS },
    blob: { stepTimeoutMs: TIMEOUT_MS },
    coordinator: { heartbeatTimeoutMs: TIMEOUT_MS, sweepIntervalMs: 100 }
  })
  researcher.node.services.work.addEventListener('rejected', evt => { rejections.push(evt.detail) })
  researcher.node.services.blob.addEventListener('rejected', evt => { rejections.push(evt.detail) })
  // Spot check 1: every result is recomputed on the researcher, so a replayed or forged one is caught.
  ;({ manifest, a, b } = await publishMatmul(researcher, { m: 96, k: 32, n: 24, rowsPerChunk: 2, spotCheck: 1 }))
  await researcher.coordinator.addProject(manifest)
  honest = await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 60 }))
  exportDir = await makeTempDir('mesh-hostile-export-')
  // libp2p refuses more than 5 inbound connections per second from one host: connect the hostile peers at a pace it accepts.
  for (let i = 0; i < 11; i++) {
    hostiles.push(await startHostile(researcher))
    await sleep(250)
  }
})

after(async () => {
  await Promise.allSettled(hostiles.map(async h => { await h.stop() }))
  await stopPeer(honest)
  await stopPeer(researcher)
  await device?.destroy()
  await exportDir?.remove()
})

/** A hostile peer of its own for each attack (connected in `before`). */
function hostile (): WorkNode {
  const node = hostiles[nextHostile++]
  assert.ok(node != null, 'enough hostile peers were connected')
  return node
}

function reference (lease: Pick<ChunkLease, 'chunk' | 'rowStart' | 'rowEnd' | 'rowCols' | 'rows'>, shared: Matrix = b): Float32Array {
  return kernel.cpuReference({ kernel: 'matmul', params: {}, range: { index: lease.chunk, rowStart: lease.rowStart, rowEnd: lease.rowEnd }, rows: floatsOf(lease.rows), rowCols: lease.rowCols, shared: { b: shared } })
}

/** Raw bytes on a fresh work stream; resolves to the researcher's answer, or to how the stream ended. */
async function rawWork (node: WorkNode, bytes: Uint8Array): Promise<WorkResponse | string> {
  try {
    const stream = await node.dialProtocol(researcher.node.peerId, WORK_PROTOCOL)
    if (bytes.byteLength > 0) stream.send(bytes)
    await stream.close()
    const frames = (await import('@libp2p/utils')).lpStream(stream)
    return WorkResponse.decode(await frames.read({ signal: AbortSignal.timeout(10_000) }))
  } catch (err: any) {
    return err?.name ?? 'Error'
  }
}

async function leaseFor (node: WorkNode, projectId = manifest.id): Promise<{ status: LeaseStatus, lease?: ChunkLease }> {
  const { answer } = await node.services.work.lease(researcher.node.peerId, { projectId, device: 'hostile', gflops: 0 })
  return { status: answer.status, lease: answer.lease }
}

async function garbageAndAbsurdFrames (): Promise<string[]> {
  const node = hostile()
  const outcomes: string[] = []
  for (let i = 0; i < 10; i++) {
    const answer = await rawWork(node, framed(randomBytes(1 + i * 37)))
    outcomes.push(typeof answer === 'string' ? answer : `error ${answer.error?.code}`)
  }
  const absurd = [
    Uint8Array.from(varint(2n ** 62n)),
    Uint8Array.from(new Array(11).fill(0xff)),
    Uint8Array.from([...varint(64 * 1024 * 1024), 1, 2, 3]),
    Uint8Array.from([...varint(65 * 1024 * 1024 * 1024), 9])
  ]
  for (const bytes of absurd) {
    const answer = await rawWork(node, bytes)
    assert.equal(typeof answer, 'string', 'an absurd length is never answered as a request')
    outcomes.push(answer as string)
  }
  return outcomes
}

async function invalidContents (): Promise<void> {
  const node = hostile()
  const malformed = [
    WorkRequest.encode({ lease: { projectId: manifest.id, device: '', gflops: 0, heldChunks: [] }, release: { leaseIds: ['x'] } }),
    WorkRequest.encode({}),
    WorkRequest.encode({ lease: { projectId: 'p'.repeat(600), device: '', gflops: 0, heldChunks: [] } }),
    WorkRequest.encode({ lease: { projectId: '', device: '', gflops: 0, heldChunks: [] } }),
    WorkRequest.encode({ lease: { projectId: manifest.id, device: '', gflops: -1, heldChunks: [] } }),
    WorkRequest.encode({ heartbeat: { leaseIds: Array.from({ length: 65 }, (_, i) => `id${i}`), gflops: 1 } }),
    WorkRequest.encode({ release: { leaseIds: [''] } })
  ]
  for (const bytes of malformed) {
    const answer = await rawWork(node, framed(bytes))
    assert.ok(typeof answer !== 'string' && answer.error?.code === WorkErrorCode.MALFORMED, `MALFORMED answer, got ${JSON.stringify(answer)}`)
  }
  assert.equal((await leaseFor(node, 'no-such-project')).status, LeaseStatus.UNKNOWN_PROJECT)
}

async function foreignAndForgedResults (): Promise<void> {
  const node = hostile()
  const honestLeases = researcher.coordinator.snapshot(manifest.id)!.leases.filter(l => l.volunteer === honest.node.peerId.toString())
  const ids = [randomUUID(), 'not-a-lease', ...honestLeases.map(l => l.id)]
  for (const leaseId of ids) {
    // Not leased to it: only small frames get through, and they are refused as unknown leases.
    const { answer } = await node.services.work.submit(researcher.node.peerId, { leaseId, result: new Uint8Array(2 * 24 * 4), computeMs: 1, fetchMs: 0, blobBytes: 0 })
    assert.equal(answer.code, RejectCode.UNKNOWN_LEASE)
  }
  const beat = await node.services.work.heartbeat(researcher.node.peerId, { leaseIds: ids, gflops: 1 })
  assert.deepEqual(beat.answer.dropped, ids, 'nobody else\'s lease is renewed')
  assert.equal((await node.services.work.release(researcher.node.peerId, { leaseIds: ids })).answer.released, 0, 'nobody else\'s lease is released')
}

/** A verified result of the honest volunteer, handed in again for another chunk leased to the hostile peer. */
async function replayedResult (): Promise<void> {
  const node = hostile()
  let replayed: Uint8Array | undefined
  for await (const [key, bytes] of researcher.store.results.iterator(chunkPrefixRange(manifest.id))) {
    replayed = bytes
    if (replayed != null) { console.log(`# replaying the result of ${key}`); break }
  }
  assert.ok(replayed != null)
  const { status, lease } = await leaseFor(node)
  assert.equal(status, LeaseStatus.LEASED)
  const { answer } = await node.services.work.submit(researcher.node.peerId, { leaseId: lease!.leaseId, result: Uint8Array.from(replayed), computeMs: 1, fetchMs: 0, blobBytes: 0 })
  assert.equal(answer.status, ResultStatus.REJECTED)
  assert.equal(answer.code, RejectCode.MISMATCH)
  assert.equal((await leaseFor(node)).status, LeaseStatus.REFUSED, 'a peer caught once gets no more work')
}

async function leaseFlood (): Promise<Record<string, number>> {
  const node = hostile()
  const counts: Record<string, number> = {}
  // 300 requests as fast as the connection's stream limit lets them go.
  for (let batch = 0; batch < 50; batch++) {
    const answers = await Promise.allSettled(Array.from({ length: 6 }, async () => await leaseFor(node)))
    for (const answer of answers) {
      const key = answer.status === 'fulfilled' ? LeaseStatus[answer.value.status] ?? String(answer.value.status) : (answer.reason as Error).name
      counts[key] = (counts[key] ?? 0) + 1
    }
  }
  assert.ok((counts.LEASED ?? 0) <= MAX_LEASES_PER_PEER, `at most the per-peer cap of leases (got ${counts.LEASED})`)
  assert.ok((counts.RATE_LIMITED ?? 0) + (counts.TOO_MANY_LEASES ?? 0) > 0)
  // It never sends a heartbeat: its leases end at the heartbeat timeout and their chunks go back to the queue.
  const hostileId = node.peerId.toString()
  const started = Date.now()
  while (researcher.coordinator.snapshot(manifest.id)!.leases.some(l => l.volunteer === hostileId)) {
    assert.ok(Date.now() - started < 10 * TIMEOUT_MS, 'silent leases are taken back')
    await sleep(50)
  }
  console.log(`# silent leases of the flooding peer taken back after ${Date.now() - started} ms (heartbeat timeout ${TIMEOUT_MS} ms)`)
  return counts
}

async function blobAbuse (): Promise<void> {
  const node = hostile()
  const blobs = { info: async () => undefined, createWriter: async () => { throw new Error('nothing may be written') } }
  await assert.rejects(node.services.blob.fetch(researcher.node.peerId, sha256Hex(randomBytes(8)), blobs as any), (err: any) => err instanceof BlobUnavailableError && err.status === BlobStatus.NOT_FOUND)
  for (const request of [{ hash: 'x'.repeat(64), fromPiece: 0, maxPieces: 1 }, { hash: manifest.inputs[1].hash, fromPiece: 1e9, maxPieces: 1 }]) {
    const stream = await node.dialProtocol(researcher.node.peerId, BLOB_PROTOCOL)
    const messages = pbStream(stream)
    await messages.write(request, BlobRequest)
    const header = await messages.read(BlobHeader, { signal: AbortSignal.timeout(5000) })
    assert.equal(header.status, BlobStatus.MALFORMED)
  }
}

/** Streams that never finish: a partial length prefix, a partial frame, a blob stream that never asks. Timeouts free them. */
async function slowLoris (): Promise<void> {
  const node = hostile()
  const opened = []
  for (let i = 0; i < 8; i++) {
    const stream = await node.dialProtocol(researcher.node.peerId, WORK_PROTOCOL)
    stream.send(i % 2 === 0 ? Uint8Array.from([0x85]) : Uint8Array.from([...varint(100), 1, 2, 3]))
    opened.push(stream)
  }
  for (let i = 0; i < 2; i++) opened.push(await node.dialProtocol(researcher.node.peerId, BLOB_PROTOCOL))
  await sleep(100)
  assert.equal(openStreams(researcher, node, WORK_PROTOCOL), 8, 'held open for now')
  await assert.rejects(node.dialProtocol(researcher.node.peerId, WORK_PROTOCOL).then(async s => { await rawFail(s) }), 'a 9th work stream on one connection is refused')
  const started = Date.now()
  while (openStreams(researcher, node, WORK_PROTOCOL) + openStreams(researcher, node, BLOB_PROTOCOL) > 0) {
    assert.ok(Date.now() - started < 4 * TIMEOUT_MS, 'timeouts free slow-loris streams')
    await sleep(50)
  }
  console.log(`# slow-loris streams freed ${Date.now() - started} ms after they stalled (timeout ${TIMEOUT_MS} ms)`)
}

/** The stream limit may refuse at negotiation or reset the stream just after: either way nothing is answered. */
async function rawFail (stream: Awaited<ReturnType<WorkNode['dialProtocol']>>): Promise<void> {
  stream.send(framed(WorkRequest.encode({ release: { leaseIds: ['x'] } })))
  const frames = (await import('@libp2p/utils')).lpStream(stream)
  await frames.read({ signal: AbortSignal.timeout(3000) })
}

/** Frames declaring 64 MiB from a peer owed no result: refused at the length prefix, before anything is buffered. */
async function memoryFlood (): Promise<void> {
  const node = hostile()
  const mib = new Uint8Array(1024 * 1024).fill(7)
  const sent = await Promise.all(Array.from({ length: 8 }, async () => {
    let bytes = 0
    try {
      const stream = await node.dialProtocol(researcher.node.peerId, WORK_PROTOCOL)
      stream.send(Uint8Array.from(varint(64 * 1024 * 1024)))
      for (let i = 0; i < 16; i++) {
        if (!stream.send(mib)) await stream.onDrain({ signal: AbortSignal.timeout(5000) })
        bytes += mib.byteLength
      }
    } catch {
      // Expected: the researcher resets the stream.
    }
    return bytes
  }))
  // Well before the request timeout: nothing of it is held.
  assert.equal(openStreams(researcher, node, WORK_PROTOCOL), 0, 'every oversized stream was reset at once')
  console.log(`# 64 MiB frames from a peer without a lease: reset after ${(sent.reduce((x, y) => x + y, 0) / 1024 / 1024).toFixed(0)} MiB sent in all`)
}

test('given hostile peers attacking every protocol at once, the researcher keeps serving the honest volunteer, stores nothing invalid and its memory stays bounded', async () => {
  const honestRun = honest.volunteer.join(manifest)
  // Let a few chunks be verified first: the replay attack needs a verified result to replay.
  while ((researcher.coordinator.progress(manifest.id)?.done ?? 0) < 3) await sleep(20)
  const before: MemorySample = memoryNow()

  const started = performance.now()
  const [frames, , , , flood] = await Promise.all([
    garbageAndAbsurdFrames(), invalidContents(), foreignAndForgedResults(), replayedResult(), leaseFlood(), blobAbuse(), slowLoris(), memoryFlood()
  ])
  const attackMs = performance.now() - started
  const during = researcher.coordinator.progress(manifest.id)!
  console.log(`# attacks took ${attackMs.toFixed(0)} ms; the honest project went on to ${during.done}/${during.total} chunks meanwhile`)
  console.log(`# garbage and absurd frames ended as: ${JSON.stringify(count(frames))}; lease flood answers: ${JSON.stringify(flood)}`)

  const summary = await honestRun
  assert.equal(summary.outcome, 'done', `the honest volunteer finished the project (${summary.reason ?? ''})`)
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')

  // Nothing invalid stored: every result is the CPU reference's, every receipt went to the honest volunteer.
  const out = join(exportDir.path, 'c.npy')
  await exportProject(researcher.store, manifest.id, 'npy', out)
  const exported = await readNpyMatrix(out)
  const expected = cpuMatmul(a, b)
  assert.ok(kernel.compare({}, [{ name: 'a', rows: a.rows, cols: a.cols }, { name: 'b', rows: b.rows, cols: b.cols }], expected, exported.data).ok, 'the export equals the CPU reference')
  const honestId = honest.node.peerId.toString()
  let receipts = 0
  for await (const bytes of researcher.store.ledger.values()) {
    const verified = await verifyReceipt(SignedReceipt.decode(bytes))
    assert.equal(verified?.receipt.volunteer, honestId, 'only the honest volunteer earned credit')
    receipts++
  }
  assert.equal(receipts, manifest.chunkCount)
  assert.ok(researcher.coordinator.snapshot(manifest.id)!.volunteers.some(v => v.status === 'banned'), 'the replaying peer is banned')
  assert.ok(rejections.length >= 20, `rejections are reported (${rejections.length})`)

  const afterAttacks = memoryNow()
  console.log(`# memory before the attacks: ${JSON.stringify(before)}; after: ${JSON.stringify(afterAttacks)}`)
  assert.ok(afterAttacks.heapMiB - before.heapMiB < 32, 'heap back within 32 MiB of where it was')
  assert.ok(afterAttacks.externalMiB - before.externalMiB < 64, 'buffers back within 64 MiB of where they were')
})

test('given a wrong result that failed the spot check, a second wrong copy of the same chunk is checked too, and the right one is accepted', async () => {
  const { manifest: single, b: singleB } = await publishMatmul(researcher, { m: 4, k: 4, n: 4, rowsPerChunk: 4, spotCheck: 1, seed: 99 })
  await researcher.coordinator.addProject(single)
  for (let attempt = 0; attempt < 2; attempt++) {
    const node = hostile()
    const { status, lease } = await leaseFor(node, single.id)
    assert.equal(status, LeaseStatus.LEASED)
    const wrong = reference(lease!, singleB).map(v => v + 0.5)
    const { answer } = await node.services.work.submit(researcher.node.peerId, { leaseId: lease!.leaseId, result: bytesOf(wrong), computeMs: 1, fetchMs: 0, blobBytes: 0 })
    assert.equal(answer.code, RejectCode.MISMATCH, `wrong copy ${attempt + 1} is caught`)
  }
  let stored = 0
  for await (const _ of researcher.store.results.keys(chunkPrefixRange(single.id))) stored++
  assert.equal(stored, 0)
  const node = hostile()
  const { lease } = await leaseFor(node, single.id)
  const { answer } = await node.services.work.submit(researcher.node.peerId, { leaseId: lease!.leaseId, result: bytesOf(reference(lease!, singleB)), computeMs: 1, fetchMs: 0, blobBytes: 0 })
  assert.equal(answer.status, ResultStatus.VERIFIED)
})

function count (values: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1
  return counts
}
