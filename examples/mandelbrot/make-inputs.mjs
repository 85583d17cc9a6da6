#!/usr/bin/env node
// Makes the inputs of the Mandelbrot example: the image size and the view
// (view.json). The items are the pixels, index-only, so there is no data
// file; the view travels as --param.
//
//   node make-inputs.mjs [--out DIR] [--size WxH] [--cx X] [--cy Y] [--span S] [--max-iter N] [--chunks N]
//
// Negative values need the = form: --cx=-0.75.
// Defaults: 320x240, the whole set (centre -0.6 + 0i, 3.2 wide), 256 iterations, 8 chunks.
// Try e.g. --size 1280x960 --cx=-0.7453 --cy 0.1127 --span 0.0065 --max-iter 500.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '.' },
    size: { type: 'string', default: '320x240' },
    cx: { type: 'string', default: '-0.6' },
    cy: { type: 'string', default: '0' },
    span: { type: 'string', default: '3.2' },
    'max-iter': { type: 'string', default: '256' },
    chunks: { type: 'string', default: '8' }
  }
})
const size = /^(\d+)x(\d+)$/.exec(values.size)
if (size == null) throw new Error(`--size must be WxH, e.g. 320x240 (got ${values.size})`)
const [width, height] = [Number(size[1]), Number(size[2])]
if (width < 1 || height < 1 || width > 16384 || height > 16384) throw new Error('--size: sides from 1 to 16384')
const number = name => {
  const x = Number(values[name])
  if (!Number.isFinite(x)) throw new Error(`--${name} must be a number (got ${values[name]})`)
  return x
}
const maxIter = number('max-iter')
// A software WebGPU adapter (Mesa llvmpipe) cuts an invocation after 65,535
// loop iterations (the mesh refuses such chunks), so stay well below that.
if (!Number.isInteger(maxIter) || maxIter < 1 || maxIter > 50_000) throw new Error('--max-iter must be an integer from 1 to 50000')
const span = number('span')
if (span <= 0) throw new Error('--span must be positive')
const chunks = number('chunks')
if (!Number.isInteger(chunks) || chunks < 1) throw new Error('--chunks must be a positive integer')
const items = width * height
const view = { width, height, items, cx: number('cx'), cy: number('cy'), span, maxIter, itemsPerChunk: Math.ceil(items / chunks) }
mkdirSync(values.out, { recursive: true })
writeFileSync(join(values.out, 'view.json'), JSON.stringify(view, null, 2) + '\n')
console.log(`view.json: ${width}x${height} pixels, centre ${view.cx} + ${view.cy}i, ${span} wide, at most ${maxIter} iterations; ${Math.ceil(items / view.itemsPerChunk)} chunks`)
