import { philox4x32_10, splitSeed } from '../../random/philox.ts'

/**
 * The order a chunk visits its shard's rows in each local epoch, computed in
 * JS once and used by both the GPU plan (uploaded as an input) and the CPU
 * reference, so the two agree on every minibatch.
 *
 * Epoch e's order is a Fisher–Yates shuffle (i from rows-1 down to 1 swaps
 * i with j uniform in [0, i]) driven by the words of
 *   philox4x32_10(counter = [rowStart, round, e, block], key = seed)
 * taken in order (block 0's four words, then block 1's, ...). The counter
 * names the chunk by its first row, so every chunk, round and epoch has its
 * own stream under the project's seed.
 *
 * Returns `epochs * rows` indices: epoch e's order at [e * rows, (e + 1) * rows).
 */
export function shardOrder (seed: string | bigint, round: number, rowStart: number, rows: number, epochs: number): Uint32Array {
  const key = splitSeed(BigInt(seed))
  const order = new Uint32Array(epochs * rows)
  for (let e = 0; e < epochs; e++) {
    const base = e * rows
    for (let i = 0; i < rows; i++) order[base + i] = i
    let block = 0
    let words: number[] = []
    for (let i = rows - 1; i >= 1; i--) {
      if (words.length === 0) words = philox4x32_10([rowStart >>> 0, round >>> 0, e >>> 0, block++ >>> 0], key).reverse()
      const j = below(words.pop()!, i + 1)
      const swap = order[base + i]!
      order[base + i] = order[base + j]!
      order[base + j] = swap
    }
  }
  return order
}

/**
 * floor(x * m / 2^32) exactly, for a u32 word x and m <= 2^32: an integer in
 * [0, m). x * m can exceed 2^53, so the product is split at 16 bits.
 */
function below (x: number, m: number): number {
  const high = (x >>> 16) * m
  const low = (x & 0xFFFF) * m
  const highUpper = Math.floor(high / 65536)
  return highUpper + Math.floor(((high - highUpper * 65536) * 65536 + low) / 4294967296)
}
