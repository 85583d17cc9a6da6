import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { selectComputeDevice } from '../../src/compute/device/select.ts'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { trainKernel, type TrainParams } from '../../src/compute/kernels/train/index.ts'
import { stateShape } from '../../src/compute/kernels/train/model.ts'
import { shardOrder } from '../../src/compute/kernels/train/shuffle.ts'
import { KernelInputError, type ChunkWork } from '../../src/compute/kernel.ts'
import { LoopBudgetError } from '../../src/compute/errors.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'
import { randomNormal4 } from '../../src/compute/random/philox.ts'
import { InputError } from '../../src/errors.ts'
import { planProject } from '../../src/node/publish/project-builder.ts'
import { trainSpec, type TrainPublishRequest } from '../../src/node/publish/train-spec.ts'
import { accuracy, meanGradient, meanLoss, trainCentralised, type Model } from '../support/centralised-train.ts'
import { examplesOf, simulateFedAvg } from '../support/fedavg-simulation.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'
import { blobRows, irisRequest, writeCsv, type CsvRow } from '../support/train-data.ts'

let device: ComputeDevice
let dir: TempDir

before(async () => {
  device = await selectComputeDevice()
  dir = await makeTempDir('mesh-train-')
})
after(async () => {
  await device.destroy()
  await dir.remove()
})

const rounds = { count: 3, quorum: 1, aggregate: 'weighted-mean' }

function paramsOf (fields: Partial<Record<keyof TrainParams, unknown>>): TrainParams {
  const classes = (fields.classes as number | undefined) ?? 3
  return trainKernel.parseParams({
    model: 'softmax',
    features: 5,
    classes,
    localEpochs: 1,
    batch: 8,
    lr: 0.1,
    seed: '7',
    labels: Array.from({ length: classes }, (_, c) => `class ${c}`),
    hasTest: false,
    rounds,
    ...fields
  })
}

/** n rows of F normal features (class c shifted along feature c mod F), then the class. */
function labelledRows (n: number, features: number, classes: number, seed: number): Float32Array {
  const data = new Float32Array(n * (features + 1))
  for (let r = 0; r < n; r++) {
    const y = (r * 7 + seed) % classes
    for (let j = 0; j < features; j++) data[r * (features + 1) + j] = randomNormal4(seed, r, j)[0] + (j % classes === y ? 1.5 : 0)
    data[r * (features + 1) + features] = y
  }
  return data
}

/** A state: small seeded weights (zeros would leave a first MLP step's hidden gradients all zero). */
function stateOf (params: TrainParams, seed = 3): { data: Float32Array, rows: number, cols: number } {
  const shape = stateShape(params)
  const data = Float32Array.from({ length: shape.rows * shape.cols }, (_, i) => 0.4 * randomNormal4(seed, i, 99)[1])
  return { data, ...shape }
}

function chunkOf (params: TrainParams, rows: Float32Array, rowStart: number, rowEnd: number, state: { data: Float32Array, rows: number, cols: number }, round?: number): ChunkWork<TrainParams> {
  const cols = params.features + 1
  return {
    kernel: 'train',
    params,
    range: { index: 0, rowStart, rowEnd },
    rows: rows.subarray(rowStart * cols, rowEnd * cols),
    rowCols: cols,
    shared: { state },
    ...(round != null ? { round } : {})
  }
}

/** The flat weights a chunk's row carries (each state row's weighted values over its weight). */
function weightsOfRow (params: TrainParams, row: Float32Array): Float64Array {
  const { rows, cols } = stateShape(params)
  const weights = new Float64Array(rows * cols)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) weights[r * cols + c] = row[r * (cols + 1) + c]! / row[r * (cols + 1) + cols]!
  return weights
}

/** The flat state as the baseline's model, through the kernel's export (softmax: the matrix; mlp: the JSON). */
function modelOf (params: TrainParams, state: Float32Array): Model {
  const exported = trainKernel.exportState!(params, state, stateShape(params))
  if (exported.kind === 'json') return { kind: 'mlp', ...(exported.value as { W1: number[][], b1: number[], W2: number[][], b2: number[] }) }
  const rows = Array.from({ length: exported.rows }, (_, r) => Array.from(exported.data.subarray(r * exported.cols, (r + 1) * exported.cols)))
  return { kind: 'softmax', W: rows.slice(0, -1), b: rows.at(-1)! }
}

