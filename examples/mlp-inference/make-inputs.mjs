#!/usr/bin/env node
// Makes the inputs of the MLP inference example, from a seeded generator:
//   x.json          the dataset: SIZE rows of 16 inputs, uniform in [-1, 1)
//   W1.json b1.json W2.json b2.json   a 16 -> HIDDEN -> 4 network (He-uniform weights, small biases)
//   meta.json       the shapes and the chunking run.sh uses
// Every value is a float32 (written exactly), so the GPU and a CPU check
// read the same numbers.
//
//   node make-inputs.mjs [--out DIR] [--size ROWS] [--hidden H] [--chunks N] [--seed S]
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '.' },
    size: { type: 'string', default: '2000' },
    hidden: { type: 'string', default: '32' },
    chunks: { type: 'string', default: '8' },
    seed: { type: 'string', default: '7' }
  }
})
function integer (name, min, max) {
  const n = Number(values[name])
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max} (got ${values[name]})`)
  return n
}
const rows = integer('size', 1, 10_000_000)
// IN x HIDDEN + HIDDEN x OUT loop iterations per item: keep it far below the
// 65,535 a software WebGPU (Mesa llvmpipe) allows one invocation.
const hidden = integer('hidden', 1, 1024)
const chunks = Math.min(integer('chunks', 1, 1_000_000), rows)
const inputs = 16
const outputs = 4

// mulberry32: a small seeded generator, enough for test data.
let state = integer('seed', 0, 2 ** 32 - 1) >>> 0
function random () {
  state = (state + 0x6D2B79F5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const uniform = (lo, hi) => Math.fround(lo + (hi - lo) * random())
const matrix = (r, c, lo, hi) => Array.from({ length: r }, () => Array.from({ length: c }, () => uniform(lo, hi)))
const he = fanIn => Math.sqrt(6 / fanIn)

const files = {
  'x.json': matrix(rows, inputs, -1, 1),
  'W1.json': matrix(inputs, hidden, -he(inputs), he(inputs)),
  'b1.json': matrix(1, hidden, -0.1, 0.1),
  'W2.json': matrix(hidden, outputs, -he(hidden), he(hidden)),
  'b2.json': matrix(1, outputs, -0.1, 0.1)
}
mkdirSync(values.out, { recursive: true })
for (const [name, m] of Object.entries(files)) {
  writeFileSync(join(values.out, name), '[\n' + m.map(row => JSON.stringify(row)).join(',\n') + '\n]\n')
}
const meta = { rows, inputs, hidden, outputs, itemsPerChunk: Math.ceil(rows / chunks), flopsPerItem: 2 * (inputs * hidden + hidden * outputs) + hidden }
writeFileSync(join(values.out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n')
console.log(`x.json: ${rows} x ${inputs}; network ${inputs} -> ${hidden} -> ${outputs} in W1, b1, W2, b2 .json; ${Math.ceil(rows / meta.itemsPerChunk)} chunks`)
