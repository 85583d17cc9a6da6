/**
 * Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as
 * easy as 1, 2, 3", SC 2011; the Random123 library), the TypeScript
 * reference for the WGSL in philox-wgsl.ts. Counter-based: the output is a
 * pure function of (counter, key), so the same work item gets the same
 * numbers on every device and in every order. No Node imports: it also runs
 * in the browser.
 */

/** Four numbers: four u32 words, or four floats made from them. */
export type Quad = [number, number, number, number]

const PHILOX_M0 = 0xD2511F53
const PHILOX_M1 = 0xCD9E8D57
const PHILOX_W0 = 0x9E3779B9
const PHILOX_W1 = 0xBB67AE85

/** 2^-24: uniforms are multiples of it, so every value is exact in f32. */
const TWO_POW_M24 = 1 / 16777216
const TWO_POW_32 = 4294967296

/** High 32 bits of the exact 64-bit product a*b (16-bit limbs; every partial sum stays below 2^53). */
function mulhi (a: number, b: number): number {
  const al = a & 0xFFFF
  const ah = a >>> 16
  const bl = b & 0xFFFF
  const bh = b >>> 16
  const lh = al * bh
  const hl = ah * bl
  const mid = ((al * bl) >>> 16) + (lh & 0xFFFF) + (hl & 0xFFFF)
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0
}

/** The 10-round Philox4x32 bijection of Random123 (philox4x32_R with R = 10). */
export function philox4x32_10 (counter: readonly [number, number, number, number], key: readonly [number, number]): Quad {
  let c0 = counter[0] >>> 0
  let c1 = counter[1] >>> 0
  let c2 = counter[2] >>> 0
  let c3 = counter[3] >>> 0
  let k0 = key[0] >>> 0
  let k1 = key[1] >>> 0
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + PHILOX_W0) >>> 0
      k1 = (k1 + PHILOX_W1) >>> 0
    }
    const hi0 = mulhi(PHILOX_M0, c0)
    const lo0 = Math.imul(PHILOX_M0, c0) >>> 0
    const hi1 = mulhi(PHILOX_M1, c2)
    const lo1 = Math.imul(PHILOX_M1, c2) >>> 0
    const n0 = (hi1 ^ c1 ^ k0) >>> 0
    const n2 = (hi0 ^ c3 ^ k1) >>> 0
    c0 = n0
    c1 = lo1
    c2 = n2
    c3 = lo0
  }
  return [c0, c1, c2, c3]
}

/**
 * A seed's two key words [low 32 bits, high 32 bits]. Seeds are unsigned
 * 64-bit: a number must be a safe non-negative integer, a bigint is taken
 * modulo 2^64.
 */
export function splitSeed (seed: bigint | number): [number, number] {
  if (typeof seed === 'bigint') {
    const s = BigInt.asUintN(64, seed)
    return [Number(s & 0xFFFFFFFFn), Number(s >> 32n)]
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`a seed must be a non-negative safe integer or a bigint (got ${seed})`)
  return [seed % TWO_POW_32, Math.floor(seed / TWO_POW_32)]
}

/**
 * The mesh's stream contract (GPU and CPU alike): the four words for work
 * item `item`, block `block` under `seed` are
 *   philox4x32_10(counter = [item, block, 0, 0], key = [seed low 32 bits, seed high 32 bits]).
 * `block` numbers successive groups of four words for the same item.
 */
export function randomU32x4 (seed: bigint | number, item: number, block: number): Quad {
  return philox4x32_10([item >>> 0, block >>> 0, 0, 0], splitSeed(seed))
}

/** Uniform in [0, 1): (x >>> 8) * 2^-24, the top 24 bits, exact in f32 so GPU and CPU agree bit for bit. */
export function uniformFromU32 (x: number): number {
  return (x >>> 8) * TWO_POW_M24
}

/** Four uniforms in [0, 1), one from each word of randomU32x4. */
export function randomUniform4 (seed: bigint | number, item: number, block: number): Quad {
  const [x0, x1, x2, x3] = randomU32x4(seed, item, block)
  return [uniformFromU32(x0), uniformFromU32(x1), uniformFromU32(x2), uniformFromU32(x3)]
}

/**
 * Box–Muller radius input in (0, 1): ((x >>> 9) + 0.5) * 2^-23, i.e. an odd
 * multiple of 2^-24 in [2^-24, 1 - 2^-24]. Never 0 (log(0)) nor 1, and exact
 * in f32 (an offset of 2^-25 on 24 bits would need 25 bits).
 */
export function openUniformFromU32 (x: number): number {
  return ((x >>> 9) * 2 + 1) * TWO_POW_M24
}

/**
 * Four standard normals: two Box–Muller pairs, from words (x0, x1) and (x2, x3):
 *   u1 = openUniformFromU32(x0)              in (0, 1)
 *   u2 = uniformFromU32(x1)                  in [0, 1)
 *   r  = sqrt(max(-2 ln u1, 0))
 *   t  = 2π (u2 - 0.5)                       in [-π, π): where WGSL's cos/sin accuracy is specified
 *   z0 = r cos t,  z1 = r sin t              (likewise z2, z3 from x2, x3)
 * Computed here in f64 with Math.log; the WGSL computes the same in f32 (its
 * ln(u1) uses a short series for ln(1 - v) when v = 1 - u1 < 1/16, where f32
 * log() is too coarse for the small radius), so they agree to about 1e-6,
 * not bit for bit.
 */
export function randomNormal4 (seed: bigint | number, item: number, block: number): Quad {
  const [x0, x1, x2, x3] = randomU32x4(seed, item, block)
  const [z0, z1] = boxMuller(x0, x1)
  const [z2, z3] = boxMuller(x2, x3)
  return [z0, z1, z2, z3]
}

function boxMuller (a: number, b: number): [number, number] {
  const r = Math.sqrt(Math.max(-2 * Math.log(openUniformFromU32(a)), 0))
  const t = 2 * Math.PI * (uniformFromU32(b) - 0.5)
  return [r * Math.cos(t), r * Math.sin(t)]
}
