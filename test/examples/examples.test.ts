import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { decode } from 'fast-png'
import { CliMesh, events } from '../e2e/helpers/cli-peers.ts'
import type { JsonLines } from '../helpers/json-lines.ts'

/**
 * The worked examples under examples/, end to end at a small size: each
 * example's own make-inputs.mjs and .wgsl, one researcher (`mesh publish
 * --kernel wgsl --until-done`) and two volunteers (`mesh volunteer --auto
 * --accept-wgsl --until-done`), real CLI processes with a data dir each and
 * an mDNS tag per test; then `mesh export`, checked against a reference
 * computed here, independently of the example's own code.
 */

const examples = fileURLToPath(new URL('../../examples/', import.meta.url))
const run = promisify(execFile)

interface Finished {
  readonly mesh: CliMesh
  readonly projectId: string
  readonly researcher: JsonLines
  readonly volunteers: JsonLines[]
}

/** Makes the example's inputs in <temp>/inputs (its make-inputs.mjs with `makeArgs`), and answers their path. */
async function makeInputs (mesh: CliMesh, example: string, makeArgs: string[]): Promise<string> {
  const out = mesh.dataDir('inputs')
  await run(process.execPath, [join(examples, example, 'make-inputs.mjs'), '--out', out, ...makeArgs])
  return out
}

async function exitedWithin (proc: JsonLines, ms: number): Promise<number | null | 'running'> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'running'>(resolve => { timer = setTimeout(() => resolve('running'), ms) })
  try {
    return await Promise.race([proc.exited, late])
  } finally {
    clearTimeout(timer)
  }
}

/** Two volunteers, then the researcher publishing `publishArgs` until done; checks how they finished. */
async function publishAndCompute (mesh: CliMesh, publishArgs: string[], chunks: number): Promise<Finished> {
  const started = Date.now()
  const volunteers = [1, 2].map(i => mesh.start(`volunteer-${i}`, ['volunteer', '--auto', '--accept-wgsl', '--until-done', '--json']))
  const researcher = mesh.start('researcher', ['publish', '--kernel', 'wgsl', ...publishArgs, '--until-done', '--json'])
  assert.equal(await researcher.exited, 0, `researcher: ${researcher.stderr} ${JSON.stringify(researcher.lines)}`)
  const codes = await Promise.all(volunteers.map(async v => await exitedWithin(v, 30_000)))
  assert.deepEqual(codes, [0, 0], volunteers.map(v => v.stderr).join('\n'))

  const published = events(researcher, 'published')[0]
  assert.equal(published.kernel, 'wgsl')
  assert.equal(published.chunks.total, chunks)
  const verified = events(researcher, 'chunk-verified')
  assert.deepEqual(verified.map(v => v.chunk).sort((a, b) => a - b), Array.from({ length: chunks }, (_, i) => i))
  const ids = volunteers.map(v => v.lines[0].peerId)
  for (const v of verified) assert.ok(ids.includes(v.volunteer), `chunk ${v.chunk} verified from ${v.volunteer}, not one of the two volunteers`)
  for (const v of volunteers) assert.deepEqual(events(v, 'left').map(l => [l.projectId, l.outcome]), [[published.id, 'done']])
  console.log(`${chunks} chunks verified; chunks computed per volunteer: ${volunteers.map(v => events(v, 'chunk-computed').length).join(', ')}; ${Date.now() - started} ms from start to all exited`)
  return { mesh, projectId: published.id, researcher, volunteers }
}

async function exportAs (done: Finished, format: 'json' | 'png', file: string): Promise<string> {
  const out = done.mesh.dataDir(file)
  const exported = await done.mesh.run('researcher', ['export', done.projectId, '--format', format, '--out', out])
  assert.equal(exported.code, 0, exported.stderr)
  return out
}

const readJson = async (path: string): Promise<any> => JSON.parse(await readFile(path, 'utf8'))

/** Tests one example in a mesh of its own; the mesh's processes and temp dir go afterwards. */
function exampleTest (name: string, body: (mesh: CliMesh) => Promise<void>): void {
  test(name, { timeout: 120_000 }, async () => {
    const mesh = await CliMesh.create(name.split(' ')[0]!)
    try {
      await body(mesh)
    } finally {
      await mesh.cleanup()
    }
  })
}

