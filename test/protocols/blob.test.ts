import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { openStore, type MeshStore } from '../../src/store/store.ts'
import { BlobStore, sha256Hex } from '../../src/store/blob-store.ts'
import { pbStream } from '@libp2p/utils'
import { BLOB_PROTOCOL, BlobHeader, BlobPiece, BlobProtocolError, BlobRequest, BlobStatus, BlobUnavailableError, type BlobSource } from '../../src/protocols/blob/index.ts'
import { BlobHashMismatchError } from '../../src/store/blob-store.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'
import { startWorkNode, stopAll, type WorkNode } from '../work/helpers/nodes.ts'

let dirs: TempDir[] = []
let stores: MeshStore[] = []
let server: WorkNode
let client: WorkNode
let serverBlobs: BlobStore
let clientBlobs: BlobStore

async function newBlobStore (): Promise<BlobStore> {
  const dir = await makeTempDir('mesh-blob-')
  dirs.push(dir)
  const store = await openStore(dir.path)
  stores.push(store)
  return new BlobStore(store)
}

before(async () => {
  serverBlobs = await newBlobStore()
  clientBlobs = await newBlobStore()
  server = await startWorkNode({ blob: { source: serverBlobs } })
  client = await startWorkNode()
  await client.dial(server.getMultiaddrs()[0])
})

after(async () => {
  await stopAll([client, server])
  await Promise.allSettled(stores.map(async s => s.close()))
  await Promise.allSettled(dirs.map(async d => d.remove()))
})

test('given a blob of several pieces, when fetched, it is verified, stored, and a second fetch hits the cache', async () => {
  // 8 pieces of 1 MiB: two requests of 4 pieces on one stream.
  const bytes = randomBytes(7 * 1024 * 1024 + 12345)
  const info = await serverBlobs.put(bytes, { own: true })

  const first = await client.services.blob.fetch(server.peerId, info.hash, clientBlobs, { expectedSize: bytes.byteLength })
  assert.equal(first.cached, false)
  assert.equal(first.bytes, bytes.byteLength)
  assert.equal(server.services.blob.served, 1)
  assert.deepEqual(Buffer.from(await clientBlobs.get(info.hash)), bytes)
  assert.equal((await clientBlobs.info(info.hash))?.own, false)

  const second = await client.services.blob.fetch(server.peerId, info.hash, clientBlobs)
  assert.equal(second.cached, true)
  assert.equal(second.bytes, 0)
  assert.equal(server.services.blob.served, 1, 'a cached blob does not cross the network again')
  console.log(`blob fetch: ${bytes.byteLength} bytes in ${first.ms.toFixed(1)} ms; cached re-fetch ${second.ms.toFixed(2)} ms`)
})

test('given a requester asking for one piece at a time, the blob arrives whole and in order over one stream', async () => {
  const small = await startWorkNode({ blob: { piecesPerRequest: 1 } })
  try {
    await small.dial(server.getMultiaddrs()[0])
    const sink = await newBlobStore()
    const bytes = randomBytes(7 * 1024 * 1024 + 99)
    const info = await serverBlobs.put(bytes, { own: true })
    const servedBefore = server.services.blob.served
    const fetched = await small.services.blob.fetch(server.peerId, info.hash, sink, { expectedSize: bytes.byteLength })
    assert.equal(fetched.bytes, bytes.byteLength)
    assert.equal(server.services.blob.served - servedBefore, 1, '8 requests of one piece on one stream')
    assert.deepEqual(Buffer.from(await sink.get(info.hash)), bytes)
  } finally {
    await stopAll([small])
  }
})

test('given an unknown hash, the fetch fails with NOT_FOUND and nothing is stored', async () => {
  const hash = sha256Hex(randomBytes(16))
  await assert.rejects(client.services.blob.fetch(server.peerId, hash, clientBlobs), (err: any) => {
    return err instanceof BlobUnavailableError && err.status === BlobStatus.NOT_FOUND
  })
  assert.equal(await clientBlobs.has(hash), false)
})

