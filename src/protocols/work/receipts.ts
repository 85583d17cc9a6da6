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

/** Signs a receipt with the researcher's key; `receipt.researcher` must be that key's peer id. */
export async function signReceipt (privateKey: PrivateKey, receipt: Receipt, options?: AbortOptions): Promise<SignedReceipt> {
  const bytes = Receipt.encode(receipt)
  const signature = await privateKey.sign(signingBytes(bytes), options)
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
