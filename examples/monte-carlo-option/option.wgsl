// Monte Carlo price of a European call under geometric Brownian motion.
//
// Item i simulates params.paths terminal prices
//   S_T = S0 * exp((r - sigma^2 / 2) T + sigma sqrt(T) Z),  Z ~ N(0, 1),
// four at a time: random_normal4(i, n) is block n of item i's own Philox
// stream, so every item (and every device) draws different, reproducible
// normals. It returns [sum of payoffs, sum of squared payoffs, paths];
// `--reduce sum` adds those rows over all items, and the researcher turns the
// three totals into the price exp(-rT) * mean and its standard error.
fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  let drift = (params.r - 0.5 * params.sigma * params.sigma) * params.T;
  let vol = params.sigma * sqrt(params.T);
  let blocks = params.paths / 4u;
  var sum = 0.0;
  var sum_sq = 0.0;
  for (var n = 0u; n < blocks; n++) {
    let z = random_normal4(i, n);
    let s_t = params.S0 * exp(vec4<f32>(drift) + vol * z);
    let payoff = max(s_t - vec4<f32>(params.K), vec4<f32>(0.0));
    sum += payoff.x + payoff.y + payoff.z + payoff.w;
    sum_sq += dot(payoff, payoff);
  }
  return array<f32, OUT_COLS>(sum, sum_sq, f32(blocks * 4u));
}
