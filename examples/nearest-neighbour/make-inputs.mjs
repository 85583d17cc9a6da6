#!/usr/bin/env node
// Makes the inputs of the nearest-neighbour example, from a seeded generator:
//   queries.json   SIZE query points (one item each), DIMS coordinates in [0, 1)
//   refs.json      REFS reference points, the shared set every query searches
//   meta.json      the shapes and the chunking run.sh uses
// Every value is a float32 (written exactly). Random floats make exact ties
// in distance improbable.
//
//   node make-inputs.mjs [--out DIR] [--size QUERIES] [--refs REFS] [--dims D] [--chunks N] [--seed S]
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '.' },
    size: { type: 'string', default: '1000' },
    refs: { type: 'string', default: '2000' },
    dims: { type: 'string', default: '8' },
    chunks: { type: 'string', default: '8' },
    seed: { type: 'string', default: '11' }
  }
})
function integer (name, min, max) {
  const n = Number(values[name])
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max} (got ${values[name]})`)
  return n
}
const queries = integer('size', 1, 10_000_000)
const dims = integer('dims', 1, 64)
const refs = integer('refs', 1, 1 << 24)
const chunks = Math.min(integer('chunks', 1, 1_000_000), queries)
// Each item loops refs x (dims + 1) times. A software WebGPU adapter (Mesa
// llvmpipe) may cut an invocation's loops after 65,535 iterations; the mesh
// detects a cut and refuses the chunk rather than return a wrong answer.
// (These loops have compile-time bounds, and the llvmpipe we tried ran 70,000
// references in full; GPU drivers have no such limit.)
if (refs * (dims + 1) > 60_000) console.error(`note: ${refs} x ${dims} references take ${refs * (dims + 1)} loop iterations per query, more than a software WebGPU adapter (Mesa llvmpipe) may run in one invocation`)

let state = integer('seed', 0, 2 ** 32 - 1) >>> 0
function random () { // mulberry32
  state = (state + 0x6D2B79F5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const points = n => Array.from({ length: n }, () => Array.from({ length: dims }, () => Math.fround(random())))

mkdirSync(values.out, { recursive: true })
const write = (name, m) => writeFileSync(join(values.out, name), '[\n' + m.map(row => JSON.stringify(row)).join(',\n') + '\n]\n')
write('refs.json', points(refs))
write('queries.json', points(queries))
const meta = { queries, refs, dims, itemsPerChunk: Math.ceil(queries / chunks), flopsPerItem: 3 * refs * dims }
writeFileSync(join(values.out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n')
console.log(`queries.json: ${queries} x ${dims}; refs.json: ${refs} x ${dims}; ${Math.ceil(queries / meta.itemsPerChunk)} chunks`)
