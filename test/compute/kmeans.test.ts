import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { selectComputeDevice } from '../../src/compute/device/select.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import { checkDispatchFits } from '../../src/compute/device/limits.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { kmeansKernel, type KmeansParams } from '../../src/compute/kernels/kmeans/index.ts'
import { exactDecimal, kmeansWgsl, planKmeans } from '../../src/compute/kernels/kmeans/program.ts'
import { tieShrink } from '../../src/compute/kernels/kmeans/layout.ts'
import { planChunks, type ChunkWork, type InputShape } from '../../src/compute/kernel.ts'
import { aggregateRound, aggregatedCols, sumExtras } from '../../src/compute/rounds.ts'
import { randomNormal4, randomUniform4 } from '../../src/compute/random/philox.ts'
import { writeNpyMatrix } from '../../src/compute/data/npy.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'
import { planProject, PORTABLE_DEVICE_LIMITS } from '../../src/node/publish/project-builder.ts'
import { initialCentroids, kmeansSpec, type KmeansPublishRequest } from '../../src/node/publish/kmeans-spec.ts'
import { InputError } from '../../src/errors.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'

let device: ComputeDevice
before(async () => { device = await selectComputeDevice() })
after(async () => { await device.destroy() })

const FAR = 1000

function paramsOf (k: number, rounds = 5): KmeansParams {
  return kmeansKernel.parseParams({ k, rounds: { count: rounds, quorum: 1, aggregate: 'weighted-mean' } })
}

function shapes (points: number, k: number, dims: number): InputShape[] {
  return [{ name: 'data', rows: points, cols: dims }, { name: 'state', rows: k, cols: dims }]
}

function work (params: KmeansParams, data: Matrix, state: Float32Array, rowStart = 0, rowEnd = data.rows, round = 0): ChunkWork<KmeansParams> {
  return {
    kernel: 'kmeans',
    params,
    range: { index: 0, rowStart, rowEnd },
    rows: data.data.subarray(rowStart * data.cols, rowEnd * data.cols),
    rowCols: data.cols,
    shared: { state: { data: state, rows: params.k, cols: data.cols } },
    round
  }
}

/** `blobs` Gaussian blobs of `perBlob` points each (blob b holds rows b * perBlob ...), centres in [-10, 10)^D, spread `sigma`. */
function gaussianBlobs (blobs: number, perBlob: number, dims: number, sigma: number, seed: number): { data: Matrix, centres: Float32Array } {
  const centres = new Float32Array(blobs * dims)
  for (let i = 0; i < centres.length; i++) centres[i] = 20 * randomUniform4(seed, i, 0)[0] - 10
  const data = new Float32Array(blobs * perBlob * dims)
  for (let i = 0; i < data.length; i++) {
    const blob = Math.floor(i / (perBlob * dims))
    data[i] = centres[blob * dims + (i % dims)]! + sigma * randomNormal4(seed + 1, i, 0)[0]
  }
  return { data: { rows: blobs * perBlob, cols: dims, data }, centres }
}

/** Centroids: rows of the data spread through it, with the last one far from every point (its cluster stays empty). */
function stateWithFarCentroid (data: Matrix, k: number): Float32Array {
  const state = new Float32Array(k * data.cols)
  for (let c = 0; c < k - 1; c++) {
    const row = Math.floor((c * data.rows) / (k - 1))
    state.set(data.data.subarray(row * data.cols, (row + 1) * data.cols), c * data.cols)
  }
  state.fill(FAR, (k - 1) * data.cols)
  return state
}

const countOf = (row: Float32Array, dims: number, c: number): number => row[c * (dims + 1) + dims]!

