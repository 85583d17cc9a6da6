import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, test } from 'node:test'
import { pbStream } from '@libp2p/utils'
import { MeshNode } from '../../src/node/mesh-node.ts'
import { BLOB_PROTOCOL, BlobHeader, BlobRequest, BlobStatus } from '../../src/protocols/blob/index.ts'
import { BlobCacheSweeper } from '../../src/store/blob-cache.ts'
import { BlobStore } from '../../src/store/blob-store.ts'
import { openStore } from '../../src/store/store.ts'
import { waitFor } from '../helpers/peers.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'
import { startWorkNode } from '../work/helpers/nodes.ts'
import { framed, varint } from '../hostile/helpers.ts'

const dirs: TempDir[] = []
after(async () => { await Promise.allSettled(dirs.map(async d => { await d.remove() })) })

async function tempDir (): Promise<TempDir> {
  const dir = await makeTempDir('mesh-bounded-')
  dirs.push(dir)
  return dir
}

test('cached blobs are evicted by age, then least recently used beyond the size limit; own inputs never', async () => {
  const dir = await tempDir()
  const store = await openStore(dir.path)
  try {
    const blobs = new BlobStore(store, 1024)
    const own = await blobs.put(randomBytes(5000), { own: true })
    const old = await blobs.put(randomBytes(3000), { own: false })
    const recent = await blobs.put(randomBytes(3000), { own: false })
    const newest = await blobs.put(randomBytes(3000), { own: false })
    const now = Date.now()
    await store.blobMeta.put(own.hash, { ...own, lastUsed: 0 })
    await store.blobMeta.put(old.hash, { ...old, lastUsed: now - 10_000 })
    await store.blobMeta.put(recent.hash, { ...recent, lastUsed: now - 2_000 })
    const sweeper = new BlobCacheSweeper(blobs, { maxAgeMs: 5_000, maxCachedBytes: 4000, sweepIntervalMs: 60_000 })
    const evicted = await sweeper.sweep()
    assert.deepEqual(evicted.map(info => info.hash), [old.hash, recent.hash], 'the too old one, then the least recently used until 4000 bytes fit')
    assert.deepEqual((await blobs.list()).map(info => info.hash).sort(), [own.hash, newest.hash].sort())
    let pieces = 0
    for await (const _ of store.blobs.keys()) pieces++
    assert.equal(pieces, own.pieces + newest.pieces, 'evicted pieces are deleted too')
    await sweeper.stop()
  } finally {
    await store.close()
  }
})

test('a peer sweeps its blob cache when it starts: a cached blob unused for weeks is gone, its own inputs stay', async () => {
  const dir = await tempDir()
  const store = await openStore(dir.path)
  const blobs = new BlobStore(store)
  const own = await blobs.put(randomBytes(2000), { own: true })
  const stale = await blobs.put(randomBytes(2000), { own: false })
  await store.blobMeta.put(own.hash, { ...own, lastUsed: 1 })
  await store.blobMeta.put(stale.hash, { ...stale, lastUsed: 1 })
  await store.close()
  const node = await MeshNode.start({ dataDir: dir.path, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, controlSocket: false })
  try {
    await waitFor('the stale cached blob to be evicted', async () => !(await node.blobs.has(stale.hash)))
    assert.equal(await node.blobs.has(own.hash), true)
  } finally {
    await node.stop()
  }
})

test('the blob protocol holds each connection to 4 streams and each request to 256 bytes', async () => {
  const dir = await tempDir()
  const store = await openStore(dir.path)
  const server = await startWorkNode({ blob: { source: new BlobStore(store), stepTimeoutMs: 2000 } })
  const client = await startWorkNode()
  try {
    await client.dial(server.getMultiaddrs()[0])
    const held = await Promise.all(Array.from({ length: 4 }, async () => await client.dialProtocol(server.peerId, BLOB_PROTOCOL)))
    await assert.rejects(async () => {
      const fifth = await client.dialProtocol(server.peerId, BLOB_PROTOCOL)
      const messages = pbStream(fifth)
      await messages.write({ hash: 'ab'.repeat(32), fromPiece: 0, maxPieces: 1 }, BlobRequest)
      await messages.read(BlobHeader, { signal: AbortSignal.timeout(3000) })
    }, 'a fifth concurrent blob stream is refused')
    for (const stream of held) stream.abort(new Error('done'))

    const big = await client.dialProtocol(server.peerId, BLOB_PROTOCOL)
    big.send(framed(randomBytes(300)))
    await assert.rejects(pbStream(big).read(BlobHeader, { signal: AbortSignal.timeout(3000) }), 'an oversized request is not answered')
    const absurd = await client.dialProtocol(server.peerId, BLOB_PROTOCOL)
    absurd.send(Uint8Array.from(varint(2n ** 40n)))
    await assert.rejects(pbStream(absurd).read(BlobHeader, { signal: AbortSignal.timeout(3000) }))

    // Still serving.
    const ok = pbStream(await client.dialProtocol(server.peerId, BLOB_PROTOCOL))
    await ok.write({ hash: 'ab'.repeat(32), fromPiece: 0, maxPieces: 1 }, BlobRequest)
    assert.equal((await ok.read(BlobHeader, { signal: AbortSignal.timeout(3000) })).status, BlobStatus.NOT_FOUND)
  } finally {
    await Promise.allSettled([client.stop(), server.stop()])
    await store.close()
  }
})