exampleTest('monte-carlo-option: the Monte Carlo price of a European call is within 4 standard errors of Black-Scholes', async mesh => {
  const items = 1024
  const paths = 256
  const inputs = await makeInputs(mesh, 'monte-carlo-option', ['--size', String(items), '--paths', String(paths), '--chunks', '4', '--seed', '99'])
  const o = await readJson(join(inputs, 'option.json'))
  assert.deepEqual({ S0: o.S0, K: o.K, r: o.r, sigma: o.sigma, T: o.T, items: o.items, paths: o.paths }, { S0: 100, K: 100, r: 0.05, sigma: 0.2, T: 1, items, paths })

  // The reference: the discounted expected payoff by Simpson's rule over the normal
  // density, independent of any normal CDF (and so a check of the example's closed form too).
  const drift = (o.r - 0.5 * o.sigma ** 2) * o.T
  const vol = o.sigma * Math.sqrt(o.T)
  const zStar = (Math.log(o.K / o.S0) - drift) / vol
  const integrand = (z: number): number => (o.S0 * Math.exp(drift + vol * z) - o.K) * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)
  const steps = 20_000
  const h = 14 / steps
  let integral = integrand(zStar) + integrand(zStar + 14)
  for (let k = 1; k < steps; k++) integral += (k % 2 === 1 ? 4 : 2) * integrand(zStar + k * h)
  const reference = Math.exp(-o.r * o.T) * integral * h / 3
  assert.ok(Math.abs(reference - 10.450583572185565) < 1e-9, `quadrature ${reference}`)
  assert.ok(Math.abs(o.blackScholes - reference) < 1e-9, `make-inputs.mjs's Black-Scholes ${o.blackScholes} vs quadrature ${reference}`)

  const done = await publishAndCompute(mesh, [
    '--wgsl', join(examples, 'monte-carlo-option', 'option.wgsl'), '--items', String(items), '--out-cols', '3', '--reduce', 'sum', '--seed', o.seed,
    '--param', `S0=${o.S0}`, '--param', `K=${o.K}`, '--param', `r=${o.r}`, '--param', `sigma=${o.sigma}`, '--param', `T=${o.T}`,
    '--param', `paths:u32=${paths}`, '--items-per-chunk', String(o.itemsPerChunk)
  ], 4)
  const sums = await readJson(await exportAs(done, 'json', 'sums.json'))
  assert.equal(sums.length, 1, 'a reduced project exports one row')
  const [sum, sumSq, n] = sums[0]
  assert.equal(n, items * paths)
  // mesh status (and the UI's dashboard) shows the same folded row once the project is done.
  const status = await mesh.run('researcher', ['status', '--json'])
  const line = status.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l)).find(p => p.projectId === done.projectId)
  assert.deepEqual(line?.result?.map(Math.fround), sums[0].map(Math.fround), status.stdout)
  const text = await mesh.run('researcher', ['status'])
  assert.match(text.stdout, / result: \d/)
  const discount = Math.exp(-o.r * o.T)
  const mean = sum / n
  const price = discount * mean
  const se = discount * Math.sqrt((sumSq / n - mean * mean) / (n - 1))
  console.log(`price ${price.toFixed(4)} ± ${se.toFixed(4)} (Black-Scholes ${reference.toFixed(4)}; ${((price - reference) / se).toFixed(2)} standard errors)`)
  assert.ok(se > 0.01 && se < 0.05, `standard error ${se}`)
  assert.ok(Math.abs(price - reference) <= 4 * se, `price ${price} ± ${se} vs Black-Scholes ${reference}`)
})

