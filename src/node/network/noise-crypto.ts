import { createCipheriv, createDecipheriv, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

/**
 * Noise's own crypto with one change: the ChaCha20-Poly1305 key is imported
 * into a Node KeyObject once per session key instead of on every message.
 *
 * Noise's default passes the raw 32-byte key to `createCipheriv` for each
 * message (at most 64 KiB), and Node validates and imports it every time:
 * 16% of a receiving peer's CPU in a bulk transfer, about as much as the
 * decryption itself. The cipher, nonces, associated data and tags are
 * unchanged, so peers using this interoperate with any noise peer.
 */

const ALGORITHM = 'chacha20-poly1305'
const TAG_BYTES = 16
/** Below this, noise's WebAssembly implementation beats Node's (its own threshold). */
const NATIVE_FROM_BYTES = 1200

interface CachedKey {
  /** A copy of the key bytes: the cache is keyed by the array, and an array can be rewritten. */
  readonly bytes: Uint8Array
  readonly key: KeyObject
}

// Keyed by noise's CipherState key array, which lives as long as its session.
const keys = new WeakMap<Uint8Array, CachedKey>()

export function sessionKey (k: Uint8Array): KeyObject {
  const cached = keys.get(k)
  if (cached != null && cached.bytes.byteLength === k.byteLength && timingSafeEqual(cached.bytes, k)) return cached.key
  const entry = { bytes: Uint8Array.from(k), key: createSecretKey(k) }
  keys.set(k, entry)
  return entry.key
}

type Encrypt = ICryptoInterface['chaCha20Poly1305Encrypt']
type Decrypt = ICryptoInterface['chaCha20Poly1305Decrypt']
type Bytes = Parameters<Encrypt>[0]

const encrypt: Encrypt = (plaintext, nonce, ad, k) => {
  if (plaintext.byteLength < NATIVE_FROM_BYTES) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
  const cipher = createCipheriv(ALGORITHM, sessionKey(k), nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
  const parts = partsOf(plaintext).map(part => cipher.update(part))
  parts.push(cipher.final(), cipher.getAuthTag())
  return Buffer.concat(parts)
}

const decrypt: Decrypt = (ciphertext, nonce, ad, k, dst) => {
  if (ciphertext.byteLength < NATIVE_FROM_BYTES) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
  const textBytes = ciphertext.byteLength - TAG_BYTES
  const decipher = createDecipheriv(ALGORITHM, sessionKey(k), nonce, { authTagLength: TAG_BYTES })
  decipher.setAAD(ad, { plaintextLength: textBytes })
  decipher.setAuthTag(ciphertext.subarray(textBytes))
  const text = ciphertext instanceof Uint8Array ? ciphertext.subarray(0, textBytes) : ciphertext.sublist(0, textBytes)
  const parts = partsOf(text).map(part => decipher.update(part))
  // Throws when the tag does not match: noise then aborts the connection.
  const final = decipher.final()
  if (parts.length === 1 && final.byteLength === 0) return parts[0]
  return Buffer.concat([...parts, final])
}

function partsOf (data: Bytes): Uint8Array[] {
  return data instanceof Uint8Array ? [data] : [...data]
}

export const meshNoiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt: encrypt,
  chaCha20Poly1305Decrypt: decrypt
}