describe('the kmeans kernel on the WebGPU device', () => {
  it('runs on a WebGPU adapter, not the CPU fallback', () => {
    assert.notEqual(device.info.backend, 'cpu', `fell back to the CPU: ${device.info.fallbackReasons.join('; ')}`)
  })

  // [points, k, dims]: below, at and past the 64-invocation workgroup; several points per invocation; K x D = 64 x 64 over
  // tens of thousands of points; points too wide to copy into a function array (read from storage).
  const cases: Array<[number, number, number]> = [
    [1, 4, 3], [63, 4, 3], [64, 4, 3], [65, 4, 3], [1000, 7, 5], [4097, 40, 2], [30_000, 16, 8], [20_000, 64, 64], [700, 3, 300]
  ]
  for (const [points, k, dims] of cases) {
    it(`given ${points} points, k = ${k}, D = ${dims} and an empty cluster, the chunk's row matches the CPU reference`, async () => {
      const { data } = gaussianBlobs(k - 1, Math.ceil(points / (k - 1)), dims, 1.5, points + dims)
      const chunk = { rows: points, cols: dims, data: data.data.subarray(0, points * dims) }
      const params = paramsOf(k)
      const state = stateWithFarCentroid(chunk, k)
      const w = work(params, chunk, state)
      const actual = await device.run(w)
      const expected = kmeansKernel.cpuReference(w)
      assert.equal(actual.length, kmeansKernel.outputCols(params, shapes(points, k, dims)))
      assert.equal(actual.length, k * (dims + 1) + 1)
      const compared = kmeansKernel.compare(params, shapes(points, k, dims), expected, actual)
      assert.ok(compared.ok, `mismatch at ${compared.firstMismatch}: ${JSON.stringify(compared)}`)
      assert.ok(compared.maxRelError < 1e-5, `max rel error ${compared.maxRelError}`)
      // Continuous data has no near ties here: every point is assigned alike, and the far centroid gets none.
      for (let c = 0; c < k; c++) assert.equal(countOf(actual, dims, c), countOf(expected, dims, c), `count of centroid ${c}`)
      assert.equal(countOf(actual, dims, k - 1), 0)
      for (let d = 0; d < dims; d++) assert.equal(actual[(k - 1) * (dims + 1) + d], 0)
      let total = 0
      for (let c = 0; c < k; c++) total += countOf(actual, dims, c)
      assert.equal(total, points)
    })
  }

  it('given a chunk that starts past row 0, it reads only its own rows', async () => {
    const { data } = gaussianBlobs(3, 200, 3, 1, 9)
    const params = paramsOf(4)
    const state = stateWithFarCentroid(data, 4)
    const w = work(params, data, state, 130, 517)
    const actual = await device.run(w)
    assert.ok(kmeansKernel.compare(params, shapes(387, 4, 3), kmeansKernel.cpuReference(w), actual).ok)
    let total = 0
    for (let c = 0; c < 4; c++) total += countOf(actual, 3, c)
    assert.equal(total, 387)
  })

  it('given points exactly midway between two centroids, device and CPU both give them to the lower index', async () => {
    // Every point is at the same real distance from centroids 0 and 1 (and duplicated, as in data on a grid).
    const dims = 3
    const centres = Float32Array.of(0.1, 0.2, 0.3, 0.7, 0.2, 0.3, 5, 5, 5)
    const data = new Float32Array(300 * dims)
    for (let i = 0; i < 300; i++) data.set([0.4, 0.2 + 0.1 * (i % 5), 0.3 - 0.05 * (i % 3)], i * dims)
    const chunk = { rows: 300, cols: dims, data }
    const params = paramsOf(3)
    const w = work(params, chunk, centres)
    // In fp32 these real ties come out unequal: plain `<` would hand every point to centroid 1.
    const fp32Distance = (point: number, c: number): number => {
      let sum = 0
      for (let d = 0; d < dims; d++) {
        const diff = Math.fround(data[point * dims + d]! - centres[c * dims + d]!)
        sum = Math.fround(sum + Math.fround(diff * diff))
      }
      return sum
    }
    for (let i = 0; i < 15; i++) assert.ok(fp32Distance(i, 1) < fp32Distance(i, 0), `point ${i}`)
    const actual = await device.run(w)
    const expected = kmeansKernel.cpuReference(w)
    assert.equal(countOf(expected, dims, 0), 300)
    assert.equal(countOf(actual, dims, 0), 300)
    assert.ok(kmeansKernel.compare(params, shapes(300, 3, dims), expected, actual).ok)
  })
})

