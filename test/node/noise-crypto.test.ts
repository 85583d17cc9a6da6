import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { Uint8ArrayList } from 'uint8arraylist'
import { meshNoiseCrypto } from '../../src/node/network/noise-crypto.ts'
import { loopbackOptions, startPeer, stopPeers, uniqueTag, type TestPeer } from '../helpers/peers.ts'

const peers: TestPeer[] = []
let plain: Libp2p | undefined
after(async () => {
  await plain?.stop()
  await stopPeers(peers)
})

const flat = (data: Uint8Array | { subarray: () => Uint8Array }): Buffer => Buffer.from(data instanceof Uint8Array ? data : data.subarray())

test('messages sealed with the session-key cache open with noise\'s own crypto and the other way round', () => {
  const k = randomBytes(32)
  const ad = randomBytes(32)
  for (const [n, size] of [0, 100, 1199, 1200, 4096, 65519].entries()) {
    const nonce = Buffer.alloc(12)
    nonce.writeUInt32LE(n, 4)
    const plaintext = randomBytes(size)
    const ours = flat(meshNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k))
    const theirs = flat(defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k))
    assert.deepEqual(ours, theirs, `${size} bytes: same ciphertext and tag`)
    assert.deepEqual(flat(defaultCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k)), plaintext)
    assert.deepEqual(flat(meshNoiseCrypto.chaCha20Poly1305Decrypt(Buffer.from(theirs), nonce, ad, k)), plaintext)
  }
})

test('a message split across buffers is sealed and opened like a whole one', () => {
  const k = randomBytes(32)
  const nonce = randomBytes(12)
  const plaintext = randomBytes(40_000)
  const split = new Uint8ArrayList(plaintext.subarray(0, 7), plaintext.subarray(7, 30_000), plaintext.subarray(30_000))
  const sealed = flat(meshNoiseCrypto.chaCha20Poly1305Encrypt(split as any, nonce, new Uint8Array(0), k))
  assert.deepEqual(sealed, flat(defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, new Uint8Array(0), k)))
  const received = new Uint8ArrayList(sealed.subarray(0, 1000), sealed.subarray(1000, 39_990), sealed.subarray(39_990))
  assert.deepEqual(flat(meshNoiseCrypto.chaCha20Poly1305Decrypt(received as any, nonce, new Uint8Array(0), k)), plaintext)
})

test('a tampered message, a wrong key and a key rewritten in place are all caught', () => {
  const k = randomBytes(32)
  const nonce = randomBytes(12)
  const ad = new Uint8Array(0)
  const sealed = flat(meshNoiseCrypto.chaCha20Poly1305Encrypt(randomBytes(5000), nonce, ad, k))
  const tampered = Buffer.from(sealed)
  tampered[100] ^= 1
  assert.throws(() => meshNoiseCrypto.chaCha20Poly1305Decrypt(tampered, nonce, ad, k))
  assert.throws(() => meshNoiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, randomBytes(32)))
  // The cache is keyed by the key's array: new bytes in the same array must not reuse the old key.
  const plaintext = randomBytes(5000)
  meshNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
  randomBytes(32).copy(k)
  assert.deepEqual(flat(meshNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)), flat(defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)))
})

test('a mesh peer and a libp2p peer running noise\'s default crypto exchange large messages both ways', async () => {
  const mesh = await startPeer(loopbackOptions(uniqueTag('noise')))
  peers.push(mesh)
  const echo = '/mesh-test/echo/1.0.0'
  await mesh.node.libp2p.handle(echo, async stream => {
    for await (const data of stream) {
      if (!stream.send(data)) await stream.onDrain()
    }
    await stream.close()
  })
  plain = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  const stream = await plain.dialProtocol(multiaddr(mesh.node.addresses()[0]), echo)
  const payload = randomBytes(3 * 1024 * 1024 + 17)
  const received = new Uint8ArrayList()
  const reading = (async () => {
    for await (const data of stream) {
      received.append(data)
      if (received.byteLength >= payload.byteLength) break
    }
  })()
  for (let at = 0; at < payload.byteLength; at += 256 * 1024) {
    if (!stream.send(payload.subarray(at, at + 256 * 1024))) await stream.onDrain()
  }
  await reading
  await stream.close()
  assert.deepEqual(Buffer.from(received.subarray()), payload)
})
