/**
 * Researcher-written WGSL the browser tests publish, each with an exact
 * reference: integer arithmetic, so every device (the tab's SwiftShader,
 * a Node peer's llvmpipe) returns the same bits.
 */

/** Two outputs per item: 2i + 1 and i mod 7. */
export const AFFINE_WGSL = `fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  var out: array<f32, OUT_COLS>;
  out[0] = f32(i) * 2.0 + 1.0;
  out[1] = f32(i % 7u);
  return out;
}
`

export function affineReference (items: number): Float32Array {
  const out = new Float32Array(items * 2)
  for (let i = 0; i < items; i++) {
    out[2 * i] = 2 * i + 1
    out[2 * i + 1] = i % 7
  }
  return out
}

/**
 * A slow one: `params.steps` steps of a 32-bit linear congruential
 * generator per item (fewer than the 65,535 loop iterations Mesa's
 * llvmpipe allows an invocation), then its top 24 bits, exact in f32.
 */
export const LCG_WGSL = `fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  var out: array<f32, OUT_COLS>;
  var h = i;
  for (var k = 0u; k < params.steps; k++) {
    h = h * 1664525u + 1013904223u;
  }
  out[0] = f32(h >> 8u);
  return out;
}
`

export function lcgReference (items: number, steps: number): Float32Array {
  const out = new Float32Array(items)
  for (let i = 0; i < items; i++) {
    let h = i
    for (let k = 0; k < steps; k++) h = (Math.imul(h, 1664525) + 1013904223) >>> 0
    out[i] = h >>> 8
  }
  return out
}