describe('the train kernel on the WebGPU device', () => {
  it('is a built-in kernel, and the device is a WebGPU adapter (CI installs Mesa)', () => {
    assert.equal(getKernel('train'), trainKernel)
    assert.notEqual(device.info.backend, 'cpu', `fell back to the CPU: ${device.info.fallbackReasons.join('; ')}`)
  })

  const cases: Array<[string, number, number, number, number, number]> = [
    // [name, rows, batch, epochs, round, first row]
    ['one row', 1, 4, 1, 0, 0],
    ['37 rows, batch 8 not dividing them, round 3', 37, 8, 2, 3, 5],
    ['300 rows, batch 16, round 7', 300, 16, 2, 7, 40],
    ['1000 rows, batch 48, 3 epochs, round 11', 1000, 48, 3, 11, 1000],
    ['a batch larger than the shard', 50, 64, 2, 1, 0]
  ]
  for (const model of ['softmax', 'mlp'] as const) {
    for (const [name, n, batch, localEpochs, round, rowStart] of cases) {
      it(`${model}: ${name}: the GPU chunk agrees with the CPU reference`, async () => {
        const params = paramsOf({ model, features: 7, classes: 3, ...(model === 'mlp' ? { hidden: 10 } : {}), batch, localEpochs })
        const rows = labelledRows(rowStart + n, 7, 3, 11)
        const work = chunkOf(params, rows, rowStart, rowStart + n, stateOf(params), round)
        const gpu = await device.run(work)
        const cpu = trainKernel.cpuReference(work)
        assert.equal(gpu.length, trainKernel.outputCols(params, []))
        const result = trainKernel.compare(params, [], cpu, gpu)
        assert.ok(result.ok, `max rel error ${result.maxRelError} at ${result.firstMismatch}`)
        // Measured on llvmpipe: ~1e-7; the default tolerance allows 1e-4.
        assert.ok(result.maxRelError <= 1e-5, `max rel error ${result.maxRelError}`)
        assert.equal(gpu.at(-1), n, 'the example count')
        assert.ok(gpu.at(-2)! > 0, 'the loss sum')
      })
    }
  }

  it('a shard of 4,000 rows (16 features, 4 classes, batch 32, 2 epochs) runs within llvmpipe\'s loop budget, both models', async () => {
    for (const model of ['softmax', 'mlp'] as const) {
      const params = paramsOf({ model, features: 16, classes: 4, ...(model === 'mlp' ? { hidden: 32 } : {}), batch: 32, localEpochs: 2 })
      const work = chunkOf(params, labelledRows(4000, 16, 4, 14), 0, 4000, stateOf(params), 1)
      // This thread's device has no fallback: a cut loop would throw LoopBudgetError here.
      const result = trainKernel.compare(params, [], trainKernel.cpuReference(work), await device.run(work))
      assert.ok(result.ok, `${model}: max rel error ${result.maxRelError}`)
    }
  })

  it('the tolerance refuses a chunk trained with another shuffle, learning rate or number of epochs', async () => {
    for (const model of ['softmax', 'mlp'] as const) {
      const params = paramsOf({ model, features: 7, classes: 3, ...(model === 'mlp' ? { hidden: 10 } : {}), batch: 16, localEpochs: 2 })
      const rows = labelledRows(400, 7, 3, 12)
      const state = stateOf(params)
      const gpu = await device.run(chunkOf(params, rows, 0, 400, state, 2))
      const wrong = [
        trainKernel.cpuReference(chunkOf(params, rows, 0, 400, state, 3)),
        trainKernel.cpuReference(chunkOf({ ...params, lr: params.lr * 1.01 }, rows, 0, 400, state, 2)),
        trainKernel.cpuReference(chunkOf({ ...params, localEpochs: 1 }, rows, 0, 400, state, 2)),
        trainKernel.cpuReference(chunkOf({ ...params, seed: '8' }, rows, 0, 400, state, 2))
      ]
      for (const expected of wrong) assert.equal(trainKernel.compare(params, [], expected, gpu).ok, false, model)
      const fewer = trainKernel.cpuReference(chunkOf(params, rows, 0, 399, state, 2))
      assert.equal(trainKernel.compare(params, [], fewer, gpu).ok, false, 'another example count')
    }
  })

  it('a chunk past llvmpipe\'s loop budget is refused there, and right on the device that reruns it on an uncapped adapter', async () => {
    // Batches of 1: 1000 rows x 16 epochs is 16,000 minibatches of at least 5 loop iterations each, past 65,535.
    const params = paramsOf({ features: 4, classes: 3, batch: 1, localEpochs: 16, lr: 0.01 })
    const work = chunkOf(params, labelledRows(1000, 4, 3, 13), 0, 1000, stateOf(params))
    if (device.info.loopBudget != null) await assert.rejects(device.run(work), LoopBudgetError)
    const fallback = await openComputeDevice()
    try {
      const result = trainKernel.compare(params, [], trainKernel.cpuReference(work), await fallback.run(work))
      assert.ok(result.ok, `max rel error ${result.maxRelError}`)
    } finally {
      await fallback.destroy()
    }
  })
})

