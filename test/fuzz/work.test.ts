import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { bytesOf, floatsOf } from '../../src/node/coordinator/floats.ts'
import {
  LeaseStatus, Receipt, ResultStatus, SignedReceipt, verifyReceipt, WorkRequest, WorkResponse, type ChunkLease, type WorkRequestContext
} from '../../src/protocols/work/index.ts'
import { MAX_LEASE_IDS, MAX_RECEIPTS_PER_RESPONSE, MAX_SHARED_INPUTS, MAX_STRING_LENGTH } from '../../src/protocols/work/constants.ts'
import { checkWorkRequest, MalformedWorkRequestError } from '../../src/protocols/work/validate.ts'
import { chunkPrefixRange } from '../../src/store/store.ts'
import { publishMatmul, startResearcher, stopPeer, type TestResearcher } from '../work/helpers/mesh.ts'
import { fuzzOptions, thrown } from './support.ts'
import type { PeerId } from '@libp2p/interface'

const REQUEST_LIMITS = { heartbeat: { leaseIds: MAX_LEASE_IDS }, release: { leaseIds: MAX_LEASE_IDS } }
const RESPONSE_LIMITS = { lease: { lease: { shared: MAX_SHARED_INPUTS } }, heartbeat: { dropped: MAX_LEASE_IDS }, receipts: MAX_RECEIPTS_PER_RESPONSE }

test('any bytes decode to a request within the decoder limits, or fail; a decoded request is classified or refused as malformed', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 1024 }), bytes => {
    let request: WorkRequest
    try {
      request = WorkRequest.decode(bytes, { limits: REQUEST_LIMITS })
    } catch (err) {
      assert.ok(err instanceof Error)
      return
    }
    assert.ok((request.heartbeat?.leaseIds.length ?? 0) <= MAX_LEASE_IDS)
    assert.ok((request.release?.leaseIds.length ?? 0) <= MAX_LEASE_IDS)
    const err = (() => { try { checkWorkRequest(request); return undefined } catch (e) { return e } })()
    if (err != null) assert.ok(err instanceof MalformedWorkRequestError, String(err))
  }), fuzzOptions(500))
})

test('any bytes decode to a response within the client\'s limits, or fail with an Error', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 1024 }), bytes => {
    try {
      const response = WorkResponse.decode(bytes, { limits: RESPONSE_LIMITS })
      assert.ok(response.receipts.length <= MAX_RECEIPTS_PER_RESPONSE)
      assert.ok((response.lease?.lease?.shared.length ?? 0) <= MAX_SHARED_INPUTS)
    } catch (err) {
      assert.ok(err instanceof Error)
    }
  }), fuzzOptions(500))
})

const anyString = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: MAX_STRING_LENGTH - 2, maxLength: MAX_STRING_LENGTH + 2 }))
const anyDouble = fc.oneof(fc.double(), fc.constantFrom(0, 1, -1, Number.NaN, Infinity))
const anyRequest: fc.Arbitrary<WorkRequest> = fc.record({
  lease: fc.record({ projectId: anyString, device: anyString, gflops: anyDouble }),
  result: fc.record({ leaseId: anyString, result: fc.uint8Array({ maxLength: 64 }), computeMs: fc.nat(), fetchMs: fc.nat(), blobBytes: fc.nat() }),
  heartbeat: fc.record({ leaseIds: fc.array(anyString, { maxLength: MAX_LEASE_IDS + 1 }), gflops: anyDouble }),
  release: fc.record({ leaseIds: fc.array(anyString, { maxLength: MAX_LEASE_IDS + 1 }) })
}, { requiredKeys: [] }) as fc.Arbitrary<WorkRequest>

