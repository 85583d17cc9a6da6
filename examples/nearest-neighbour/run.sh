#!/usr/bin/env bash
# Nearest-neighbour search on a mesh of three peers on this machine (a
# researcher and two volunteers): every query row searches the shared
# reference set; the answers are checked against a CPU brute force.
#
#   bash examples/nearest-neighbour/run.sh [--size QUERIES] [--refs REFS] [--dims D] [--seed S]
#
# Options go to make-inputs.mjs (see there). MESH_EXAMPLE_TIMEOUT (seconds,
# default 300) bounds the wait for the project to finish.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mesh=(node "$repo/bin/mesh.js")
loopback=(--listen /ip4/127.0.0.1/tcp/0)

work="$(mktemp -d "${TMPDIR:-/tmp}/mesh-example-nearest.XXXXXX")"
# An mDNS tag of this run's own: peers of other runs on the LAN never join it.
export MESH_MDNS_SERVICE_TAG="mesh-example-nearest-$$-$RANDOM"
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
"${mesh[@]}" publish --kernel wgsl --wgsl "$here/nearest.wgsl" --name "nearest-neighbour" \
  --data "$in/queries.json" --shared "refs=$in/refs.json" --out-cols 2 \
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
"${mesh[@]}" export "$id" --format json --out "$work/nearest.json" --data-dir "$work/researcher" >/dev/null

node --input-type=module - "$work" <<'JS'
import { readFileSync } from 'node:fs'
const work = process.argv[2]
const lines = file => readFileSync(`${work}/${file}`, 'utf8').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
const done = lines('researcher.log').find(l => l.event === 'done')
const perVolunteer = [1, 2].map(v => lines(`volunteer-${v}.log`).filter(l => l.event === 'chunk-computed').length)
console.log(`project ${done.projectId}: ${done.chunks} chunks verified in ${(done.wallMs / 1000).toFixed(1)} s; chunks computed per volunteer: ${perVolunteer.join(', ')}`)

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