describe('the train kernel\'s CPU reference', () => {
  for (const model of ['softmax', 'mlp'] as const) {
    it(`${model}: one full-batch step moves the weights by lr times the finite-difference gradient of the mean cross-entropy`, () => {
      const lr = 0.1
      const n = 20
      const params = paramsOf({ model, features: 5, classes: 3, ...(model === 'mlp' ? { hidden: 6 } : {}), batch: n, localEpochs: 1, lr })
      const rows = labelledRows(n, 5, 3, 21)
      const state = stateOf(params, 5)
      const after = weightsOfRow(params, trainKernel.cpuReference(chunkOf(params, rows, 0, n, state)))
      const set = examplesOf({ rows: n, cols: 6, data: rows })
      const eps = 1e-4
      const gradient = Array.from(state.data, (w, p) => (w - after[p]!) / lr)
      const numeric = Array.from(state.data, (_, p) => {
        const at = (delta: number): number => {
          const moved = Float32Array.from(state.data)
          moved[p] = state.data[p]! + delta
          return meanLoss(modelOf(params, moved), set)
        }
        // Float32Array rounds the moved weight: divide by the step actually taken.
        const step = Math.fround(state.data[p]! + eps) - Math.fround(state.data[p]! - eps)
        return (at(eps) - at(-eps)) / step
      })
      const scale = Math.max(...numeric.map(Math.abs))
      numeric.forEach((g, p) => assert.ok(Math.abs(gradient[p]! - g) <= 1e-3 * scale, `weight ${p}: step says ${gradient[p]}, finite differences ${g}`))
      // The baseline's own gradient, which the FedAvg comparisons lean on, passes the same check.
      const analytic = meanGradient(modelOf(params, state.data), set.x as number[][], set.y)
      const flat = model === 'softmax'
        ? [...(analytic as any).W.flat(), ...(analytic as any).b]
        : [...(analytic as any).W1.flat(), ...(analytic as any).b1, ...(analytic as any).W2.flat(), ...(analytic as any).b2]
      numeric.forEach((g, p) => assert.ok(Math.abs(flat[p]! - g) <= 1e-3 * scale, `baseline weight ${p}: ${flat[p]} vs ${g}`))
    })
  }

  it('the training loss extra is the mean cross-entropy of the last epoch, as the researcher reports it', () => {
    const params = paramsOf({ batch: 1000, localEpochs: 1, lr: 1e-30 })
    const rows = labelledRows(100, 5, 3, 22)
    const state = stateOf(params)
    const row = trainKernel.cpuReference(chunkOf(params, rows, 0, 100, state))
    const expected = meanLoss(modelOf(params, state.data), examplesOf({ rows: 100, cols: 6, data: rows }))
    const figures = trainKernel.roundFigures!(params, { round: 0, previous: state.data, state: state.data, extras: Float64Array.of(row.at(-2)!, row.at(-1)!), researcherInputs: {} })
    assert.ok(Math.abs(figures.loss! - expected) < 1e-5, `${figures.loss} vs ${expected}`)
    assert.equal(figures.accuracy, undefined)
  })

  it('shuffles each epoch of each chunk and round with its own permutation of the shard', () => {
    const orders = [shardOrder('7', 0, 0, 50, 2), shardOrder('7', 1, 0, 50, 1), shardOrder('7', 0, 50, 50, 1), shardOrder('8', 0, 0, 50, 1)]
    for (const order of orders) {
      for (let e = 0; e < order.length / 50; e++) assert.deepEqual([...order.subarray(e * 50, (e + 1) * 50)].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i))
    }
    const epochs = [orders[0]!.subarray(0, 50), orders[0]!.subarray(50), orders[1]!, orders[2]!, orders[3]!].map(o => o.join(','))
    assert.equal(new Set(epochs).size, epochs.length)
    assert.deepEqual(shardOrder('7', 0, 0, 50, 2), orders[0])
  })
})

