#!/usr/bin/env bash
# Renders the Mandelbrot set on a mesh of three peers on this machine (a
# researcher and two volunteers), one pixel per item, and writes the PNG
# (to ./mandelbrot.png, or to $MANDELBROT_PNG); the pixels are checked
# against a CPU rendering in float32.
#
#   bash examples/mandelbrot/run.sh [--size WxH] [--cx X] [--cy Y] [--span S] [--max-iter N]
#
# Options go to make-inputs.mjs (see there); examples/lib/mesh-run.sh runs the peers
# (MESH_EXAMPLE_TIMEOUT, seconds, default 300, bounds the wait).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/mesh-run.sh" mandelbrot

node "$here/make-inputs.mjs" --out "$work/inputs" "$@"
png="${MANDELBROT_PNG:-$PWD/mandelbrot.png}"
get() { json_field "$work/inputs/view.json" "$1"; }
run_project --kernel wgsl --wgsl "$here/mandelbrot.wgsl" --name "mandelbrot" \
  --items "$(get items)" --image "$(get width)x$(get height)" --out-cols 3 \
  --param "cx=$(get cx)" --param "cy=$(get cy)" --param "span=$(get span)" --param "max_iter:u32=$(get maxIter)" \
  --items-per-chunk "$(get itemsPerChunk)"
export_result png "$png"
export_result json "$work/pixels.json"

node "$examples_lib/summary.mjs" "$work"
node --input-type=module - "$work" "$png" <<'JS'
import { readFileSync } from 'node:fs'
const [work, png] = process.argv.slice(2)
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