test('a request is accepted exactly when one kind is set and its fields are in range', () => {
  fc.assert(fc.property(anyRequest, request => {
    const kinds = (['lease', 'result', 'heartbeat', 'release'] as const).filter(k => request[k] != null)
    const ids = request.heartbeat?.leaseIds ?? request.release?.leaseIds ?? []
    const strings = [request.lease?.projectId, request.result?.leaseId, ...ids].filter((s): s is string => s != null)
    const inRange = kinds.length === 1 &&
      strings.every(s => s.length <= MAX_STRING_LENGTH) &&
      (request.lease == null || (request.lease.projectId !== '' && request.lease.device.length <= MAX_STRING_LENGTH && Number.isFinite(request.lease.gflops) && request.lease.gflops >= 0)) &&
      (request.result == null || request.result.leaseId !== '') &&
      (request.heartbeat == null || (Number.isFinite(request.heartbeat.gflops) && request.heartbeat.gflops >= 0)) &&
      ids.length <= MAX_LEASE_IDS && ids.every(id => id !== '')
    let decoded: WorkRequest
    try {
      decoded = WorkRequest.decode(WorkRequest.encode(request), { limits: REQUEST_LIMITS })
    } catch {
      assert.ok(ids.length > MAX_LEASE_IDS, 'only the id-list limit fails in the decoder')
      return
    }
    const err = (() => { try { return checkWorkRequest(decoded) } catch (e) { return e } })()
    if (inRange) assert.equal(err, kinds[0])
    else assert.ok(err instanceof MalformedWorkRequestError, `expected a refusal, got ${String(err)}`)
  }), fuzzOptions(500))
})

// --- the coordinator as a WorkHandler, fed any sequence of requests from a handful of peers ---

let researcher: TestResearcher
const kernel = getKernel('matmul')
before(async () => { researcher = await startResearcher({ coordinator: { leaseRequestsPerSecond: 1000 } }) })
after(async () => { await stopPeer(researcher) })

type Command =
  | { kind: 'lease', peer: number, projectId: 'own' | string, gflops: number }
  | { kind: 'result', peer: number, lease: LeaseRef, result: 'correct' | 'noisy' | 'wrong-size' | 'other-chunk' }
  | { kind: 'heartbeat', peer: number, leases: LeaseRef[] }
  | { kind: 'release', peer: number, leases: LeaseRef[] }

const PEERS = 4
const peerIndex = fc.nat({ max: PEERS - 1 })
/** One of the peer's own leases, anyone's lease (another peer's: a replay), or a made-up id. */
type LeaseRef = { own: number } | { any: number } | string
const leaseRef: fc.Arbitrary<LeaseRef> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 12 }).map(own => ({ own })) },
  { weight: 2, arbitrary: fc.nat({ max: 12 }).map(any => ({ any })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }
)
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('lease' as const), peer: peerIndex, projectId: fc.oneof({ weight: 5, arbitrary: fc.constant('own') }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }), gflops: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e9, noNaN: true })) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('result' as const), peer: peerIndex, lease: leaseRef, result: fc.constantFrom('correct' as const, 'correct' as const, 'correct' as const, 'noisy' as const, 'wrong-size' as const, 'other-chunk' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), peer: peerIndex, leases: fc.array(leaseRef, { maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), peer: peerIndex, leases: fc.array(leaseRef, { maxLength: 5 }) }) }
)

