import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { lpStream } from '@libp2p/utils'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { LeaseStatus, RejectCode, ResultStatus, WORK_PROTOCOL, WorkErrorCode, WorkRequest, WorkResponse, type ChunkLease, type WorkRejection } from '../../src/protocols/work/index.ts'
import { chunkPrefixRange } from '../../src/store/store.ts'
import { floatsOf, bytesOf } from '../../src/node/coordinator/floats.ts'
import { publishMatmul, startResearcher, stopPeer, type TestResearcher } from '../work/helpers/mesh.ts'
import { startWorkNode, type WorkNode } from '../work/helpers/nodes.ts'
import type { ProjectManifest } from '../../src/protocols/manifest-codec.ts'

let researcher: TestResearcher
let honest: WorkNode
let hostile: WorkNode
let manifest: ProjectManifest
let b: Float32Array
const rejections: WorkRejection[] = []

before(async () => {
  researcher = await startResearcher()
  researcher.node.services.work.addEventListener('rejected', (evt) => { rejections.push(evt.detail) })
  // Redundancy 2: a first result waits for a second volunteer, so a duplicate is observable.
  const published = await publishMatmul(researcher, { m: 16, k: 8, n: 4, rowsPerChunk: 4, redundancy: 2 })
  manifest = published.manifest
  b = published.b.data
  await researcher.coordinator.addProject(manifest)
  honest = await startWorkNode()
  hostile = await startWorkNode()
  await honest.dial(researcher.node.getMultiaddrs()[0])
  await hostile.dial(researcher.node.getMultiaddrs()[0])
})

after(async () => {
  await Promise.allSettled([honest?.stop(), hostile?.stop()])
  await stopPeer(researcher)
})

/** An unsigned LEB128 varint, the work protocol's length prefix. */
function lengthPrefix (length: number): number[] {
  const bytes: number[] = []
  do {
    let byte = length % 128
    length = Math.floor(length / 128)
    if (length > 0) byte |= 0x80
    bytes.push(byte)
  } while (length > 0)
  return bytes
}

function correctResult (lease: ChunkLease): Uint8Array {
  const kernel = getKernel('matmul')
  const output = kernel.cpuReference({
    kernel: 'matmul', params: {}, range: { index: lease.chunk, rowStart: lease.rowStart, rowEnd: lease.rowEnd },
    rows: floatsOf(lease.rows), rowCols: lease.rowCols, shared: { b: { data: b, rows: 8, cols: 4 } }
  })
  return bytesOf(output)
}

async function leaseFor (node: WorkNode): Promise<ChunkLease> {
  const { answer } = await node.services.work.lease(researcher.node.peerId, { projectId: manifest.id, device: 'test', gflops: 0 })
  assert.equal(answer.status, LeaseStatus.LEASED, answer.message)
  return answer.lease!
}

async function storedResults (): Promise<number> {
  let count = 0
  for await (const _ of researcher.store.results.keys(chunkPrefixRange(manifest.id))) count++
  return count
}

async function storedReceipts (): Promise<number> {
  let count = 0
  for await (const _ of researcher.store.ledger.keys()) count++
  return count
}

/** Sends raw bytes on a fresh work stream and reads one length-prefixed answer (or the stream's failure). */
async function rawExchange (bytes: Uint8Array): Promise<WorkResponse> {
  const stream = await hostile.dialProtocol(researcher.node.peerId, WORK_PROTOCOL)
  stream.send(bytes)
  await stream.close()
  const frame = await lpStream(stream).read({ signal: AbortSignal.timeout(5000) })
  return WorkResponse.decode(frame)
}

test('given a lease of another peer, a result for it is rejected as UNKNOWN_LEASE, logged, and nothing is stored', async () => {
  const lease = await leaseFor(honest)
  const before = rejections.length
  const { answer } = await hostile.services.work.submit(researcher.node.peerId, { leaseId: lease.leaseId, result: correctResult(lease) as Uint8Array<ArrayBuffer>, computeMs: 1, fetchMs: 0, blobBytes: 0 })
  assert.equal(answer.status, ResultStatus.REJECTED)
  assert.equal(answer.code, RejectCode.UNKNOWN_LEASE)
  assert.equal(rejections.length, before + 1)
  assert.equal(rejections.at(-1)!.from, hostile.peerId.toString())
  assert.equal(await storedResults(), 0)
  assert.equal(await storedReceipts(), 0)

  // The real holder is still served.
  const own = await honest.services.work.submit(researcher.node.peerId, { leaseId: lease.leaseId, result: correctResult(lease) as Uint8Array<ArrayBuffer>, computeMs: 1, fetchMs: 0, blobBytes: 0 })
  assert.equal(own.answer.status, ResultStatus.PENDING, 'redundancy 2: waits for a second copy')
})

