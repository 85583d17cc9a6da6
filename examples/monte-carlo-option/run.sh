#!/usr/bin/env bash
# Prices a European call by Monte Carlo on a mesh of three peers on this
# machine (a researcher and two volunteers), and prints the estimate next to
# the Black-Scholes price.
#
#   bash examples/monte-carlo-option/run.sh [--size ITEMS] [--paths PER_ITEM] [--K 110] ...
#
# Options go to make-inputs.mjs (see there); examples/lib/mesh-run.sh runs the peers
# (MESH_EXAMPLE_TIMEOUT, seconds, default 300, bounds the wait).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/mesh-run.sh" option

node "$here/make-inputs.mjs" --out "$work/inputs" "$@"
get() { json_field "$work/inputs/option.json" "$1"; }
run_project --kernel wgsl --wgsl "$here/option.wgsl" --name "monte-carlo-option" \
  --items "$(get items)" --out-cols 3 --reduce sum --seed "$(get seed)" \
  --param "S0=$(get S0)" --param "K=$(get K)" --param "r=$(get r)" --param "sigma=$(get sigma)" --param "T=$(get T)" \
  --param "paths:u32=$(get paths)" --flops-per-item "$(( $(get paths) * 40 ))" --items-per-chunk "$(get itemsPerChunk)"
export_result json "$work/sums.json"

node "$examples_lib/summary.mjs" "$work"
node --input-type=module - "$work" <<'JS'
import { readFileSync } from 'node:fs'
const work = process.argv[2]
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
