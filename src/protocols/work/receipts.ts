import { createPrivateKey, sign, type KeyObject } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { Receipt, SignedReceipt } from '../work.ts'
import type { AbortOptions, PrivateKey } from '@libp2p/interface'

/** Signatures cover this prefix + the receipt bytes, so a receipt signature is never valid as anything else. */
const SIGNING_DOMAIN = new TextEncoder().encode('/mesh/receipt/1.0.0\n')

function signingBytes (receipt: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(SIGNING_DOMAIN.byteLength + receipt.byteLength)
  bytes.set(SIGNING_DOMAIN)
  bytes.set(receipt, SIGNING_DOMAIN.byteLength)
  return bytes
}

/**
 * Node key objects of Ed25519 keys, imported once: libp2p's `sign` imports
 * the key again on every call, which costs more than the signature itself
 * (about 130 against 50 µs here), once per verified chunk.
 */
const ed25519KeyObjects = new WeakMap<PrivateKey, KeyObject>()

function ed25519KeyObject (privateKey: PrivateKey): KeyObject | undefined {
  if (privateKey.type !== 'Ed25519') return undefined
  let keyObject = ed25519KeyObjects.get(privateKey)
  if (keyObject == null) {
    const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')
    keyObject = createPrivateKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', d: base64url(privateKey.raw.subarray(0, 32)), x: base64url(privateKey.publicKey.raw) } })
    ed25519KeyObjects.set(privateKey, keyObject)
  }
  return keyObject
}

/** Signs a receipt with the researcher's key; `receipt.researcher` must be that key's peer id. */
export async function signReceipt (privateKey: PrivateKey, receipt: Receipt, options?: AbortOptions): Promise<SignedReceipt> {
  const bytes = Receipt.encode(receipt)
  options?.signal?.throwIfAborted()
  const keyObject = ed25519KeyObject(privateKey)
  const signature = keyObject != null ? sign(null, signingBytes(bytes), keyObject) : await privateKey.sign(signingBytes(bytes), options)
  return { receipt: bytes, signature: Uint8Array.from(signature) }
}

export interface VerifiedReceipt {
  readonly receipt: Receipt
  readonly signed: SignedReceipt
}

/** The receipt inside `signed` when the researcher it names signed it; undefined for anything else. */
export async function verifyReceipt (signed: SignedReceipt, options?: AbortOptions): Promise<VerifiedReceipt | undefined> {
  try {
    const receipt = Receipt.decode(signed.receipt)
    const publicKey = peerIdFromString(receipt.researcher).publicKey
    if (publicKey == null) return undefined
    const ok = await publicKey.verify(signingBytes(signed.receipt), signed.signature, options)
    return ok ? { receipt, signed } : undefined
  } catch {
    return undefined
  }
}
