import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { pbStream } from '@libp2p/utils'
import { createLibp2p, type Libp2p } from 'libp2p'
import { BLOB_PROTOCOL, BlobHeader, BlobPiece, BlobProtocolError, BlobRequest, BlobStatus, BlobUnavailableError } from '../../src/protocols/blob/index.ts'
import { BlobHashMismatchError, BlobSizeError, BlobStore, sha256Hex } from '../../src/store/blob-store.ts'
import { openStore, type MeshStore } from '../../src/store/store.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'
import { startWorkNode, type WorkNode } from '../work/helpers/nodes.ts'
import { fuzzOptions } from './support.ts'
import type { Stream } from '@libp2p/interface'

test('any bytes decode to blob messages or fail with an Error', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), bytes => {
    for (const codec of [BlobRequest, BlobHeader, BlobPiece]) {
      try {
        codec.decode(bytes)
      } catch (err) {
        assert.ok(err instanceof Error)
      }
    }
  }), fuzzOptions(500))
})

// --- a real client fetching from a server that answers anything ---

const STEP_TIMEOUT_MS = 300
const target = randomBytes(5000)
const targetHash = sha256Hex(target)
const HONEST_PIECE = 1024

/** What the hostile server does instead of answering honestly (or nothing: it answers honestly). */
type Twist =
  | { kind: 'honest' }
  | { kind: 'header', header: Partial<BlobHeader> }
  | { kind: 'piece', at: number, index?: number, length?: number, flip?: number }
  | { kind: 'extra-pieces', count: number }
  | { kind: 'garbage', bytes: Uint8Array }
  | { kind: 'stall' }

