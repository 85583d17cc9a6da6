#!/usr/bin/env bash
# Batch inference of a small MLP (16 -> 32 -> 4, ReLU) on a mesh of three
# peers on this machine (a researcher and two volunteers); the outputs are
# checked against a float64 CPU forward pass.
#
#   bash examples/mlp-inference/run.sh [--size ROWS] [--hidden H] [--seed S]
#
# Options go to make-inputs.mjs (see there); examples/lib/mesh-run.sh runs the peers
# (MESH_EXAMPLE_TIMEOUT, seconds, default 300, bounds the wait).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/mesh-run.sh" mlp

node "$here/make-inputs.mjs" --out "$work/inputs" "$@"
get() { json_field "$work/inputs/meta.json" "$1"; }
in="$work/inputs"
run_project --kernel wgsl --wgsl "$here/mlp.wgsl" --name "mlp-inference" \
  --data "$in/x.json" --out-cols 4 \
  --shared "W1=$in/W1.json" --shared "b1=$in/b1.json" --shared "W2=$in/W2.json" --shared "b2=$in/b2.json" \
  --flops-per-item "$(get flopsPerItem)" --items-per-chunk "$(get itemsPerChunk)"
export_result json "$work/y.json"

node "$examples_lib/summary.mjs" "$work"
node --input-type=module - "$work" <<'JS'
import { readFileSync } from 'node:fs'
const work = process.argv[2]
const json = name => JSON.parse(readFileSync(`${work}/${name}`, 'utf8'))
const [x, W1, [b1], W2, [b2], y] = ['inputs/x.json', 'inputs/W1.json', 'inputs/b1.json', 'inputs/W2.json', 'inputs/b2.json', 'y.json'].map(json)
// The CPU reference in float64: y = W2^T relu(W1^T x + b1) + b2.
const forward = row => {
  const h = b1.map((b, j) => Math.max(0, row.reduce((acc, v, k) => acc + v * W1[k][j], b)))
  return b2.map((b, o) => h.reduce((acc, v, j) => acc + v * W2[j][o], b))
}
let maxAbs = 0
let maxRel = 0
let sameClass = 0
const argmax = v => v.indexOf(Math.max(...v))
x.forEach((row, i) => {
  const expected = forward(row)
  expected.forEach((e, o) => {
    const d = Math.abs(y[i][o] - e)
    maxAbs = Math.max(maxAbs, d)
    maxRel = Math.max(maxRel, d / Math.max(Math.abs(e), 0.1))
  })
  if (argmax(expected) === argmax(y[i])) sameClass++
})
const fmt = v => v.map(n => n.toFixed(4).padStart(8)).join(' ')
for (let i = 0; i < 3; i++) console.log(`row ${i}: mesh [${fmt(y[i])}]  CPU [${fmt(forward(x[i]))}]`)
console.log(`${y.length} rows x ${y[0].length} outputs: max abs error ${maxAbs.toExponential(2)}, max rel error ${maxRel.toExponential(2)} (|y| floored at 0.1) vs the float64 CPU forward pass; argmax agrees on ${sameClass}/${x.length} rows`)
JS
finished=1
