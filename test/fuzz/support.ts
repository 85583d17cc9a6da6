import fc from 'fast-check'

/**
 * Shared settings of the property-based tests: a fixed seed and a bounded
 * number of runs, so CI is fast and a failure reproduces. For a longer local
 * run: MESH_FUZZ_RUNS=20000 (and MESH_FUZZ_SEED=<n> to explore other inputs);
 * see SECURITY.md.
 */

export const FUZZ_SEED = Number(process.env.MESH_FUZZ_SEED ?? 0x6d657368)

/** `ciRuns` by default; MESH_FUZZ_RUNS scales every property (a property's CI share of 1000 runs). */
export function fuzzRuns (ciRuns: number): number {
  const override = Number(process.env.MESH_FUZZ_RUNS)
  return Number.isSafeInteger(override) && override > 0 ? Math.max(1, Math.round(override * ciRuns / 1000)) : ciRuns
}

export function fuzzOptions (ciRuns: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: fuzzRuns(ciRuns), endOnFailure: true }
}

/** Bytes derived from `base` by one of the edits an attacker or a bad link makes. */
export function mutatedBytes (base: Uint8Array): fc.Arbitrary<Uint8Array> {
  const flip = fc.record({ at: fc.nat({ max: base.byteLength - 1 }), xor: fc.integer({ min: 1, max: 255 }) })
    .map(({ at, xor }) => { const copy = Uint8Array.from(base); copy[at] ^= xor; return copy })
  const truncate = fc.nat({ max: base.byteLength - 1 }).map(length => base.slice(0, length))
  const append = fc.uint8Array({ minLength: 1, maxLength: 64 }).map(tail => Uint8Array.from([...base, ...tail]))
  const splice = fc.record({ at: fc.nat({ max: base.byteLength - 1 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) })
    .map(({ at, bytes }) => { const copy = Uint8Array.from(base); copy.set(bytes.subarray(0, base.byteLength - at), at); return copy })
  return fc.oneof(flip, truncate, append, splice).filter(bytes => !Buffer.from(bytes).equals(base))
}

/** Runs `fn` and returns what it threw (or undefined). */
export async function thrown (fn: () => unknown): Promise<unknown> {
  try {
    await fn()
    return undefined
  } catch (err) {
    return err
  }
}