const twist: fc.Arbitrary<Twist> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'honest' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      status: fc.constantFrom(BlobStatus.FOUND, BlobStatus.NOT_FOUND, BlobStatus.MALFORMED, BlobStatus.BUSY, 9 as unknown as BlobStatus),
      size: fc.oneof(fc.constant(target.byteLength), fc.nat({ max: 20_000 }), fc.constant(2 ** 53 - 1)),
      pieces: fc.oneof(fc.constant(5), fc.nat({ max: 2 ** 32 - 1 })),
      pieceSize: fc.oneof(fc.constant(HONEST_PIECE), fc.nat({ max: 2 ** 32 - 1 })),
      message: fc.string({ maxLength: 40 })
    }, { requiredKeys: [] }).map(header => ({ kind: 'header' as const, header }))
  },
  {
    weight: 4,
    arbitrary: fc.record({
      at: fc.nat({ max: 4 }),
      index: fc.option(fc.nat({ max: 8 }), { nil: undefined }),
      length: fc.option(fc.nat({ max: 2 * HONEST_PIECE }), { nil: undefined }),
      flip: fc.option(fc.nat({ max: HONEST_PIECE - 1 }), { nil: undefined })
    }).map(p => ({ kind: 'piece' as const, ...p }))
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map(count => ({ kind: 'extra-pieces' as const, count })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map(bytes => ({ kind: 'garbage' as const, bytes })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stall' as const }) }
)

let current: Twist = { kind: 'honest' }
let server: Libp2p
let client: WorkNode
let dir: TempDir
let store: MeshStore
let blobs: BlobStore

async function serve (stream: Stream): Promise<void> {
  const messages = pbStream(stream)
  const request = await messages.read(BlobRequest)
  const t = current
  if (t.kind === 'stall') return
  if (t.kind === 'garbage') {
    stream.send(t.bytes)
    await stream.close()
    return
  }
  const header: BlobHeader = { status: BlobStatus.FOUND, size: target.byteLength, pieces: 5, pieceSize: HONEST_PIECE, message: '', ...(t.kind === 'header' ? t.header : {}) }
  await messages.write(header, BlobHeader)
  const wanted = Math.min(request.maxPieces, 8) + (t.kind === 'extra-pieces' ? t.count : 0)
  for (let index = request.fromPiece; index < request.fromPiece + wanted && index < 5 + (t.kind === 'extra-pieces' ? t.count : 0); index++) {
    let data = target.subarray(index * HONEST_PIECE, (index + 1) * HONEST_PIECE)
    let sentIndex = index
    if (t.kind === 'piece' && t.at === index) {
      if (t.index != null) sentIndex = t.index
      if (t.length != null) data = Buffer.concat([data, Buffer.alloc(HONEST_PIECE)]).subarray(0, t.length)
      if (t.flip != null && t.flip < data.byteLength) { data = Buffer.from(data); data[t.flip] ^= 0x5a }
    }
    await messages.write({ index: sentIndex, data: Uint8Array.from(data) }, BlobPiece)
  }
  await stream.close()
}

before(async () => {
  server = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  await server.handle(BLOB_PROTOCOL, (stream) => { serve(stream).catch(err => { stream.abort(err) }) })
  client = await startWorkNode({ blob: { stepTimeoutMs: STEP_TIMEOUT_MS } })
  await client.dial(server.getMultiaddrs()[0])
  dir = await makeTempDir('mesh-fuzz-blob-')
  store = await openStore(dir.path)
  blobs = new BlobStore(store)
})

after(async () => {
  await Promise.allSettled([client?.stop(), server?.stop()])
  await store?.close()
  await dir?.remove()
})

async function piecesStored (): Promise<number> {
  let count = 0
  for await (const _ of store.blobs.keys()) count++
  return count
}

test('given a server answering anything, a fetch stores exactly the requested bytes or fails with a typed error and stores nothing', async () => {
  const outcomes = new Map<string, number>()
  await fc.assert(fc.asyncProperty(twist, fc.boolean(), async (t, declareSize) => {
    current = t
    let error: unknown
    try {
      await client.services.blob.fetch(server.peerId, targetHash, blobs, declareSize ? { expectedSize: target.byteLength } : {})
    } catch (err) {
      error = err
    }
    const name = error == null ? 'stored' : (error as Error).name
    outcomes.set(name, (outcomes.get(name) ?? 0) + 1)
    if (error == null) {
      assert.deepEqual(Buffer.from(await blobs.get(targetHash)), target)
      await blobs.evict({ maxCachedBytes: 0 })
    } else {
      const typed = [BlobProtocolError, BlobUnavailableError, BlobHashMismatchError, BlobSizeError].some(type => error instanceof type)
      const streamFailure = /EOF|abort|reset|timeout|length|buffer|closed|invalid|wire type|index out of range/i.test(`${(error as Error).name} ${(error as Error).message}`)
      assert.ok(typed || streamFailure, `unexpected failure: ${String(error)}`)
      assert.equal(await blobs.has(targetHash), false)
    }
    assert.equal(await piecesStored(), 0, 'no piece left behind')
  }), fuzzOptions(80))
  console.log(`# outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`)
})

test('given any request, a real blob server answers with the right status and at most the pieces asked for', async () => {
  const serverDir = await makeTempDir('mesh-fuzz-blob-server-')
  const serverStore = await openStore(serverDir.path)
  const stored = new BlobStore(serverStore, HONEST_PIECE)
  const info = await stored.put(target, { own: true })
  const honest = await startWorkNode({ blob: { source: stored } })
  try {
    await client.dial(honest.getMultiaddrs()[0])
    const request = fc.record({
      hash: fc.oneof(fc.constant(targetHash), fc.constant(targetHash.toUpperCase()), fc.uint8Array({ minLength: 32, maxLength: 32 }).map(b => Buffer.from(b).toString('hex')), fc.string({ maxLength: 70 })),
      fromPiece: fc.oneof(fc.nat({ max: 7 }), fc.nat()),
      maxPieces: fc.oneof(fc.nat({ max: 10 }), fc.nat())
    })
    await fc.assert(fc.asyncProperty(request, async req => {
      const stream = await client.dialProtocol(honest.peerId, BLOB_PROTOCOL)
      const messages = pbStream(stream)
      await messages.write(req, BlobRequest)
      await stream.close()
      const header = await messages.read(BlobHeader, { signal: AbortSignal.timeout(5000) })
      const wellFormed = /^[0-9a-f]{64}$/.test(req.hash)
      if (!wellFormed) return assert.equal(header.status, BlobStatus.MALFORMED)
      if (req.hash !== targetHash) return assert.equal(header.status, BlobStatus.NOT_FOUND)
      if (req.fromPiece > info.pieces) return assert.equal(header.status, BlobStatus.MALFORMED)
      assert.equal(header.status, BlobStatus.FOUND)
      assert.deepEqual([header.size, header.pieces, header.pieceSize], [info.size, info.pieces, info.pieceSize])
      const wanted = req.maxPieces === 0 ? 8 : Math.min(req.maxPieces, 8)
      const expected = Math.max(0, Math.min(info.pieces, req.fromPiece + wanted) - req.fromPiece)
      for (let i = 0; i < expected; i++) {
        const piece = await messages.read(BlobPiece, { signal: AbortSignal.timeout(5000) })
        assert.equal(piece.index, req.fromPiece + i)
        assert.deepEqual(Buffer.from(piece.data), target.subarray(piece.index * HONEST_PIECE, (piece.index + 1) * HONEST_PIECE))
      }
      await assert.rejects(messages.read(BlobPiece, { signal: AbortSignal.timeout(5000) }), 'nothing after the pieces asked for')
    }), fuzzOptions(120))
  } finally {
    await honest.stop()
    await serverStore.close()
    await serverDir.remove()
  }
})