/**
 * Lloyd's algorithm written plainly in f64 (nearest centroid by squared
 * distance, ties to the lowest index; mean of each cluster, an empty one
 * kept where it was), independent of the kernel's code.
 */
function lloydF64 (points: Float32Array, n: number, dims: number, initial: Float32Array, k: number, rounds: number): Array<{ centroids: Float64Array, counts: number[], inertia: number }> {
  let centroids = Float64Array.from(initial)
  const history: Array<{ centroids: Float64Array, counts: number[], inertia: number }> = []
  for (let round = 0; round < rounds; round++) {
    const sums = new Float64Array(k * dims)
    const counts: number[] = new Array(k).fill(0)
    let inertia = 0
    for (let i = 0; i < n; i++) {
      let best = -1
      let bestDistance = Infinity
      for (let c = 0; c < k; c++) {
        let distance = 0
        for (let d = 0; d < dims; d++) distance += (points[i * dims + d]! - centroids[c * dims + d]!) ** 2
        if (distance < bestDistance) {
          best = c
          bestDistance = distance
        }
      }
      counts[best]!++
      inertia += bestDistance
      for (let d = 0; d < dims; d++) sums[best * dims + d]! += points[i * dims + d]!
    }
    const next = new Float64Array(k * dims)
    for (let c = 0; c < k; c++) {
      for (let d = 0; d < dims; d++) next[c * dims + d] = counts[c]! > 0 ? sums[c * dims + d]! / counts[c]! : centroids[c * dims + d]!
    }
    history.push({ centroids: next, counts, inertia })
    centroids = next
  }
  return history
}

describe("R rounds of device chunks and the weighted-mean aggregator are Lloyd's algorithm", () => {
  it('given 5 blobs in 4-D, k = 6 with one centroid far away, 8 rounds in chunks of 700 agree with plain f64 Lloyd', async () => {
    const dims = 4
    const k = 6
    const rounds = 8
    const { data } = gaussianBlobs(5, 600, dims, 2.5, 21)
    // One point of each of the first three blobs, two of the fourth (none of the fifth), and the far centroid.
    const initial = new Float32Array(k * dims)
    for (const [c, row] of [[0, 0], [1, 600], [2, 1200], [3, 1800], [4, 1801]] as const) {
      initial.set(data.data.subarray(row * dims, (row + 1) * dims), c * dims)
    }
    initial.fill(-FAR, (k - 1) * dims)
    const reference = lloydF64(data.data, data.rows, dims, initial, k, rounds)

    const params = paramsOf(k, rounds)
    const chunks = planChunks(data.rows, 700)
    assert.ok(chunks.length === 5 && chunks.some(c => (c.rowEnd - c.rowStart) % 64 !== 0))
    const width = aggregatedCols('weighted-mean', k, dims)
    let state: Float32Array = initial
    for (let round = 0; round < rounds; round++) {
      const rows: Float32Array[] = []
      for (const range of chunks) rows.push(await device.run({ ...work(params, data, state, range.rowStart, range.rowEnd, round), range }))
      const next = aggregateRound('weighted-mean', state, k, dims, rows)
      const extras = sumExtras(rows, width, kmeansKernel.roundExtraCols!(params))
      const figures = kmeansKernel.roundFigures!(params, { round, previous: state, state: next, extras, researcherInputs: {} })
      const expected = reference[round]!
      for (let c = 0; c < k; c++) {
        const count = rows.reduce((sum, row) => sum + countOf(row, dims, c), 0)
        assert.equal(count, expected.counts[c], `round ${round}: points of centroid ${c}`)
      }
      for (let i = 0; i < k * dims; i++) {
        assert.ok(Math.abs(next[i]! - expected.centroids[i]!) <= 1e-4 + 1e-5 * Math.abs(expected.centroids[i]!),
          `round ${round}: centroid value ${i} is ${next[i]}, Lloyd has ${expected.centroids[i]}`)
      }
      assert.ok(Math.abs(figures.inertia! - expected.inertia) <= 1e-4 * expected.inertia, `round ${round}: inertia ${figures.inertia} vs ${expected.inertia}`)
      // The far centroid has no points and keeps its place exactly.
      assert.deepEqual([...next.subarray((k - 1) * dims)], new Array(dims).fill(-FAR))
      state = next
    }
    // The two centroids that started in the fourth blob do not both stay there: Lloyd moved one to the fifth.
    assert.ok(reference[rounds - 1]!.counts.slice(0, 5).every(n => n > 0))
  })
})

