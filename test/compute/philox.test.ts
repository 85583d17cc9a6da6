import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { selectComputeDevice } from '../../src/compute/device/select.ts'
import { GpuComputeDevice } from '../../src/compute/device/gpu-device.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import type { GpuDispatch } from '../../src/compute/gpu-program.ts'
import {
  philox4x32_10, randomNormal4, randomU32x4, randomUniform4, splitSeed, uniformFromU32
} from '../../src/compute/random/philox.ts'
import { randomWgsl } from '../../src/compute/random/philox-wgsl.ts'

/**
 * Published known-answer data: the `philox4x32 10` lines of Random123's
 * tests/kat_vectors (https://github.com/DEShawResearch/random123, commit
 * 9545ff6413f258be2f04c1d319d99aaef7521150), verbatim: name, rounds, four
 * counter words, two key words, four output words, all hex.
 */
const KAT_LINES = [
  'philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000   6627e8d5 e169c58d bc57ac4c 9b00dbd8',
  'philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff   408f276d 41c83b0e a20bc7c6 6d5451fd',
  'philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0   d16cfe09 94fdcceb 5001e420 24126ea1'
]

interface Kat { counter: [number, number, number, number], key: [number, number], expected: [number, number, number, number] }
const KATS: Kat[] = KAT_LINES.map(line => {
  const [name, rounds, ...hex] = line.trim().split(/\s+/)
  assert.equal(name, 'philox4x32')
  assert.equal(rounds, '10')
  const w = hex.map(h => parseInt(h, 16))
  assert.equal(w.length, 10)
  return { counter: [w[0]!, w[1]!, w[2]!, w[3]!], key: [w[4]!, w[5]!], expected: [w[6]!, w[7]!, w[8]!, w[9]!] }
})

const hex = (words: readonly number[]): string => words.map(x => (x >>> 0).toString(16).padStart(8, '0')).join(' ')

describe('Philox4x32-10 TypeScript reference', () => {
  it('matches the Random123 known-answer vectors', () => {
    for (const kat of KATS) assert.equal(hex(philox4x32_10(kat.counter, kat.key)), hex(kat.expected))
  })

  it('maps (seed, item, block) to counter [item, block, 0, 0] and key [seed lo, seed hi]', () => {
    const seed = 0x0123456789ABCDEFn
    assert.deepEqual(splitSeed(seed), [0x89ABCDEF, 0x01234567])
    assert.deepEqual(splitSeed(2 ** 32 + 5), [5, 1])
    assert.deepEqual(splitSeed(2n ** 64n + 7n), [7, 0])
    assert.throws(() => splitSeed(-1), RangeError)
    assert.throws(() => splitSeed(0.5), RangeError)
    assert.deepEqual(randomU32x4(seed, 17, 3), philox4x32_10([17, 3, 0, 0], [0x89ABCDEF, 0x01234567]))
    assert.deepEqual(randomU32x4(0, 0, 0), KATS[0]!.expected)
    assert.deepEqual(randomU32x4(0x12345 * 2 ** 32 + 0x89ABCDEF, 17, 3), randomU32x4(0x0001234589ABCDEFn, 17, 3))
  })

  it('maps words to uniforms in [0, 1) by their top 24 bits', () => {
    assert.equal(uniformFromU32(0), 0)
    assert.equal(uniformFromU32(0xFFFFFFFF), 1 - 2 ** -24)
    assert.equal(uniformFromU32(0x800000FF), 0.5)
    for (let item = 0; item < 25000; item++) {
      for (const u of randomUniform4(42, item, 0)) {
        assert.ok(u >= 0 && u < 1, `uniform ${u} out of [0, 1)`)
        assert.equal(Math.fround(u), u, 'uniforms are exact in f32')
      }
    }
  })

  it('gives normals with mean 0 and variance 1 (100k samples, within 4 standard errors)', () => {
    const n = 100_000
    let sum = 0
    let sumSq = 0
    let sum4 = 0
    for (let item = 0; item < n / 4; item++) {
      for (const z of randomNormal4(0xC0FFEEn, item, 0)) {
        assert.ok(Number.isFinite(z))
        sum += z
        sumSq += z * z
        sum4 += z ** 4
      }
    }
    const mean = sum / n
    const variance = sumSq / n - mean * mean
    // Standard errors: sd/sqrt(n) for the mean, sqrt((m4 - 1) / n) ~ sqrt(2 / n) for the variance.
    assert.ok(Math.abs(mean) < 4 / Math.sqrt(n), `mean ${mean}`)
    assert.ok(Math.abs(variance - 1) < 4 * Math.sqrt(2 / n), `variance ${variance}`)
    assert.ok(Math.abs(sum4 / n - 3) < 4 * Math.sqrt(96 / n), `fourth moment ${sum4 / n}`)
  })

  it('gives different streams for different seeds, including the high seed word', () => {
    const stream = (seed: bigint | number): string =>
      Array.from({ length: 64 }, (_, i) => hex(randomU32x4(seed, i, 0))).join(',')
    const streams = [0, 1, 2 ** 32, 2n ** 63n, 0xFFFFFFFFFFFFFFFFn].map(stream)
    assert.equal(new Set(streams).size, streams.length)
    assert.notDeepEqual(randomU32x4(2 ** 32, 0, 0), randomU32x4(0, 0, 0))
    // Items and blocks are different counters too.
    assert.notDeepEqual(randomU32x4(0, 1, 0), randomU32x4(0, 0, 1))
  })
})

