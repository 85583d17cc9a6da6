#!/usr/bin/env bash
# Renders the Mandelbrot set on a mesh of three peers on this machine (a
# researcher and two volunteers), one pixel per item, and writes the PNG
# (to ./mandelbrot.png, or to $MANDELBROT_PNG); the pixels are checked
# against a CPU rendering in float32.
#
#   bash examples/mandelbrot/run.sh [--size WxH] [--cx X] [--cy Y] [--span S] [--max-iter N]
#
# Options go to make-inputs.mjs (see there). MESH_EXAMPLE_TIMEOUT (seconds,
# default 300) bounds the wait for the project to finish.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mesh=(node "$repo/bin/mesh.js")
loopback=(--listen /ip4/127.0.0.1/tcp/0)

work="$(mktemp -d "${TMPDIR:-/tmp}/mesh-example-mandelbrot.XXXXXX")"
# An mDNS tag of this run's own: peers of other runs on the LAN never join it.
export MESH_MDNS_SERVICE_TAG="mesh-example-mandelbrot-$$-$RANDOM"
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
get() { node -p "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).$1" "$work/inputs/view.json"; }
png="${MANDELBROT_PNG:-$PWD/mandelbrot.png}"

for v in 1 2; do
  "${mesh[@]}" volunteer --auto --accept-wgsl --until-done --json --data-dir "$work/volunteer-$v" "${loopback[@]}" >"$work/volunteer-$v.log" 2>&1 &
  pids+=($!)
done

echo "publishing; two volunteers compute it ..."
"${mesh[@]}" publish --kernel wgsl --wgsl "$here/mandelbrot.wgsl" --name "mandelbrot" \
  --items "$(get items)" --image "$(get width)x$(get height)" --out-cols 3 \
  --param "cx=$(get cx)" --param "cy=$(get cy)" --param "span=$(get span)" --param "max_iter:u32=$(get maxIter)" \
  --items-per-chunk "$(get itemsPerChunk)" \
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
"${mesh[@]}" export "$id" --format png --out "$png" --data-dir "$work/researcher" >/dev/null
"${mesh[@]}" export "$id" --format json --out "$work/pixels.json" --data-dir "$work/researcher" >/dev/null

node --input-type=module - "$work" "$png" <<'JS'
import { readFileSync } from 'node:fs'
const [work, png] = process.argv.slice(2)
const lines = file => readFileSync(`${work}/${file}`, 'utf8').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
const done = lines('researcher.log').find(l => l.event === 'done')
const perVolunteer = [1, 2].map(v => lines(`volunteer-${v}.log`).filter(l => l.event === 'chunk-computed').length)
console.log(`project ${done.projectId}: ${done.chunks} chunks verified in ${(done.wallMs / 1000).toFixed(1)} s; chunks computed per volunteer: ${perVolunteer.join(', ')}`)

const v = JSON.parse(readFileSync(`${work}/inputs/view.json`, 'utf8'))
const pixels = JSON.parse(readFileSync(`${work}/pixels.json`, 'utf8'))
// The same pixels on the CPU, the iteration in float32 (Math.fround after every operation) as on the GPU.
const f = Math.fround
function pixel (i) {
  const step = f(f(v.span) / v.width)
  const px = f(f(f((i % v.width) + 0.5)) - f(0.5 * v.width))
  const py = f(f(f(Math.floor(i / v.width)) + 0.5) - f(0.5 * v.height))
  const cx = f(f(v.cx) + f(px * step))
  const cy = f(f(v.cy) - f(py * step))
  let x = 0
  let y = 0
  let n = 0
  for (; n < v.maxIter; n++) {
    if (f(f(x * x) + f(y * y)) > 256) break
    const nx = f(f(f(x * x) + cx) - f(y * y))
    y = f(f(f(2 * x) * y) + cy)
    x = nx
  }
  if (n >= v.maxIter) return [0, 0, 0]
  const nu = n + 1 - Math.log2(0.5 * Math.log2(x * x + y * y))
  const t = Math.sqrt(Math.max(nu, 0) / v.maxIter)
  return [0, 0.15, 0.3].map(phase => 0.5 + 0.5 * Math.cos(2 * Math.PI * (3 * t + phase)))
}
let inside = 0
let insideCpu = 0
let differ = 0
pixels.forEach((rgb, i) => {
  const cpu = pixel(i)
  if (rgb.every(c => c === 0)) inside++
  if (cpu.every(c => c === 0)) insideCpu++
  if (rgb.some((c, k) => Math.abs(c - cpu[k]) > 2 / 255)) differ++
})
const pct = n => `${(100 * n / pixels.length).toFixed(2)}%`
console.log(`wrote ${png} (${v.width}x${v.height}); ${pct(inside)} of the pixels are in the set (CPU float32 rendering: ${pct(insideCpu)}); ` +
  `${differ} pixels (${pct(differ)}) differ from the CPU rendering by more than 2/255`)
JS
finished=1