test('given a size other than the manifest declares, the fetch is refused before any piece is stored', async () => {
  const info = await serverBlobs.put(randomBytes(5000), { own: true })
  await assert.rejects(client.services.blob.fetch(server.peerId, info.hash, clientBlobs, { expectedSize: 4000 }), BlobProtocolError)
  assert.equal(await clientBlobs.has(info.hash), false)
})

test('given a server sending bytes that do not hash to the requested hash, the fetch fails and nothing is cached', async () => {
  const bytes = randomBytes(1024 * 1024 + 77)
  const info = await serverBlobs.put(bytes, { own: true })
  const lying: BlobSource = {
    info: async (hash) => serverBlobs.info(hash),
    pieces: async function * (hash, fromPiece) {
      for await (const piece of serverBlobs.pieces(hash, fromPiece)) {
        const copy = Uint8Array.from(piece)
        copy[0] ^= 0xff
        yield copy
      }
    }
  }
  const liar = await startWorkNode({ blob: { source: lying } })
  try {
    await client.dial(liar.getMultiaddrs()[0])
    await assert.rejects(client.services.blob.fetch(liar.peerId, info.hash, clientBlobs), BlobHashMismatchError)
    assert.equal(await clientBlobs.has(info.hash), false)
    // The honest server still serves the same hash afterwards.
    const fetched = await client.services.blob.fetch(server.peerId, info.hash, clientBlobs)
    assert.equal(fetched.cached, false)
    assert.deepEqual(Buffer.from(await clientBlobs.get(info.hash)), bytes)
  } finally {
    await liar.stop()
  }
})

test('given a later request on a stream that skips pieces or names another blob, the server answers MALFORMED and ends the stream', async () => {
  const info = await serverBlobs.put(randomBytes(3 * 1024 * 1024), { own: true })
  const other = await serverBlobs.put(randomBytes(2000), { own: true })
  for (const [name, second] of [['skipping', { hash: info.hash, fromPiece: 2, maxPieces: 1 }], ['another blob', { hash: other.hash, fromPiece: 1, maxPieces: 1 }]] as const) {
    const stream = await client.dialProtocol(server.peerId, BLOB_PROTOCOL)
    const messages = pbStream(stream, { maxDataLength: 2 * 1024 * 1024 })
    await messages.write({ hash: info.hash, fromPiece: 0, maxPieces: 1 }, BlobRequest)
    assert.equal((await messages.read(BlobHeader)).status, BlobStatus.FOUND)
    assert.equal((await messages.read(BlobPiece)).index, 0)
    await messages.write(second, BlobRequest)
    const answer = await messages.read(BlobHeader)
    assert.equal(answer.status, BlobStatus.MALFORMED, name)
    assert.match(answer.message, /from piece 1/)
    await assert.rejects(messages.read(BlobPiece), `${name}: nothing follows`)
    await stream.close().catch(() => {})
  }
})

test('given a server answering with bytes that are not the message expected, the fetch fails with a protocol error naming the blob', async () => {
  const hostile = await startWorkNode()
  try {
    await hostile.unhandle(BLOB_PROTOCOL)
    await hostile.handle(BLOB_PROTOCOL, async stream => {
      const messages = pbStream(stream)
      await messages.read(BlobRequest)
      // A piece where the header belongs: its bytes decode as no valid header.
      await messages.write({ index: 3, data: new Uint8Array(300).fill(9) }, BlobPiece)
      await stream.close()
    })
    await client.dial(hostile.getMultiaddrs()[0])
    const hash = sha256Hex(randomBytes(8))
    await assert.rejects(client.services.blob.fetch(hostile.peerId, hash, clientBlobs), (err: any) => {
      return err instanceof BlobProtocolError && err.message.includes(hash) && /malformed header/.test(err.message)
    })
    assert.equal(await clientBlobs.has(hash), false)
  } finally {
    await hostile.stop()
  }
})