/** Writes a u32 as two exact f32 halves (raw bitcasts could be NaN patterns, which a driver may canonicalise). */
const HALVES_WGSL = 'fn mesh_halves(x: vec4<u32>) -> array<f32, 8> {\n' +
  '  return array<f32, 8>(f32(x.x & 0xFFFFu), f32(x.x >> 16u), f32(x.y & 0xFFFFu), f32(x.y >> 16u),\n' +
  '                       f32(x.z & 0xFFFFu), f32(x.z >> 16u), f32(x.w & 0xFFFFu), f32(x.w >> 16u));\n}\n'

function wordsFromHalves (out: Float32Array, at: number): [number, number, number, number] {
  const w = (j: number): number => (out[at + 2 * j]! + out[at + 2 * j + 1]! * 65536) >>> 0
  return [w(0), w(1), w(2), w(3)]
}

/** Unrolled WGSL lines: a software driver here cuts loops, so the test programs have none. */
const unrolled = (n: number, line: (j: number) => string): string[] => Array.from({ length: n }, (_, j) => line(j))

const DUMMY_INPUT = { data: new Float32Array(4), immutable: false }

/** One workgroup per vector; the uniforms hold (ctr) and (key, pad, pad) for each. */
function katDispatch (): GpuDispatch {
  const code = [
    randomWgsl('vec2<u32>(0u, 0u)'),
    HALVES_WGSL,
    'struct MeshKat { v: array<vec4<u32>, 6> }',
    '@group(0) @binding(0) var<uniform> mesh_params: MeshKat;',
    '@group(0) @binding(1) var<storage, read> mesh_input: array<f32>;',
    '@group(0) @binding(2) var<storage, read_write> mesh_output: array<f32>;',
    '@compute @workgroup_size(1)',
    'fn mesh_main(@builtin(global_invocation_id) id: vec3<u32>) {',
    '  _ = mesh_input[0];',
    '  let g = id.x;',
    '  let h = mesh_halves(mesh_philox4x32_10(mesh_params.v[2u * g], mesh_params.v[2u * g + 1u].xy));',
    ...unrolled(8, j => `  mesh_output[8u * g + ${j}u] = h[${j}];`),
    '}'
  ].join('\n')
  const uniforms = new Uint32Array(KATS.flatMap(k => [...k.counter, ...k.key, 0, 0]))
  return {
    program: { key: 'test/philox-kat', code, entryPoint: 'mesh_main' },
    uniforms,
    inputs: [DUMMY_INPUT],
    outputLength: 8 * KATS.length,
    workgroups: [KATS.length, 1, 1]
  }
}

const STREAM_FLOATS = 16
const STREAM_WG = 64

/**
 * Invocation g computes item base + (g % span) (wrapping) and block
 * block0 + floor(g / span), writing 8 word halves, 4 uniforms and 4 normals.
 */