describe('the kmeans compare', () => {
  const dims = 3
  const k = 5
  const { data } = gaussianBlobs(4, 500, dims, 1, 33)
  const params = paramsOf(k)
  const state = stateWithFarCentroid(data, k)
  const w = work(params, data, state)
  const expected = kmeansKernel.cpuReference(w)
  const inputs = shapes(data.rows, k, dims)
  const accepts = (actual: Float32Array): boolean => kmeansKernel.compare(params, inputs, expected, actual).ok

  /** The chunk's row with `point` given to centroid `to` instead of its nearest (an f64 recount). */
  function rowWithPointMoved (point: number, to: number): Float32Array {
    const row = Float64Array.from(expected)
    const from = nearestOf(point)
    for (let d = 0; d < dims; d++) {
      row[from * (dims + 1) + d]! -= data.data[point * dims + d]!
      row[to * (dims + 1) + d]! += data.data[point * dims + d]!
    }
    row[from * (dims + 1) + dims]!--
    row[to * (dims + 1) + dims]!++
    return Float32Array.from(row)
  }

  function nearestOf (point: number): number {
    const one = kmeansKernel.cpuReference(work(params, data, state, point, point + 1))
    for (let c = 0; c < k; c++) if (countOf(one, dims, c) === 1) return c
    throw new Error('no centroid')
  }

  it('accepts a point assigned to another centroid (as a near tie may be on another device)', () => {
    const moved = rowWithPointMoved(17, (nearestOf(17) + 1) % (k - 1))
    assert.ok(accepts(moved))
  })

  it('accepts rounding within fp32 workgroup sums', () => {
    const rounded = Float32Array.from(expected, (v, i) => (i % (dims + 1) === dims ? v : v * (1 + 2e-6 * ((i % 3) - 1))))
    assert.ok(accepts(rounded))
  })

  it('rejects garbage: zeros, noise, other points, centroids in another order, a count too many, a sum off, sums accumulated in fp16', () => {
    assert.ok(!accepts(new Float32Array(expected.length)), 'zeros')
    assert.ok(!accepts(Float32Array.from(expected, (_, i) => randomUniform4(5, i, 0)[0] * 100)), 'noise')
    const other = gaussianBlobs(4, 500, dims, 1, 34).data
    assert.ok(!accepts(kmeansKernel.cpuReference(work(params, other, state))), 'other points')
    // Every cluster has 500 points, so the counts of centroids in another order match: their sums do not.
    const reordered = new Float32Array(state.length)
    for (const [from, to] of [[0, 1], [1, 2], [2, 3], [3, 0], [4, 4]]) reordered.set(state.subarray(from! * dims, (from! + 1) * dims), to! * dims)
    assert.ok(!accepts(kmeansKernel.cpuReference(work(params, data, reordered))), 'centroids in another order')
    const extraCount = Float32Array.from(expected)
    extraCount[dims]! += 1
    assert.ok(!accepts(extraCount), 'a count too many')
    const scaled = Float32Array.from(expected)
    const largest = [...expected].reduce((best, v, i) => (i % (dims + 1) !== dims && Math.abs(v) > Math.abs(expected[best]!) ? i : best), 0)
    scaled[largest]! *= 1.001
    assert.ok(!accepts(scaled), 'the largest sum off by 0.1%')
    assert.ok(!accepts(sumsInHalfPrecision()), 'fp16 accumulation')
    const lengths = kmeansKernel.compare(params, inputs, expected, expected.subarray(1))
    assert.equal(lengths.ok, false)
    const farMoved = Float32Array.from(expected)
    farMoved[0]! += 50
    assert.ok(!accepts(farMoved), 'a sum moved with no count moved')
  })

  it('rejects a dozen points moved from one centroid to another, even with sums to match', () => {
    let moved = expected
    const to = (nearestOf(0) + 1) % (k - 1)
    for (let i = 0; i < 12; i++) {
      // Points of the first blob, all nearest the same centroid.
      const point = i * 40
      const from = nearestOf(point)
      const row = Float64Array.from(moved)
      for (let d = 0; d < dims; d++) {
        row[from * (dims + 1) + d]! -= data.data[point * dims + d]!
        row[to * (dims + 1) + d]! += data.data[point * dims + d]!
      }
      row[from * (dims + 1) + dims]!--
      row[to * (dims + 1) + dims]!++
      moved = Float32Array.from(row)
    }
    assert.ok(!accepts(moved))
  })

  /** The chunk's row with every sum accumulated in a float of 11 significant bits. */
  function sumsInHalfPrecision (): Float32Array {
    const half = (x: number): number => {
      if (x === 0) return 0
      const quantum = 2 ** (Math.floor(Math.log2(Math.abs(x))) - 10)
      return Math.round(x / quantum) * quantum
    }
    const row = new Float64Array(expected.length)
    for (let i = 0; i < data.rows; i++) {
      const c = nearestOf(i)
      for (let d = 0; d < dims; d++) row[c * (dims + 1) + d] = half(row[c * (dims + 1) + d]! + data.data[i * dims + d]!)
      row[c * (dims + 1) + dims]!++
    }
    row[k * (dims + 1)] = expected[k * (dims + 1)]!
    return Float32Array.from(row)
  }
})

