import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

/*
 * What the volunteer page's bundle gets for `node:crypto`, which three shared
 * modules import: manifest-codec.ts (a manifest's id is the sha256 of its
 * signed bytes), blob-store.ts (a fetched blob is checked against its sha256)
 * and, for code paths a page never takes, receipts.ts (researchers sign
 * receipts) and verify.ts (researchers draw spot-check rows). Exactly those
 * names, with Node's meaning; see src/web/server/build.ts.
 */

type Hasher = ReturnType<typeof sha256.create>

class Sha256Hash {
  private readonly hasher: Hasher = sha256.create()

  update (bytes: Uint8Array): this {
    this.hasher.update(bytes)
    return this
  }

  digest (encoding: 'hex'): string
  digest (): Uint8Array
  digest (encoding?: 'hex'): string | Uint8Array {
    const digest = this.hasher.digest()
    return encoding === 'hex' ? bytesToHex(digest) : digest
  }
}

export type Hash = Sha256Hash

export function createHash (algorithm: string): Sha256Hash {
  if (algorithm !== 'sha256') throw new Error(`the volunteer page hashes with sha256 only (asked for ${algorithm})`)
  return new Sha256Hash()
}

/** A uniform integer in [min, max), as Node's randomInt draws it (rejection sampling, no modulo bias). */
export function randomInt (min: number, max: number): number {
  const range = max - min
  if (!Number.isSafeInteger(range) || range <= 0 || range > 2 ** 32) throw new RangeError(`randomInt needs 0 < max - min <= 2^32 (got ${min}, ${max})`)
  const limit = 2 ** 32 - (2 ** 32 % range)
  const word = new Uint32Array(1)
  for (;;) {
    crypto.getRandomValues(word)
    if (word[0] < limit) return min + (word[0] % range)
  }
}

/** Researchers sign receipts; a volunteer page never does (receipts.ts falls back to libp2p's signing for other keys). */
export type KeyObject = never

export function createPrivateKey (): never {
  throw new Error('a volunteer page signs no receipts (createPrivateKey is not available in the browser)')
}

export function sign (): never {
  throw new Error('a volunteer page signs no receipts (sign is not available in the browser)')
}