function streamDispatch (seed: bigint, base: number, span: number, block0: number, count: number): GpuDispatch {
  const code = [
    randomWgsl('vec2<u32>(mesh_params.seed_lo, mesh_params.seed_hi)'),
    HALVES_WGSL,
    'struct MeshStream { seed_lo: u32, seed_hi: u32, base: u32, span: u32, block0: u32, count: u32, pad0: u32, pad1: u32 }',
    '@group(0) @binding(0) var<uniform> mesh_params: MeshStream;',
    '@group(0) @binding(1) var<storage, read> mesh_input: array<f32>;',
    '@group(0) @binding(2) var<storage, read_write> mesh_output: array<f32>;',
    `@compute @workgroup_size(${STREAM_WG})`,
    'fn mesh_main(@builtin(global_invocation_id) id: vec3<u32>) {',
    '  _ = mesh_input[0];',
    '  let g = id.x;',
    '  if (g >= mesh_params.count) { return; }',
    '  let item = mesh_params.base + g % mesh_params.span;',
    '  let block = mesh_params.block0 + g / mesh_params.span;',
    '  let h = mesh_halves(random_u32x4(item, block));',
    '  let u = random_uniform4(item, block);',
    '  let z = random_normal4(item, block);',
    `  let o = ${STREAM_FLOATS}u * g;`,
    ...unrolled(8, j => `  mesh_output[o + ${j}u] = h[${j}];`),
    ...unrolled(4, j => `  mesh_output[o + ${8 + j}u] = u[${j}]; mesh_output[o + ${12 + j}u] = z[${j}];`),
    '}'
  ].join('\n')
  const [lo, hi] = splitSeed(seed)
  return {
    program: { key: 'test/philox-stream', code, entryPoint: 'mesh_main' },
    uniforms: new Uint32Array([lo, hi, base, span, block0, count, 0, 0]),
    inputs: [DUMMY_INPUT],
    outputLength: STREAM_FLOATS * count,
    workgroups: [Math.ceil(count / STREAM_WG), 1, 1]
  }
}

describe('Philox4x32-10 WGSL on the WebGPU device', () => {
  let device: ComputeDevice | undefined
  let skip: string | false = false

  before(async () => {
    device = await selectComputeDevice()
    if (!(device instanceof GpuComputeDevice)) skip = `no WebGPU device (${device.info.fallbackReasons.join('; ')})`
  })
  after(async () => { await device?.destroy() })

  const gpu = (): GpuComputeDevice => device as GpuComputeDevice

  it('matches the Random123 known-answer vectors', async t => {
    if (skip !== false) { t.skip(skip); return }
    const out = await gpu().runDispatch(katDispatch())
    KATS.forEach((kat, i) => { assert.equal(hex(wordsFromHalves(out, 8 * i)), hex(kat.expected), `vector ${i}`) })
  })

  const cases: Array<{ name: string, seed: bigint, base: number, span: number, block0: number, count: number }> = [
    { name: 'items 0..4095, blocks 0..3, seed 0', seed: 0n, base: 0, span: 4096, block0: 0, count: 4 * 4096 },
    { name: 'items 0..4095, blocks 0..3, a 64-bit seed', seed: 0x0123456789ABCDEFn, base: 0, span: 4096, block0: 0, count: 4 * 4096 },
    { name: 'items up to 0xFFFFFFFF, blocks up to 0xFFFFFFFF, seed 2^64 - 1', seed: 0xFFFFFFFFFFFFFFFFn, base: 0xFFFFFFC0, span: 64, block0: 0xFFFFFFFE, count: 128 }
  ]
  for (const c of cases) {
    it(`agrees with the TypeScript reference: ${c.name}`, async t => {
      if (skip !== false) { t.skip(skip); return }
      const out = await gpu().runDispatch(streamDispatch(c.seed, c.base, c.span, c.block0, c.count))
      let worstNormal = 0
      for (let g = 0; g < c.count; g++) {
        const item = (c.base + g % c.span) >>> 0
        const block = (c.block0 + Math.floor(g / c.span)) >>> 0
        const o = STREAM_FLOATS * g
        const where = `item ${item} block ${block}`
        assert.equal(hex(wordsFromHalves(out, o)), hex(randomU32x4(c.seed, item, block)), where)
        const u = randomUniform4(c.seed, item, block)
        const z = randomNormal4(c.seed, item, block)
        for (let j = 0; j < 4; j++) {
          assert.equal(out[o + 8 + j], u[j], `uniform ${j} at ${where}`)
          const err = Math.abs(out[o + 12 + j]! - z[j]!)
          worstNormal = Math.max(worstNormal, err)
          assert.ok(err <= 1e-5, `normal ${j} at ${where}: GPU ${out[o + 12 + j]} vs ${z[j]}`)
        }
      }
      t.diagnostic(`largest |GPU - TS| normal difference: ${worstNormal.toExponential(2)}`)
    })
  }
})
