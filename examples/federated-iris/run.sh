#!/usr/bin/env bash
# Federated training of a softmax classifier of iris species on a mesh of
# three peers on this machine: a researcher and two volunteers. Each round,
# every volunteer runs local epochs of SGD on its shards from the round's
# model and the researcher averages the models (FedAvg); it reports the
# training loss and the held-out test accuracy per round, then exports the
# model, which is checked here against the test set.
#
#   bash examples/federated-iris/run.sh [--model softmax|mlp] [--rounds R]
#
# examples/lib/mesh-run.sh runs the peers (MESH_EXAMPLE_TIMEOUT, seconds,
# default 300, bounds the wait).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/mesh-run.sh" federated-iris

model=softmax
rounds=20
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown option $1 (expected --model softmax|mlp, --rounds R)" >&2; exit 2 ;;
  esac
done

node "$here/make-inputs.mjs" --out "$work/inputs"
run_project --kernel train --name "iris $model" --data "$work/inputs/train.csv" --label-col species \
  --model "$model" --rounds "$rounds" --local-epochs 5 --batch 5 --lr 0.05 --rows-per-chunk 25 \
  --test "$work/inputs/test.csv" --seed 7
if [ "$model" = mlp ]; then
  export_result json "$work/model.json"
else
  export_result npy "$work/model.npy"
fi

node "$examples_lib/summary.mjs" "$work"
node --import tsx --input-type=module - "$work" "$model" "$repo" <<'JS'
import { readFileSync } from 'node:fs'
const [work, model, repo] = process.argv.slice(2)
const { readNpyMatrix } = await import(`${repo}/src/compute/data/npy.ts`)
const events = readFileSync(`${work}/researcher.log`, 'utf8').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
const rounds = events.filter(e => e.event === 'round-closed')
for (const r of [rounds[0], ...rounds.slice(1, -1).filter((_, i) => (i + 1) % 5 === 0), rounds.at(-1)]) {
  console.log(`round ${String(r.round + 1).padStart(2)}: training loss ${r.figures.loss.toFixed(3)}, test accuracy ${(r.figures.accuracy * 100).toFixed(1)}%`)
}
// The exported model, applied here to the held-out flowers with its own label mapping.
const lines = readFileSync(`${work}/inputs/test.csv`, 'utf8').trim().split('\n').slice(1).map(l => l.split(','))
let logits
let labels
if (model === 'mlp') {
  const m = JSON.parse(readFileSync(`${work}/model.json`, 'utf8'))
  labels = m.labels
  logits = x => {
    const h = m.b1.map((b, j) => Math.max(0, x.reduce((acc, v, k) => acc + v * m.W1[k][j], b)))
    return m.b2.map((b, c) => h.reduce((acc, v, j) => acc + v * m.W2[j][c], b))
  }
} else {
  const w = await readNpyMatrix(`${work}/model.npy`)
  labels = JSON.parse(readFileSync(`${work}/model.npy.labels.json`, 'utf8')).labels
  logits = x => labels.map((_, c) => x.reduce((acc, v, k) => acc + v * w.data[k * w.cols + c], w.data[x.length * w.cols + c]))
}
let right = 0
for (const line of lines) {
  const scores = logits(line.slice(0, 4).map(Number))
  if (labels[scores.indexOf(Math.max(...scores))] === line[4]) right++
}
console.log(`exported ${model} model: ${right}/${lines.length} test flowers classified right (${(100 * right / lines.length).toFixed(1)}%); the researcher reported ${(rounds.at(-1).figures.accuracy * 100).toFixed(1)}%`)
if (Math.abs(right / lines.length - rounds.at(-1).figures.accuracy) > 1e-9) { console.error('the exported model disagrees with the reported accuracy'); process.exit(1) }
JS
finished=1