test('given any sequence of requests from several peers, the coordinator never throws, holds each peer to its lease cap, and stores only correct results with receipts for their computers', async () => {
  const coordinator = researcher.coordinator
  const context = (): WorkRequestContext => ({ signal: AbortSignal.timeout(10_000), readMs: 0, requestBytes: 0 })
  let seed = 100
  let verifiedTotal = 0
  await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async commands => {
    // Spot check 1: every result is recomputed on the researcher, so a wrong one can never be accepted.
    const { manifest, b } = await publishMatmul(researcher, { m: 12, k: 4, n: 3, rowsPerChunk: 2, spotCheck: 1, seed: seed++ })
    await coordinator.addProject(manifest)
    const peers: PeerId[] = await Promise.all(Array.from({ length: PEERS }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const leases: Array<ChunkLease & { holder: string }> = []
    const correctBy = new Map<number, Set<string>>()
    const reference = (lease: ChunkLease, rows = lease.rows, range = lease): Float32Array => kernel.cpuReference({
      kernel: 'matmul', params: {}, range: { index: range.chunk, rowStart: range.rowStart, rowEnd: range.rowEnd }, rows: floatsOf(rows), rowCols: lease.rowCols, shared: { b }
    })
    const leaseId = (ref: LeaseRef, peer: PeerId): string => {
      if (typeof ref === 'string') return ref
      const pool = 'own' in ref ? leases.filter(l => l.holder === peer.toString()) : leases
      const n = 'own' in ref ? ref.own : ref.any
      return pool.at(-1 - (n % Math.max(1, pool.length)))?.leaseId ?? 'none'
    }

    for (const c of commands) {
      const peer = peers[c.peer]
      const err = await thrown(async () => {
        if (c.kind === 'lease') {
          const answer = await coordinator.leaseNextChunk(peer, { projectId: c.projectId === 'own' ? manifest.id : c.projectId, device: 'fuzz', gflops: c.gflops }, context())
          if (answer.status === LeaseStatus.LEASED) leases.push({ ...answer.lease!, holder: peer.toString() })
        } else if (c.kind === 'result') {
          const id = leaseId(c.lease, peer)
          const lease = leases.find(l => l.leaseId === id)
          let output: Float32Array = new Float32Array(0)
          if (lease != null) {
            const expected = reference(lease)
            if (c.result === 'correct') output = expected
            if (c.result === 'noisy') output = expected.map(v => v + 1)
            if (c.result === 'wrong-size') output = expected.subarray(1)
            if (c.result === 'other-chunk') {
              const other = leases.find(l => l.chunk !== lease.chunk && l.rowEnd - l.rowStart === lease.rowEnd - lease.rowStart)
              output = other == null ? expected.map(v => v * 2) : reference(other)
            }
          }
          const answer = await coordinator.acceptResult(peer, { leaseId: id, result: bytesOf(output), computeMs: 1, fetchMs: 0, blobBytes: 0 }, context())
          if (lease != null && c.result === 'correct' && answer.status !== ResultStatus.REJECTED) {
            assert.equal(lease.holder, peer.toString(), 'only the holder of a lease can hand in its result')
            const set = correctBy.get(lease.chunk) ?? new Set()
            set.add(peer.toString())
            correctBy.set(lease.chunk, set)
          }
          if (answer.status !== ResultStatus.REJECTED) assert.ok(lease != null && c.result === 'correct', `a ${c.result} result was answered ${answer.status}`)
        } else if (c.kind === 'heartbeat') {
          coordinator.renewLeases(peer, { leaseIds: c.leases.map(ref => leaseId(ref, peer)), gflops: 1 })
        } else {
          coordinator.releaseLeases(peer, { leaseIds: c.leases.map(ref => leaseId(ref, peer)) })
        }
      })
      assert.equal(err, undefined, `the coordinator threw on ${JSON.stringify(c)}: ${String(err)}`)
      const snapshot = coordinator.snapshot(manifest.id)!
      for (const p of peers) assert.ok(snapshot.leases.filter(l => l.volunteer === p.toString()).length <= 3, 'lease cap')
    }

    for await (const [key, bytes] of researcher.store.results.iterator(chunkPrefixRange(manifest.id))) {
      const index = Number(key.slice(manifest.id.length + 1))
      const lease = leases.find(l => l.chunk === index)!
      assert.ok(kernel.compare({}, [{ name: 'a', rows: lease.rowEnd - lease.rowStart, cols: 4 }, { name: 'b', rows: 4, cols: 3 }], reference(lease), floatsOf(bytes)).ok, `stored result of chunk ${index} is correct`)
      verifiedTotal++
    }
    for await (const bytes of researcher.store.ledger.values()) {
      const verified = await verifyReceipt(SignedReceipt.decode(bytes))
      assert.ok(verified != null, 'an issued receipt verifies')
      const receipt: Receipt = verified.receipt
      if (receipt.projectId !== manifest.id) continue
      assert.ok(correctBy.get(receipt.chunk)?.has(receipt.volunteer), `receipt for chunk ${receipt.chunk} went to a peer that returned it correctly`)
    }
  }), fuzzOptions(40))
  console.log(`# ${verifiedTotal} chunks verified across the generated runs`)
})
