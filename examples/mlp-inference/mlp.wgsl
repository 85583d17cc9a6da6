// Batch inference of a two-layer perceptron, one dataset row per item:
//   y = W2^T relu(W1^T x + b1) + b2
// x is the item's row (IN_COLS inputs, read with data_row). The weights are
// shared inputs, sent once to each volunteer and read row-major:
//   W1: IN_COLS x HIDDEN   (W1[k * W1_COLS + j] connects input k to hidden unit j)
//   b1: 1 x HIDDEN
//   W2: HIDDEN x OUT_COLS  (W2[j * W2_COLS + o] connects hidden unit j to output o)
//   b2: 1 x OUT_COLS
// The output layer has no activation: the four values are the logits.
const HIDDEN: u32 = W1_COLS;

fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  let x = data_row(i);
  var h: array<f32, HIDDEN>;
  for (var j = 0u; j < HIDDEN; j++) {
    var acc = b1[j];
    for (var k = 0u; k < IN_COLS; k++) { acc += x[k] * W1[k * W1_COLS + j]; }
    h[j] = max(acc, 0.0);
  }
  var y: array<f32, OUT_COLS>;
  for (var o = 0u; o < OUT_COLS; o++) {
    var acc = b2[o];
    for (var j = 0u; j < HIDDEN; j++) { acc += h[j] * W2[j * W2_COLS + o]; }
    y[o] = acc;
  }
  return y;
}
