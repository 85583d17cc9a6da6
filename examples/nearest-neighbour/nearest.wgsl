// Nearest neighbour by brute force, one query per item: item i scans every
// row of the shared reference set `refs` (refs_ROWS points of refs_COLS
// coordinates, row-major) and keeps the closest in squared Euclidean
// distance. The first of equally close references wins.
// Output: [index of the nearest reference (as f32, exact below 2^24), its squared distance].
// (The input is named `refs`, not `ref`: `ref` is a reserved word in WGSL.)
fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  let q = data_row(i);
  var best = 0u;
  var best_d = 3.4e38; // about the largest f32
  for (var r = 0u; r < refs_ROWS; r++) {
    let base = r * refs_COLS;
    var d = 0.0;
    for (var k = 0u; k < IN_COLS; k++) {
      let t = q[k] - refs[base + k];
      d += t * t;
    }
    if (d < best_d) {
      best_d = d;
      best = r;
    }
  }
  return array<f32, OUT_COLS>(f32(best), best_d);
}