test('given a result already returned, a duplicate is rejected and nothing is stored', async () => {
  const lease = await leaseFor(honest)
  const result = correctResult(lease) as Uint8Array<ArrayBuffer>
  const first = await honest.services.work.submit(researcher.node.peerId, { leaseId: lease.leaseId, result, computeMs: 1, fetchMs: 0, blobBytes: 0 })
  assert.equal(first.answer.status, ResultStatus.PENDING)
  const before = rejections.length
  const again = await honest.services.work.submit(researcher.node.peerId, { leaseId: lease.leaseId, result, computeMs: 1, fetchMs: 0, blobBytes: 0 })
  assert.equal(again.answer.status, ResultStatus.REJECTED)
  assert.equal(again.answer.code, RejectCode.DUPLICATE)
  assert.equal(rejections.length, before + 1)
  assert.equal(await storedResults(), 0)
})

test('given a result of the wrong size, it is rejected and its chunk requeued', async () => {
  const lease = await leaseFor(hostile)
  const requeued: number[] = []
  researcher.coordinator.events.addEventListener('chunk:requeued', (evt: any) => { requeued.push(evt.detail.chunk) })
  const { answer } = await hostile.services.work.submit(researcher.node.peerId, { leaseId: lease.leaseId, result: new Uint8Array(12), computeMs: 1, fetchMs: 0, blobBytes: 0 })
  assert.equal(answer.code, RejectCode.WRONG_SIZE)
  assert.deepEqual(requeued, [lease.chunk])
  assert.equal(await storedResults(), 0)
})

test('given a malformed frame, the peer answers MALFORMED, logs it and keeps serving', async () => {
  const before = rejections.length
  // A length prefix and bytes that are not a WorkRequest (an invalid wire type).
  const garbage = Uint8Array.from([0x0f, 0xff, 0xff, 0xff, 0xff, 0xff])
  const response = await rawExchange(Uint8Array.from([...lengthPrefix(garbage.byteLength), ...garbage]))
  assert.equal(response.error?.code, WorkErrorCode.MALFORMED)
  // A well-formed protobuf asking two things at once is malformed too.
  const both = WorkRequest.encode({ lease: { projectId: manifest.id, device: '', gflops: 0, heldChunks: [] }, release: { leaseIds: ['x'] } })
  const response2 = await rawExchange(Uint8Array.from([...lengthPrefix(both.byteLength), ...both]))
  assert.equal(response2.error?.code, WorkErrorCode.MALFORMED)
  assert.match(response2.error!.message, /exactly one/)
  assert.equal(rejections.length, before + 2)
  assert.equal(await storedResults(), 0)
  await leaseFor(honest)
})

test('given an oversized frame, the stream is aborted, it is logged, nothing is stored and the peer keeps serving', async () => {
  const before = rejections.length
  const claimed = 512 * 1024 * 1024
  await assert.rejects(rawExchange(Uint8Array.from([...lengthPrefix(claimed), 1, 2, 3, 4])))
  assert.equal(rejections.length, before + 1)
  assert.equal(rejections.at(-1)!.what, 'frame')
  assert.match(rejections.at(-1)!.reason, /too long/i)
  assert.equal(await storedResults(), 0)
  const lease = await leaseFor(hostile)
  assert.ok(lease.leaseId.length > 0)
})

test('given a lease request for an unknown project or with a bad speed, the answers say so without a crash', async () => {
  const { answer } = await hostile.services.work.lease(researcher.node.peerId, { projectId: 'no-such-project', device: 'x', gflops: 0 })
  assert.equal(answer.status, LeaseStatus.UNKNOWN_PROJECT)
  await assert.rejects(hostile.services.work.lease(researcher.node.peerId, { projectId: manifest.id, device: 'x', gflops: Number.NaN }), (err: any) => err.code === WorkErrorCode.MALFORMED)
  const heartbeat = await hostile.services.work.heartbeat(researcher.node.peerId, { leaseIds: ['forged-lease'], gflops: 1 })
  assert.deepEqual(heartbeat.answer.dropped, ['forged-lease'])
  const release = await hostile.services.work.release(researcher.node.peerId, { leaseIds: ['forged-lease'] })
  assert.equal(release.answer.released, 0)
})