describe('kmeans params, inputs and figures', () => {
  it('rejects bad params with one line each', () => {
    const rounds = { count: 3, quorum: 1, aggregate: 'weighted-mean' }
    const bad: Array<[unknown, RegExp]> = [
      [null, /kmeans params must be an object \{ k, rounds \}/],
      [[1], /kmeans params must be an object/],
      [{ k: 0, rounds }, /k must be an integer from 1 to 4096 \(got 0\)/],
      [{ k: 2.5, rounds }, /k must be an integer from 1 to 4096 \(got 2.5\)/],
      [{ k: 5000, rounds }, /k must be an integer from 1 to 4096 \(got 5000\)/],
      [{ k: '3', rounds }, /k must be an integer/],
      [{ k: 3, rounds, tolerance: 1 }, /kmeans: unknown params tolerance/],
      [{ k: 3 }, /rounds must be an object/],
      [{ k: 3, rounds: { ...rounds, count: 0 } }, /rounds must be a positive integer/],
      [{ k: 3, rounds: { ...rounds, aggregate: 'sum' } }, /rounds must aggregate by weighted-mean .* not sum/],
      [{ k: 3, rounds: { ...rounds, aggregate: 'mean' } }, /not mean/]
    ]
    for (const [value, message] of bad) {
      assert.throws(() => kmeansKernel.parseParams(value), (err: any) => {
        assert.ok(err instanceof InputError, String(err))
        assert.match(err.message, message)
        assert.equal(err.message.split('\n').length, 1)
        return true
      }, JSON.stringify(value))
    }
    // Parsed params parse to themselves (the device parses what it is given).
    const parsed = paramsOf(3)
    assert.deepEqual(kmeansKernel.parseParams(JSON.parse(JSON.stringify(parsed))), parsed)
  })

  it('rejects inputs that do not fit together with one line each', () => {
    const bad: Array<[number, InputShape[], RegExp]> = [
      [3, shapes(10, 3, 4).map(s => (s.name === 'state' ? { ...s, cols: 3 } : s)), /: the initial centroids have 3 columns but the data has 4$/],
      [9, shapes(5, 9, 2), /: k \(9\) is larger than the number of points \(5\)$/],
      [3, shapes(10, 4, 2), /: there are 4 initial centroids but k is 3$/],
      [3, [{ name: 'data', rows: 10, cols: 2 }], /needs two inputs: data .* and state/],
      [3, [...shapes(10, 3, 2), { name: 'b', rows: 1, cols: 1 }], /takes only inputs data and state \(got b\)/],
      [4096, shapes(10_000, 4096, 1100), /makes rows of .* values, more than/]
    ]
    for (const [k, inputs, message] of bad) assert.throws(() => kmeansKernel.validateInputs(paramsOf(k), inputs), message)
    kmeansKernel.validateInputs(paramsOf(3), shapes(10, 3, 4))
  })

  it('states its rounds, figures, FLOPs and a kernel id the mesh knows', () => {
    const params = paramsOf(4, 7)
    assert.equal(getKernel('kmeans'), kmeansKernel)
    assert.deepEqual(kmeansKernel.sharedInputs(params), ['state'])
    assert.equal(kmeansKernel.rounds!(params)!.count, 7)
    assert.equal(kmeansKernel.rounds!(params)!.aggregate, 'weighted-mean')
    assert.equal(kmeansKernel.roundExtraCols!(params), 1)
    assert.equal(kmeansKernel.outputCols(params, shapes(100, 4, 3)), 4 * 4 + 1)
    const figures = kmeansKernel.roundFigures!(params, { round: 0, previous: new Float32Array(12), state: new Float32Array(12), extras: Float64Array.of(12.5), researcherInputs: {} })
    assert.deepEqual(figures, { inertia: 12.5 })
    assert.equal(kmeansKernel.flops(params, shapes(100, 4, 3), { index: 0, rowStart: 10, rowEnd: 30 }), 20 * (3 * 4 * 3 + 4))
    assert.equal(kmeansKernel.exportState, undefined)
  })

  it('sizes chunks within the device limits: partial rows, points and workgroups', () => {
    const limits = { ...PORTABLE_DEVICE_LIMITS, maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxStorageBuffersPerShaderStage: 8 }
    // Wide rows, few dimensions: the partial rows bind first.
    const [k, dims] = [4096, 2]
    const params = paramsOf(k)
    const maxRows = kmeansKernel.maxRowsPerChunk(params, shapes(1_000_000, k, dims), limits)
    assert.ok(maxRows > 1000)
    const state = new Float32Array(k * dims)
    const planned = (rows: number) => planKmeans(work(params, { rows, cols: dims, data: new Float32Array(rows * dims) }, state))
    checkDispatchFits(planned(maxRows), limits)
    assert.throws(() => { checkDispatchFits(planned(maxRows + 64), limits) }, /MiB for the output/)
    // Many dimensions: the points bind first.
    const narrow = kmeansKernel.maxRowsPerChunk(paramsOf(2), shapes(10_000_000, 2, 1000), limits)
    assert.equal(narrow, Math.floor(PORTABLE_DEVICE_LIMITS.maxStorageBufferBindingSize / 4000))
  })

  it("writes the tie rule's factor into the WGSL exactly", () => {
    for (const dims of [1, 2, 3, 64, 300, 5000]) {
      const shrink = tieShrink(dims)
      const literal = exactDecimal(shrink)
      assert.equal(Number(literal), shrink)
      assert.ok(shrink < 1 && shrink >= 1 - 2 ** -12)
      assert.ok(kmeansWgsl(3, dims).includes(`const SHRINK: f32 = ${literal}f;`))
    }
    assert.equal(exactDecimal(0.5), '0.5')
    assert.equal(exactDecimal(1 - 2 ** -24), '0.999999940395355224609375')
    assert.equal(exactDecimal(-3), '-3.0')
  })

  it('compiles on the device for K x D = 64 x 64', async () => {
    await device.validateKernel('kmeans', paramsOf(64), shapes(1000, 64, 64))
  })
})

