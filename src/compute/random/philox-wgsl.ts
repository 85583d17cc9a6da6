/**
 * WGSL for Philox4x32-10, the same generator and the same mappings as the
 * TypeScript reference in philox.ts (see there for the stream contract and
 * the formulas). Helpers are named `mesh_*`; the three `random_*` functions
 * are the public ones.
 */

const ROUNDS = 10

/** One Philox round on `c` with key `k` (Random123's _philox4x32round). */
function round (r: number): string[] {
  return [
    `  let p0_${r} = mesh_mulhilo(0xD2511F53u, c.x);`,
    `  let p1_${r} = mesh_mulhilo(0xCD9E8D57u, c.z);`,
    `  c = vec4<u32>(p1_${r}.x ^ c.y ^ k.x, p1_${r}.y, p0_${r}.x ^ c.w ^ k.y, p0_${r}.y);`
  ]
}

/**
 * WGSL source defining mesh_mulhilo, mesh_philox4x32_10, random_u32x4,
 * random_uniform4 and random_normal4. `keyExpression` is a WGSL expression of
 * type vec2<u32> (seed low word, seed high word), e.g.
 * `vec2<u32>(mesh_params.seed_lo, mesh_params.seed_hi)`.
 */
export function randomWgsl (keyExpression: string): string {
  const rounds: string[] = []
  for (let r = 0; r < ROUNDS; r++) {
    // The key is bumped between rounds, not before the first.
    if (r > 0) rounds.push('  k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u);')
    rounds.push(...round(r))
  }
  return [
    '// (hi, lo) of the exact 64-bit product a*b: WGSL has no u64, so 16-bit limbs.',
    'fn mesh_mulhilo(a: u32, b: u32) -> vec2<u32> {',
    '  let al = a & 0xFFFFu;',
    '  let ah = a >> 16u;',
    '  let bl = b & 0xFFFFu;',
    '  let bh = b >> 16u;',
    '  let lh = al * bh;',
    '  let hl = ah * bl;',
    '  let mid = ((al * bl) >> 16u) + (lh & 0xFFFFu) + (hl & 0xFFFFu);',
    '  return vec2<u32>(ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), a * b);',
    '}',
    '',
    '// Random123 Philox4x32-10; rounds unrolled (no loops for a driver that cuts them).',
    'fn mesh_philox4x32_10(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {',
    '  var c = ctr;',
    '  var k = key;',
    ...rounds,
    '  return c;',
    '}',
    '',
    '// The mesh contract: counter (item, block, 0, 0), key (seed lo, seed hi).',
    'fn random_u32x4(i: u32, n: u32) -> vec4<u32> {',
    `  return mesh_philox4x32_10(vec4<u32>(i, n, 0u, 0u), ${keyExpression});`,
    '}',
    '',
    '// (x >> 8) * 2^-24 in [0, 1): exact in f32, equal bit for bit to the CPU reference.',
    'fn random_uniform4(i: u32, n: u32) -> vec4<f32> {',
    '  return vec4<f32>(random_u32x4(i, n) >> vec4<u32>(8u)) * 5.9604644775390625e-8;',
    '}',
    '',
    '// ln(u) for u in (0, 1). Near 1, log() is only accurate to ~2^-21 absolute, which is',
    '// most of ln(u) there (and of the small radius); so below v = 1 - u < 1/16 (v exact)',
    '// use ln(1 - v) = -(v + v^2/2 + ... + v^6/6), truncation < 2^-24 relative.',
    'fn mesh_ln_unit(u: f32) -> f32 {',
    '  let v = 1.0 - u;',
    '  if (v >= 0.0625) { return log(u); }',
    '  return -v * (1.0 + v * (0.5 + v * (0.33333334 + v * (0.25 + v * (0.2 + v * 0.16666667)))));',
    '}',
    '',
    '// Box-Muller: u1 = ((x >> 9) + 0.5) * 2^-23 in (0, 1), exact; angle in [-pi, pi) where cos/sin accuracy is specified.',
    'fn mesh_box_muller(a: u32, b: u32) -> vec2<f32> {',
    '  let u1 = f32(((a >> 9u) << 1u) | 1u) * 5.9604644775390625e-8;',
    '  let u2 = f32(b >> 8u) * 5.9604644775390625e-8;',
    '  let r = sqrt(max(-2.0 * mesh_ln_unit(u1), 0.0));',
    '  let t = 6.283185307179586 * (u2 - 0.5);',
    '  return vec2<f32>(r * cos(t), r * sin(t));',
    '}',
    '',
    'fn random_normal4(i: u32, n: u32) -> vec4<f32> {',
    '  let x = random_u32x4(i, n);',
    '  return vec4<f32>(mesh_box_muller(x.x, x.y), mesh_box_muller(x.z, x.w));',
    '}',
    ''
  ].join('\n')
}