/** Writes rows (a header, then cells) as a CSV file in the test's directory. */
async function csvFile (name: string, header: readonly string[], rows: readonly CsvRow[]): Promise<string> {
  return await writeCsv(dir.path, name, header, rows)
}

function inputOf (spec: { inputs: ReadonlyArray<{ name: string, matrix: Matrix }> }, name: string): Matrix {
  const input = spec.inputs.find(i => i.name === name)
  assert.ok(input != null, `the spec has no input ${name}`)
  return input.matrix
}

async function compareWithCentralised (request: TrainPublishRequest, rowsPerChunk: number): Promise<{ federated: number, centralised: number, losses: number[] }> {
  const spec = await trainSpec(request, {})
  const params = trainKernel.parseParams(spec.params)
  const run = await simulateFedAvg(device, spec, rowsPerChunk)
  const test = examplesOf(inputOf(spec, 'test'))
  const federated = run.figures.at(-1)!.accuracy!
  assert.ok(Math.abs(accuracy(modelOf(params, run.state), test) - federated) < 1e-12, 'the accuracy figure is the final model\'s')
  const baseline = trainCentralised(modelOf(params, inputOf(spec, 'state').data), examplesOf(inputOf(spec, 'data')), {
    epochs: request.rounds * request.localEpochs,
    batch: request.batch,
    lr: request.lr,
    seed: 3
  })
  return { federated, centralised: accuracy(baseline, test), losses: run.figures.map(f => f.loss!) }
}

describe('federated averaging against centralised training', () => {
  it('iris, softmax: test accuracy within 2 points of centralised SGD, both above 0.85', async () => {
    const request = await irisRequest(dir.path)
    const { federated, centralised, losses } = await compareWithCentralised(request, 25)
    console.log(`iris softmax: FedAvg ${federated}, centralised ${centralised}; training loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}`)
    assert.ok(federated > 0.85 && centralised > 0.85, `FedAvg ${federated}, centralised ${centralised}`)
    assert.ok(Math.abs(federated - centralised) <= 0.02 + 1e-9, `FedAvg ${federated}, centralised ${centralised}`)
    assert.ok(losses.at(-1)! < losses[0]! / 2, `training loss ${losses.join(', ')}`)
  })

  const header = [...Array.from({ length: 12 }, (_, j) => `f${j}`), 'label']
  for (const [model, mirrored] of [['softmax', false], ['mlp', true]] as const) {
    it(`4,000 synthetic points in 12 dimensions, 4 classes${mirrored ? ' of two mirrored blobs each' : ''}, ${model}: within 2 points of centralised SGD, both above 0.85`, async () => {
      const points = blobRows(4000, 12, 4, mirrored ? 1.5 : 0.8, mirrored)
      const name = mirrored ? 'mirrored' : 'blobs'
      const request: TrainPublishRequest = {
        kernel: 'train',
        dataPath: await csvFile(`${name}-train.csv`, header, points.slice(0, 3000)),
        testPath: await csvFile(`${name}-test.csv`, header, points.slice(3000)),
        labelCol: 'label',
        model,
        ...(model === 'mlp' ? { hidden: 16 } : {}),
        rounds: 5,
        localEpochs: 2,
        batch: 32,
        lr: 0.1,
        seed: 7
      }
      const { federated, centralised, losses } = await compareWithCentralised(request, 750)
      console.log(`${name} ${model}: FedAvg ${federated}, centralised ${centralised}; training loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}`)
      assert.ok(federated > 0.85 && centralised > 0.85, `FedAvg ${federated}, centralised ${centralised}`)
      assert.ok(Math.abs(federated - centralised) <= 0.02 + 1e-9, `FedAvg ${federated}, centralised ${centralised}`)
      if (mirrored) {
        // No linear boundary separates mirrored blobs: the hidden layer is what learns them.
        const linear = await compareWithCentralised({ ...request, model: 'softmax', hidden: undefined }, 750)
        assert.ok(linear.federated < 0.6, `softmax reached ${linear.federated} on mirrored blobs`)
      }
    })
  }
})

