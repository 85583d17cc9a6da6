// The Mandelbrot set, one pixel per item (`--image WxH`: item i is pixel
// (i % IMAGE_WIDTH, i / IMAGE_WIDTH), row 0 at the top).
// The view: centre (params.cx, params.cy) and params.span, the width of the
// image in the complex plane; square pixels.
// Each pixel iterates z <- z^2 + c at most params.max_iter times. Points that
// never escape are black; the others are coloured by the smooth (continuous)
// iteration count nu = n + 1 - log2(log2 |z|), through a cosine palette.
// Returns RGB in [0, 1]; the mesh writes the PNG.
const BAILOUT: f32 = 256.0; // |z|^2 beyond this escapes (a large radius makes nu smooth)

fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  let step = params.span / f32(IMAGE_WIDTH);
  let px = f32(i % IMAGE_WIDTH) + 0.5 - 0.5 * f32(IMAGE_WIDTH);
  let py = f32(i / IMAGE_WIDTH) + 0.5 - 0.5 * f32(IMAGE_HEIGHT);
  let c = vec2<f32>(params.cx + px * step, params.cy - py * step);
  var z = vec2<f32>(0.0, 0.0);
  var n = 0u;
  for (; n < params.max_iter; n++) {
    if (dot(z, z) > BAILOUT) { break; }
    // z^2 + c, with the real part summed as (x^2 + c.x) - y^2: the order this
    // machine's shader compiler (Mesa llvmpipe) picks for x^2 - y^2 + c.x anyway,
    // spelt out so that a float32 CPU check can follow it bit for bit.
    z = vec2<f32>(z.x * z.x + c.x - z.y * z.y, 2.0 * z.x * z.y + c.y);
  }
  if (n >= params.max_iter) { return array<f32, OUT_COLS>(0.0, 0.0, 0.0); }
  let nu = f32(n) + 1.0 - log2(0.5 * log2(dot(z, z)));
  let t = sqrt(max(nu, 0.0) / f32(params.max_iter));
  let rgb = 0.5 + 0.5 * cos(6.2831853 * (3.0 * t + vec3<f32>(0.0, 0.15, 0.3)));
  return array<f32, OUT_COLS>(rgb.x, rgb.y, rgb.z);
}