exampleTest('mlp-inference: the mesh outputs of a 16 -> 32 -> 4 ReLU network equal a float64 CPU forward pass within 1e-4', async mesh => {
  const inputs = await makeInputs(mesh, 'mlp-inference', ['--size', '300', '--chunks', '4', '--seed', '5'])
  const file = (name: string): string => join(inputs, name)
  const done = await publishAndCompute(mesh, [
    '--wgsl', join(examples, 'mlp-inference', 'mlp.wgsl'), '--data', file('x.json'), '--out-cols', '4',
    '--shared', `W1=${file('W1.json')}`, '--shared', `b1=${file('b1.json')}`, '--shared', `W2=${file('W2.json')}`, '--shared', `b2=${file('b2.json')}`,
    '--items-per-chunk', String((await readJson(file('meta.json'))).itemsPerChunk)
  ], 4)
  const y: number[][] = await readJson(await exportAs(done, 'json', 'y.json'))
  const [x, W1, [b1], W2, [b2]]: number[][][] = await Promise.all(['x.json', 'W1.json', 'b1.json', 'W2.json', 'b2.json'].map(async name => await readJson(file(name))))
  assert.deepEqual([x.length, x[0]!.length, W1.length, W1[0]!.length, b1!.length, W2.length, W2[0]!.length, b2!.length], [300, 16, 16, 32, 32, 32, 4, 4])
  assert.equal(y.length, 300)

  let maxRel = 0
  let active = 0
  x.forEach((row, i) => {
    const hidden = Array.from({ length: 32 }, (_, j) => {
      let acc = b1![j]!
      for (let k = 0; k < 16; k++) acc += row[k]! * W1[k]![j]!
      if (acc > 0) active++
      return Math.max(0, acc)
    })
    assert.equal(y[i]!.length, 4)
    for (let o = 0; o < 4; o++) {
      let expected = b2![o]!
      for (let j = 0; j < 32; j++) expected += hidden[j]! * W2[j]![o]!
      const rel = Math.abs(y[i]![o]! - expected) / Math.max(Math.abs(expected), 0.1)
      maxRel = Math.max(maxRel, rel)
      assert.ok(rel <= 1e-4, `row ${i} output ${o}: mesh ${y[i]![o]} vs CPU ${expected}`)
    }
  })
  // The ReLU matters: some hidden units are on and some off.
  assert.ok(active > 300 * 32 * 0.2 && active < 300 * 32 * 0.8, `${active} active hidden units`)
  console.log(`300 rows x 4 outputs: max rel error ${maxRel.toExponential(2)} (|y| floored at 0.1)`)
})

exampleTest('nearest-neighbour: every query finds the reference the CPU brute force finds, at its squared distance', async mesh => {
  const inputs = await makeInputs(mesh, 'nearest-neighbour', ['--size', '200', '--refs', '2000', '--dims', '8', '--chunks', '4', '--seed', '3'])
  const done = await publishAndCompute(mesh, [
    '--wgsl', join(examples, 'nearest-neighbour', 'nearest.wgsl'), '--data', join(inputs, 'queries.json'), '--shared', `refs=${join(inputs, 'refs.json')}`,
    '--out-cols', '2', '--items-per-chunk', String((await readJson(join(inputs, 'meta.json'))).itemsPerChunk)
  ], 4)
  const found: number[][] = await readJson(await exportAs(done, 'json', 'nearest.json'))
  const queries: number[][] = await readJson(join(inputs, 'queries.json'))
  const refs: number[][] = await readJson(join(inputs, 'refs.json'))
  assert.deepEqual([queries.length, refs.length, refs[0]!.length, found.length], [200, 2000, 8, 200])

  const dist2 = (a: number[], b: number[]): number => a.reduce((acc, v, k) => acc + (v - b[k]!) ** 2, 0)
  let ties = 0
  queries.forEach((q, i) => {
    const distances = refs.map(r => dist2(q, r))
    let best = 0
    for (let r = 1; r < refs.length; r++) if (distances[r]! < distances[best]!) best = r
    const [index, d] = found[i]!
    assert.ok(Number.isInteger(index) && index! >= 0 && index! < refs.length, `query ${i}: index ${index}`)
    if (index !== best) {
      // Only a tie within float32 rounding may pick another reference.
      assert.ok(distances[index!]! - distances[best]! <= 1e-6 * distances[best]!, `query ${i}: mesh ${index} at ${distances[index!]}, brute force ${best} at ${distances[best]}`)
      ties++
    }
    assert.ok(Math.abs(d! - distances[best]!) <= 1e-5 * distances[best]! + 1e-9, `query ${i}: squared distance ${d} vs ${distances[best]}`)
  })
  console.log(`200 queries over 2000 references: ${200 - ties} equal to brute force, ${ties} ties`)
})

