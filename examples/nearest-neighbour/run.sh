#!/usr/bin/env bash
# Nearest-neighbour search on a mesh of three peers on this machine (a
# researcher and two volunteers): every query row searches the shared
# reference set; the answers are checked against a CPU brute force.
#
#   bash examples/nearest-neighbour/run.sh [--size QUERIES] [--refs REFS] [--dims D] [--seed S]
#
# Options go to make-inputs.mjs (see there); examples/lib/mesh-run.sh runs the peers
# (MESH_EXAMPLE_TIMEOUT, seconds, default 300, bounds the wait).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/mesh-run.sh" nearest

node "$here/make-inputs.mjs" --out "$work/inputs" "$@"
get() { json_field "$work/inputs/meta.json" "$1"; }
in="$work/inputs"
run_project --kernel wgsl --wgsl "$here/nearest.wgsl" --name "nearest-neighbour" \
  --data "$in/queries.json" --shared "refs=$in/refs.json" --out-cols 2 \
  --flops-per-item "$(get flopsPerItem)" --items-per-chunk "$(get itemsPerChunk)"
export_result json "$work/nearest.json"

node "$examples_lib/summary.mjs" "$work"
node --input-type=module - "$work" <<'JS'
import { readFileSync } from 'node:fs'
const work = process.argv[2]
const json = name => JSON.parse(readFileSync(`${work}/${name}`, 'utf8'))
const [queries, refs, found] = ['inputs/queries.json', 'inputs/refs.json', 'nearest.json'].map(json)
const dist2 = (a, b) => a.reduce((acc, v, k) => acc + (v - b[k]) ** 2, 0)
// The CPU brute force in float64; a different index counts only if it is as close (a tie within float32 rounding).
let same = 0
let ties = 0
let maxDistError = 0
queries.forEach((q, i) => {
  let best = 0
  for (let r = 1; r < refs.length; r++) if (dist2(q, refs[r]) < dist2(q, refs[best])) best = r
  const [index, d] = found[i]
  const exact = dist2(q, refs[best])
  if (index === best) same++
  else if (Number.isInteger(index) && index >= 0 && index < refs.length && dist2(q, refs[index]) - exact <= 1e-6 * exact) ties++
  maxDistError = Math.max(maxDistError, Math.abs(d - exact) / Math.max(exact, 1e-12))
})
for (let i = 0; i < 3; i++) console.log(`query ${i}: nearest reference ${found[i][0]}, squared distance ${found[i][1].toFixed(6)}`)
console.log(`${queries.length} queries over ${refs.length} references: ${same} nearest neighbours equal the CPU brute force` +
  (ties > 0 ? `, ${ties} equally close (ties)` : '') + `, ${queries.length - same - ties} wrong; max rel error of the distances ${maxDistError.toExponential(2)}`)
JS
finished=1