describe('kmeansSpec and initialCentroids', () => {
  let dir: TempDir
  let pointsPath: string
  let points: Matrix
  before(async () => {
    dir = await makeTempDir('mesh-kmeans-')
    points = gaussianBlobs(3, 20, 4, 1, 5).data
    pointsPath = join(dir.path, 'points.npy')
    await writeNpyMatrix(pointsPath, points)
  })
  after(async () => { await dir.remove() })

  const request = (fields: Partial<KmeansPublishRequest>): KmeansPublishRequest => ({ kernel: 'kmeans', dataPath: pointsPath, rounds: 5, ...fields })

  async function rejectsWith (fields: Partial<KmeansPublishRequest>, message: RegExp): Promise<void> {
    await assert.rejects(kmeansSpec(request(fields), {}), (err: any) => {
      assert.ok(err instanceof InputError, String(err))
      assert.equal(err.message.split('\n').length, 1)
      assert.match(err.message, message)
      return true
    })
  }

  it('given --k and --seed, builds a spec the project builder accepts', async () => {
    const spec = await kmeansSpec(request({ k: 3, seed: 7, untilChange: 1e-4, quorum: 0.9, name: 'blobs' }), { description: 'three blobs', rowsPerChunk: 16 })
    assert.equal(spec.kernel, 'kmeans')
    assert.equal(spec.name, 'blobs')
    assert.equal(spec.description, 'three blobs')
    assert.deepEqual(spec.inputs.map(i => [i.name, i.matrix.rows, i.matrix.cols]), [['data', 60, 4], ['state', 3, 4]])
    assert.deepEqual(spec.params, { k: 3, rounds: { count: 5, untilChange: 1e-4, quorum: 0.9, aggregate: 'weighted-mean' } })
    assert.deepEqual(spec.inputs[1]!.matrix, initialCentroids(points, 3, 7))
    const plan = planProject(spec)
    assert.equal(plan.chunkCount, 4)
    assert.equal(plan.outputCols, 3 * 5 + 1)
  })

  it('given --init, the centroids are the file\'s', async () => {
    const init = { rows: 2, cols: 4, data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) }
    const initPath = join(dir.path, 'init.npy')
    await writeNpyMatrix(initPath, init)
    const spec = await kmeansSpec(request({ initPath }), {})
    assert.equal(spec.name, 'kmeans points.npy k=2')
    assert.deepEqual(spec.inputs[1]!.matrix, init)
    assert.equal((spec.params as KmeansParams).k, 2)
  })

  it('rejects bad requests with one line each', async () => {
    const wide = join(dir.path, 'wide.npy')
    await writeNpyMatrix(wide, { rows: 2, cols: 3, data: new Float32Array(6) })
    const many = join(dir.path, 'many.npy')
    await writeNpyMatrix(many, { rows: 61, cols: 4, data: Float32Array.from({ length: 244 }, (_, i) => i) })
    const nan = join(dir.path, 'nan.npy')
    await writeNpyMatrix(nan, { rows: 2, cols: 2, data: Float32Array.of(1, 2, NaN, 4) })
    const csv = join(dir.path, 'five.csv')
    await writeFile(csv, 'x,y\n1,2\n3,4\n5,6\n7,8\n9,10\n')

    await rejectsWith({}, /exactly one of --k K .* or --init FILE/)
    await rejectsWith({ k: 2, initPath: wide }, /exactly one of --k K .* or --init FILE/)
    await rejectsWith({ rounds: 0, k: 2 }, /^rounds must be a positive integer \(got 0\)$/)
    await rejectsWith({ rounds: 2.5, k: 2 }, /^rounds must be a positive integer \(got 2.5\)$/)
    await rejectsWith({ k: 0 }, /^k must be a positive integer \(got 0\)$/)
    await rejectsWith({ k: 1.5 }, /^k must be a positive integer \(got 1.5\)$/)
    await rejectsWith({ k: 9, dataPath: csv }, /^k \(9\) is larger than the number of points \(5\)$/)
    await rejectsWith({ initPath: wide }, /^the initial centroids have 3 columns but the data has 4$/)
    await rejectsWith({ initPath: many }, /^k \(61\) is larger than the number of points \(60\)$/)
    await rejectsWith({ k: 2, seed: 1, initPath: undefined, dataPath: nan }, /nan\.npy: row 2, column 1 is NaN, not a finite number/)
    await rejectsWith({ initPath: wide, seed: 3 }, /--seed .* cannot be combined with --init/)
    await rejectsWith({ k: 2, seed: -1 }, /seed must be a non-negative integer/)
    await rejectsWith({ k: 2, dataPath: join(dir.path, 'missing.npy') }, /missing\.npy: no such file/)
    await rejectsWith({ k: 2, quorum: 0 }, /round quorum must be a fraction/)
  })

  it('initialCentroids is deterministic and picks distinct rows of the data', () => {
    const data = gaussianBlobs(4, 250, 3, 1, 77).data
    const first = initialCentroids(data, 12, 42)
    assert.deepEqual(initialCentroids(data, 12, 42), first)
    assert.notDeepEqual(initialCentroids(data, 12, 43), first)
    const rowsPicked = new Set<number>()
    for (let c = 0; c < 12; c++) {
      const centroid = [...first.data.subarray(c * 3, c * 3 + 3)]
      const row = [...Array(data.rows).keys()].find(r => centroid.every((v, d) => v === data.data[r * 3 + d]))
      assert.ok(row != null, `centroid ${c} is a row of the data`)
      rowsPicked.add(row)
    }
    assert.equal(rowsPicked.size, 12)
    // k = n is a permutation of the rows.
    const all = initialCentroids(data, 1000, 5)
    assert.equal(new Set(Array.from({ length: 1000 }, (_, r) => all.data[r * 3])).size, 1000)
  })

  it('initialCentroids draws every row alike and passes over rows equal to one already chosen', () => {
    const four = { rows: 4, cols: 1, data: Float32Array.of(0, 1, 2, 3) }
    const picks = [0, 0, 0, 0]
    for (let seed = 0; seed < 2000; seed++) picks[initialCentroids(four, 1, seed).data[0]!]!++
    for (const n of picks) assert.ok(n > 400 && n < 600, `picks per row: ${picks.join(', ')}`)
    // 40 rows, only 3 distinct points (0 and -0 alike).
    const points = [[0, 0], [-0, -0], [1, 1], [2, 2]]
    const repeated = { rows: 40, cols: 2, data: Float32Array.from({ length: 80 }, (_, i) => points[Math.floor(i / 2) % 4]![i % 2]!) }
    const three = initialCentroids(repeated, 3, 9)
    assert.deepEqual(new Set([0, 1, 2].map(c => `${three.data[c * 2]! + 0},${three.data[c * 2 + 1]! + 0}`)).size, 3)
    assert.throws(() => initialCentroids(repeated, 4, 9), /^InputError: the data has only 3 distinct points, fewer than k \(4\)$/)
  })
})
