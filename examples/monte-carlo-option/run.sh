#!/usr/bin/env bash
# Prices a European call by Monte Carlo on a mesh of three peers on this
# machine (a researcher and two volunteers), and prints the estimate next to
# the Black-Scholes price.
#
#   bash examples/monte-carlo-option/run.sh [--size ITEMS] [--paths PER_ITEM] [--K 110] ...
#
# Options go to make-inputs.mjs (see there). MESH_EXAMPLE_TIMEOUT (seconds,
# default 300) bounds the wait for the project to finish.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mesh=(node "$repo/bin/mesh.js")
loopback=(--listen /ip4/127.0.0.1/tcp/0)

work="$(mktemp -d "${TMPDIR:-/tmp}/mesh-example-option.XXXXXX")"
# An mDNS tag of this run's own: peers of other runs on the LAN never join it.
export MESH_MDNS_SERVICE_TAG="mesh-example-option-$$-$RANDOM"
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
get() { node -p "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).$1" "$work/inputs/option.json"; }

for v in 1 2; do
  "${mesh[@]}" volunteer --auto --accept-wgsl --until-done --json --data-dir "$work/volunteer-$v" "${loopback[@]}" >"$work/volunteer-$v.log" 2>&1 &
  pids+=($!)
done

echo "publishing; two volunteers compute it ..."
"${mesh[@]}" publish --kernel wgsl --wgsl "$here/option.wgsl" --name "monte-carlo-option" \
  --items "$(get items)" --out-cols 3 --reduce sum --seed "$(get seed)" \
  --param "S0=$(get S0)" --param "K=$(get K)" --param "r=$(get r)" --param "sigma=$(get sigma)" --param "T=$(get T)" \
  --param "paths:u32=$(get paths)" --flops-per-item "$(( $(get paths) * 40 ))" --items-per-chunk "$(get itemsPerChunk)" \
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
"${mesh[@]}" export "$id" --format json --out "$work/sums.json" --data-dir "$work/researcher" >/dev/null

node --input-type=module - "$work" <<'JS'
import { readFileSync } from 'node:fs'
const work = process.argv[2]
const lines = file => readFileSync(`${work}/${file}`, 'utf8').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
const done = lines('researcher.log').find(l => l.event === 'done')
const perVolunteer = [1, 2].map(v => lines(`volunteer-${v}.log`).filter(l => l.event === 'chunk-computed').length)
console.log(`project ${done.projectId}: ${done.chunks} chunks verified in ${(done.wallMs / 1000).toFixed(1)} s; chunks computed per volunteer: ${perVolunteer.join(', ')}`)

const o = JSON.parse(readFileSync(`${work}/inputs/option.json`, 'utf8'))
const [[sum, sumSq, n]] = JSON.parse(readFileSync(`${work}/sums.json`, 'utf8'))
const discount = Math.exp(-o.r * o.T)
const mean = sum / n
const variance = (sumSq / n - mean * mean) * n / (n - 1)
const price = discount * mean
const se = discount * Math.sqrt(variance / n)
console.log(`${n} paths: price ${price.toFixed(4)} ± ${se.toFixed(4)} (Black-Scholes ${o.blackScholes.toFixed(4)}; ${((price - o.blackScholes) / se).toFixed(2)} standard errors off)`)
JS
finished=1