exampleTest('mandelbrot: the exported PNG is 160x120 and matches a float32 CPU rendering of the same pixels', async mesh => {
  const inputs = await makeInputs(mesh, 'mandelbrot', ['--size', '160x120', '--chunks', '4'])
  const v = await readJson(join(inputs, 'view.json'))
  assert.deepEqual({ width: v.width, height: v.height, items: v.items, cx: v.cx, cy: v.cy, span: v.span, maxIter: v.maxIter }, { width: 160, height: 120, items: 19_200, cx: -0.6, cy: 0, span: 3.2, maxIter: 256 })
  const done = await publishAndCompute(mesh, [
    '--wgsl', join(examples, 'mandelbrot', 'mandelbrot.wgsl'), '--items', String(v.items), '--image', `${v.width}x${v.height}`, '--out-cols', '3',
    '--param', `cx=${v.cx}`, '--param', `cy=${v.cy}`, '--param', `span=${v.span}`, '--param', `max_iter:u32=${v.maxIter}`,
    '--items-per-chunk', String(v.itemsPerChunk)
  ], 4)
  const png = decode(await readFile(await exportAs(done, 'png', 'mandelbrot.png')))
  assert.deepEqual([png.width, png.height, png.channels, png.depth], [160, 120, 3, 8])

  // The CPU rendering: the escape-time iteration in float32 (every operation rounded
  // with Math.fround), the smooth colouring in float64, then 8 bits as the export does.
  const f = Math.fround
  const step = f(f(v.span) / v.width)
  const byte = (c: number): number => c > 0 ? (c >= 1 ? 255 : Math.round(c * 255)) : 0
  let inside = 0
  let differ = 0
  for (let i = 0; i < v.items; i++) {
    const cx = f(f(v.cx) + f(f(f(i % v.width + 0.5) - f(0.5 * v.width)) * step))
    const cy = f(f(v.cy) - f(f(f(Math.floor(i / v.width) + 0.5) - f(0.5 * v.height)) * step))
    let x = 0
    let y = 0
    let n = 0
    for (; n < v.maxIter && f(f(x * x) + f(y * y)) <= 256; n++) {
      const nx = f(f(f(x * x) + cx) - f(y * y))
      y = f(f(f(2 * x) * y) + cy)
      x = nx
    }
    let rgb = [0, 0, 0]
    if (n < v.maxIter) {
      const t = Math.sqrt(Math.max(n + 1 - Math.log2(0.5 * Math.log2(x * x + y * y)), 0) / v.maxIter)
      rgb = [0, 0.15, 0.3].map(phase => 0.5 + 0.5 * Math.cos(2 * Math.PI * (3 * t + phase)))
    } else {
      inside++
    }
    const got = [0, 1, 2].map(k => png.data[3 * i + k]!)
    if (got.some((g, k) => Math.abs(g - byte(rgb[k]!)) > 2)) differ++
  }
  console.log(`${inside} of ${v.items} pixels in the set; ${differ} differ from the CPU rendering by more than 2/255`)
  assert.ok(inside > 0.15 * v.items && inside < 0.25 * v.items, `${inside} pixels in the set`)
  // Pixels at the escape boundary may take another iteration count in another float32 order.
  assert.ok(differ < 0.01 * v.items, `${differ} of ${v.items} pixels differ`)
})

test('examples/federated-iris: its run.sh trains a softmax model across two volunteers, and the exported model classifies the held-out flowers as the researcher reported', async () => {
  // The example's own command, as a reader runs it: its peers, its export, its check of the model on test.csv.
  const { stdout } = await run('bash', [join(examples, 'federated-iris', 'run.sh'), '--rounds', '12'], { env: { ...process.env, MESH_EXAMPLE_TIMEOUT: '240' }, timeout: 300_000 })
  console.log(stdout.trim().split('\n').slice(-3).join('\n'))
  const summary = /exported softmax model: (\d+)\/50 test flowers classified right/.exec(stdout)
  assert.ok(summary != null, stdout)
  // Independently of the example's own check: iris is easy for a linear model; 12 rounds of FedAvg get most flowers right.
  assert.ok(Number(summary[1]) >= 45, `${summary[1]}/50 right`)
  assert.match(stdout, /round 12: training loss [\d.]+, test accuracy [\d.]+%/)
})