describe('publishing a train project (trainSpec)', () => {
  const header = ['a', 'b', 'kind']
  const goodRows = [[1, 2, 'x'], [3, 4, 'y'], [5, 6, 'x'], [7, 8, 'z']]
  const request = async (overrides: Partial<TrainPublishRequest> = {}): Promise<TrainPublishRequest> => ({
    kernel: 'train',
    dataPath: await csvFile('good.csv', header, goodRows),
    labelCol: 'kind',
    model: 'softmax',
    rounds: 2,
    localEpochs: 1,
    batch: 2,
    lr: 0.1,
    ...overrides
  })

  it('maps labels to classes in order of first appearance and makes data, state and test inputs a plan accepts', async () => {
    const test = await csvFile('good-test.csv', ['kind', 'b', 'a'], [['z', 20, 10], ['x', 40, 30]])
    const spec = await trainSpec(await request({ testPath: test, rowsPerChunk: 2 }), { rowsPerChunk: 2 })
    const params = trainKernel.parseParams(spec.params)
    assert.deepEqual(params.labels, ['x', 'y', 'z'])
    assert.equal(params.hasTest, true)
    assert.deepEqual(params.rounds, { count: 2, quorum: 1, aggregate: 'weighted-mean' })
    const data = inputOf(spec, 'data')
    assert.deepEqual({ rows: data.rows, cols: data.cols }, { rows: 4, cols: 3 })
    // The rows are shuffled once by the seed; every row keeps its features with its label.
    const byFirst = new Map(Array.from({ length: 4 }, (_, r) => [data.data[r * 3]!, [...data.data.subarray(r * 3, r * 3 + 3)]]))
    assert.deepEqual([...byFirst.keys()].sort((p, q) => p - q), [1, 3, 5, 7])
    assert.deepEqual(byFirst.get(7), [7, 8, 2])
    assert.deepEqual(byFirst.get(3), [3, 4, 1])
    // The test set's columns are taken by name: a, b, then the class.
    assert.deepEqual([...inputOf(spec, 'test').data], [10, 20, 2, 30, 40, 0])
    assert.deepEqual([...inputOf(spec, 'state').data], new Array(3 * 3).fill(0))
    const plan = planProject(spec)
    assert.equal(plan.outputCols, 3 * 4 + 2)
    assert.equal(plan.chunkCount, 2)
  })

  it('integer labels: "1" and "1.0" are one class; the mlp starts from small seeded weights', async () => {
    const data = await csvFile('numeric.csv', ['a', 'label'], [[0.5, 1], [0.25, 0], [1, '1.0'], [2, 2]])
    const spec = await trainSpec(await request({ dataPath: data, labelCol: 'label', model: 'mlp', hidden: 4, seed: 9 }), {})
    const params = trainKernel.parseParams(spec.params)
    assert.deepEqual(params.labels, ['1', '0', '2'])
    const state = inputOf(spec, 'state')
    assert.deepEqual({ rows: state.rows, cols: state.cols }, { rows: 1, cols: 1 * 4 + 4 + 4 * 3 + 3 })
    const w1 = [...state.data.subarray(0, 4)]
    assert.ok(w1.every(w => w !== 0 && Math.abs(w) <= Math.sqrt(6)), `W1 ${w1}`)
    assert.deepEqual([...state.data.subarray(4, 8)], [0, 0, 0, 0], 'b1')
    assert.deepEqual(inputOf(await trainSpec(await request({ dataPath: data, labelCol: 'label', model: 'mlp', hidden: 4, seed: 9 }), {}), 'state').data, state.data)
    assert.notDeepEqual(inputOf(await trainSpec(await request({ dataPath: data, labelCol: 'label', model: 'mlp', hidden: 4, seed: 10 }), {}), 'state').data, state.data)
    planProject(spec)
  })

  const refusals: Array<[string, () => Promise<Partial<TrainPublishRequest>>, RegExp]> = [
    ['rounds 0', async () => ({ rounds: 0 }), /--rounds must be a positive integer/],
    ['rounds 1.5', async () => ({ rounds: 1.5 }), /--rounds must be a positive integer/],
    ['a label column that does not exist', async () => ({ labelCol: 'species' }), /no label column "species" \(the columns are a, b, kind\)/],
    ['a label column with one class', async () => ({ dataPath: await csvFile('one-class.csv', header, [[1, 2, 'x'], [3, 4, 'x']]) }), /only one class \("x"\)/],
    ['a feature that is not a number', async () => ({ dataPath: await csvFile('nan.csv', header, [[1, 2, 'x'], [3, 'four', 'y']]) }), /row 2 \(line 3\), column b: expected a number, got "four"/],
    ['an empty feature', async () => ({ dataPath: await csvFile('empty.csv', header, [[1, '', 'x'], [3, 4, 'y']]) }), /row 1 \(line 2\), column b: expected a number/],
    ['lr 0', async () => ({ lr: 0 }), /--lr must be a positive number/],
    ['lr -1', async () => ({ lr: -1 }), /--lr must be a positive number/],
    ['lr NaN', async () => ({ lr: NaN }), /--lr must be a positive number/],
    ['batch 0', async () => ({ batch: 0 }), /--batch must be a positive integer/],
    ['local epochs 0', async () => ({ localEpochs: 0 }), /--local-epochs must be a positive integer/],
    ['hidden 0', async () => ({ model: 'mlp', hidden: 0 }), /--hidden must be a positive integer/],
    ['hidden with softmax', async () => ({ hidden: 8 }), /--hidden applies to --model mlp only/],
    ['an unknown model', async () => ({ model: 'svm' as any }), /unknown model 'svm' \(expected softmax or mlp\)/],
    ['a test set with other columns', async () => ({ testPath: await csvFile('other.csv', ['a', 'c', 'kind'], [[1, 2, 'x']]) }), /other\.csv: its columns \(a, c, kind\) differ from the training set's \(a, b, kind\): missing b; extra c/],
    ['a test label the training set lacks', async () => ({ testPath: await csvFile('new-label.csv', header, [[1, 2, 'x'], [1, 2, 'w']]) }), /row 2 \(line 3\): label "w" is not among the training set's classes \(x, y, z\)/],
    ['a missing file', async () => ({ dataPath: join(dir.path, 'absent.csv') }), /absent\.csv: no such file/]
  ]
  for (const [what, overrides, message] of refusals) {
    it(`refuses ${what} with a one-line input error`, async () => {
      await assert.rejects(trainSpec(await request(await overrides()), {}), (err: unknown) => {
        assert.ok(err instanceof InputError, String(err))
        assert.match(err.message, message)
        assert.doesNotMatch(err.message, /\n/)
        return true
      })
    })
  }
})

describe('train params, inputs and export', () => {
  it('refuses bad params naming the field', () => {
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ model: 'svm' }, /model must be one of softmax, mlp/],
      [{ model: 'mlp' }, /hidden units must be an integer/],
      [{ hidden: 4 }, /hidden units apply to the mlp model only/],
      [{ classes: 1, labels: ['a'] }, /classes must be an integer from 2/],
      [{ labels: ['a', 'a', 'b'] }, /given twice/],
      [{ labels: ['a', 'b'] }, /labels must be a list of the 3 class names/],
      [{ lr: 0 }, /learning rate must be a positive number/],
      [{ batch: 0 }, /batch size must be an integer/],
      [{ localEpochs: 1.5 }, /local epochs must be an integer/],
      [{ rounds: { count: 3, quorum: 1, aggregate: 'mean' } }, /weighted-mean/],
      [{ seed: '-1' }, /seed must be an integer/],
      [{ model: 'mlp', features: 4000, hidden: 4096 }, /more than the 4194304/],
      [{ extra: 1 }, /unknown params extra/]
    ]
    for (const [fields, message] of refusals) {
      assert.throws(() => paramsOf(fields as any), (err: unknown) => err instanceof KernelInputError && message.test(err.message), JSON.stringify(fields))
    }
  })

  it('checks input shapes against the model and the test set', () => {
    const params = paramsOf({ features: 4, classes: 3, hasTest: true })
    const good = [{ name: 'data', rows: 100, cols: 5 }, { name: 'state', rows: 5, cols: 3 }, { name: 'test', rows: 10, cols: 5 }]
    trainKernel.validateInputs(params, good)
    assert.deepEqual(trainKernel.sharedInputs(params), ['state'])
    assert.deepEqual(trainKernel.researcherInputs!(params), ['test'])
    assert.deepEqual(trainKernel.researcherInputs!({ ...params, hasTest: false }), [])
    const bad: Array<[typeof good, RegExp]> = [
      [[good[0]!, { name: 'state', rows: 4, cols: 3 }, good[2]!], /input state is 4x3; it must be 5x3/],
      [[{ name: 'data', rows: 100, cols: 4 }, good[1]!, good[2]!], /input data is 100x4; it must be 5 columns/],
      [[good[0]!, good[1]!], /the input test is missing/],
      [[...good, { name: 'b', rows: 1, cols: 1 }], /inputs b are not/]
    ]
    for (const [inputs, message] of bad) assert.throws(() => trainKernel.validateInputs(params, inputs), message)
  })

  it('counts FLOPs per example, epoch and minibatch', () => {
    const params = paramsOf({ features: 4, classes: 3, localEpochs: 2, batch: 10 })
    const flops = (rows: number, p = params): number => trainKernel.flops(p, [], { index: 0, rowStart: 0, rowEnd: rows })
    assert.ok(flops(100) > 2 * 100 * 2 * (4 * 3), 'at least the forward and backward multiply-adds')
    assert.ok(Math.abs(flops(200) / flops(100) - 2) < 0.01)
    assert.ok(Math.abs(flops(100, { ...params, localEpochs: 4 }) / flops(100) - 2) < 0.01)
    assert.ok(flops(100, paramsOf({ model: 'mlp', hidden: 16, features: 4, classes: 3, localEpochs: 2, batch: 10 })) > flops(100))
  })

  it('exports softmax weights as an (F+1) x C matrix with the labels beside it', () => {
    const params = paramsOf({ features: 4, classes: 3, labels: ['setosa', 'versicolor', 'virginica'] })
    const state = Float32Array.from({ length: 15 }, (_, i) => i)
    const exported = trainKernel.exportState!(params, state, { rows: 5, cols: 3 })
    assert.equal(exported.kind, 'matrix')
    if (exported.kind !== 'matrix') return
    assert.deepEqual({ rows: exported.rows, cols: exported.cols }, { rows: 5, cols: 3 })
    assert.deepEqual([...exported.data], [...state])
    assert.deepEqual(exported.sidecar, { suffix: 'labels.json', value: { labels: ['setosa', 'versicolor', 'virginica'] } })
  })

  it('exports an MLP as JSON matrices W1 (F x H), b1, W2 (H x C), b2 and the labels', () => {
    const params = paramsOf({ model: 'mlp', features: 2, hidden: 3, classes: 2, labels: ['no', 'yes'] })
    const state = Float32Array.from({ length: 2 * 3 + 3 + 3 * 2 + 2 }, (_, i) => i)
    const exported = trainKernel.exportState!(params, state, { rows: 1, cols: state.length })
    assert.deepEqual(exported, {
      kind: 'json',
      value: { W1: [[0, 1, 2], [3, 4, 5]], b1: [6, 7, 8], W2: [[9, 10], [11, 12], [13, 14]], b2: [15, 16], labels: ['no', 'yes'] }
    })
  })

  it('reports test accuracy and loss of the new state on the researcher\'s test set', () => {
    const params = paramsOf({ features: 1, classes: 2, labels: ['neg', 'pos'], hasTest: true })
    // logits = [0, x]: class 1 when x > 0.
    const state = Float32Array.of(0, 1, 0, 0)
    const test = { rows: 4, cols: 2, data: Float32Array.of(2, 1, -1, 0, 3, 0, 0.5, 1) }
    const figures = trainKernel.roundFigures!(params, { round: 0, previous: state, state, extras: Float64Array.of(8, 4), researcherInputs: { test } })
    assert.equal(figures.loss, 2)
    assert.equal(figures.accuracy, 0.75)
    const ce = (z: number, y: number): number => Math.log(1 + Math.exp(z)) - (y === 1 ? z : 0)
    assert.ok(Math.abs(figures.testLoss! - (ce(2, 1) + ce(-1, 0) + ce(3, 0) + ce(0.5, 1)) / 4) < 1e-12)
  })
})
