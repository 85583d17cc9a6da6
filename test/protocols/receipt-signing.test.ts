import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Receipt, signReceipt, verifyReceipt } from '../../src/protocols/work/index.ts'

test('given an Ed25519 researcher key, a receipt signed with the cached key object verifies, equals libp2p\'s own signature, and a changed receipt does not verify', async () => {
  const key = await generateKeyPair('Ed25519')
  const receipt = { projectId: 'p', chunk: 3, volunteer: 'v', researcher: peerIdFromPrivateKey(key).toString(), flops: 1e9, computeMs: 12, issuedAt: 1_700_000_000_000 }
  const first = await signReceipt(key, receipt)
  const again = await signReceipt(key, receipt)
  assert.deepEqual(again.signature, first.signature, 'Ed25519 signatures are deterministic')
  const domain = new TextEncoder().encode('/mesh/receipt/1.0.0\n')
  const reference = await key.sign(Uint8Array.from([...domain, ...first.receipt]))
  assert.deepEqual(first.signature, Uint8Array.from(reference))
  assert.ok(await verifyReceipt(first))
  const changed = Receipt.encode({ ...receipt, flops: 2e9 })
  assert.equal(await verifyReceipt({ receipt: changed, signature: first.signature }), undefined)
})
