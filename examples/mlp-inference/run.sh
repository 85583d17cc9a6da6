#!/usr/bin/env bash
# Batch inference of a small MLP (16 -> 32 -> 4, ReLU) on a mesh of three
# peers on this machine (a researcher and two volunteers); the outputs are
# checked against a float64 CPU forward pass.
#
#   bash examples/mlp-inference/run.sh [--size ROWS] [--hidden H] [--seed S]
#
# Options go to make-inputs.mjs (see there). MESH_EXAMPLE_TIMEOUT (seconds,
# default 300) bounds the wait for the project to finish.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mesh=(node "$repo/bin/mesh.js")
loopback=(--listen /ip4/127.0.0.1/tcp/0)

work="$(mktemp -d "${TMPDIR:-/tmp}/mesh-example-mlp.XXXXXX")"
# An mDNS tag of this run's own: peers of other runs on the LAN never join it.
export MESH_MDNS_SERVICE_TAG="mesh-example-mlp-$$-$RANDOM"
pids=()
finished=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$finished" = 1 ]; then rm -rf "$work"; else echo "logs kept in $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits for a background process, at most $2 seconds; 0 when it exited 0.
wait_for() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; return 124; fi
    sleep 0.2
  done
  wait "$pid"
}

node "$here/make-inputs.mjs" --out "$work/inputs" "$@"
get() { node -p "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).$1" "$work/inputs/meta.json"; }

for v in 1 2; do
  "${mesh[@]}" volunteer --auto --accept-wgsl --until-done --json --data-dir "$work/volunteer-$v" "${loopback[@]}" >"$work/volunteer-$v.log" 2>&1 &
  pids+=($!)
done

echo "publishing; two volunteers compute it ..."
in="$work/inputs"
"${mesh[@]}" publish --kernel wgsl --wgsl "$here/mlp.wgsl" --name "mlp-inference" \
  --data "$in/x.json" --out-cols 4 \
  --shared "W1=$in/W1.json" --shared "b1=$in/b1.json" --shared "W2=$in/W2.json" --shared "b2=$in/b2.json" \
  --flops-per-item "$(get flopsPerItem)" --items-per-chunk "$(get itemsPerChunk)" \
  --until-done --json --data-dir "$work/researcher" "${loopback[@]}" >"$work/researcher.log" 2>&1 &
researcher=$!
pids+=($researcher)
if ! wait_for "$researcher" "${MESH_EXAMPLE_TIMEOUT:-300}"; then
  echo "the researcher did not finish; its last lines:" >&2
  tail -n 20 "$work/researcher.log" >&2
  exit 1
fi
for pid in "${pids[@]:0:2}"; do wait_for "$pid" 20 || true; done

id="$(grep '"event":"published"' "$work/researcher.log" | head -n 1 | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')"
"${mesh[@]}" export "$id" --format json --out "$work/y.json" --data-dir "$work/researcher" >/dev/null

node --input-type=module - "$work" <<'JS'
import { readFileSync } from 'node:fs'
const work = process.argv[2]
const lines = file => readFileSync(`${work}/${file}`, 'utf8').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
const done = lines('researcher.log').find(l => l.event === 'done')
const perVolunteer = [1, 2].map(v => lines(`volunteer-${v}.log`).filter(l => l.event === 'chunk-computed').length)
console.log(`project ${done.projectId}: ${done.chunks} chunks verified in ${(done.wallMs / 1000).toFixed(1)} s; chunks computed per volunteer: ${perVolunteer.join(', ')}`)

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
