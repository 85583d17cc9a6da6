import { basename } from 'node:path'
import { InputError } from '../../errors.ts'
import { DataFileError } from '../../compute/data/errors.ts'
import { csvRecords, RowAccumulator } from '../../compute/data/dataset.ts'
import { MAX_INPUT_BYTES, sizeText } from '../../compute/data/limits.ts'
import type { Matrix } from '../../compute/data/matrix.ts'
import { MAX_ROUNDS } from '../../compute/rounds.ts'
import { philox4x32_10, splitSeed, uniformFromU32 } from '../../compute/random/philox.ts'
import { mlpLayout, stateShape } from '../../compute/kernels/train/model.ts'
import { MAX_CLASSES, MAX_LABEL_LENGTH, TRAIN_MODELS, type TrainModel } from '../../compute/kernels/train/params.ts'
import { shardOrder } from '../../compute/kernels/train/shuffle.ts'
import type { ProjectSpec } from './project-builder.ts'
import { TARGET_CHUNK_COUNT } from './project-builder.ts'

/** `mesh publish --kernel train ...` as a researcher states it. */
export interface TrainPublishRequest {
  readonly kernel: 'train'
  /** CSV with a header row: feature columns and the label column. */
  readonly dataPath: string
  readonly labelCol: string
  readonly model: TrainModel
  /** Hidden units of the mlp (default DEFAULT_HIDDEN). */
  readonly hidden?: number
  readonly rounds: number
  readonly untilChange?: number
  readonly quorum?: number
  readonly localEpochs: number
  readonly batch: number
  readonly lr: number
  /** A held-out CSV with the training set's columns: test accuracy per round. */
  readonly testPath?: string
  readonly seed?: number
  readonly name?: string
  readonly description?: string
  readonly rowsPerChunk?: number
  readonly redundancy?: number
  readonly spotCheck?: number
}

export const DEFAULT_TRAIN_SEED = 1
export const DEFAULT_HIDDEN = 32

/**
 * Philox counters [i, ROW_SHUFFLE_ROUND, ...] and [i, INIT_ROUND, ...] are
 * never a round's (rounds stop at MAX_ROUNDS), so the rows' shuffle and the
 * initial weights draw streams no chunk's shuffle draws.
 */
const RESERVED_ROUND = 0xFFFFFFFF

/**
 * Reads the training CSV (and the test CSV), maps labels to class indices in
 * order of first appearance in the training set, and makes the project:
 * inputs `data` (the training rows, features then class index, shuffled
 * once by the seed so every shard sees every class, as FedAvg over one
 * researcher's dataset should), `state` (the initial weights: zeros for
 * softmax; for the mlp He-uniform W1, Glorot-uniform W2, zero biases) and,
 * with a test set, `test` (never leased). Throws an InputError naming the
 * problem.
 */
/** The smallest shard `train` makes without --rows-per-chunk. */
export const MIN_DEFAULT_SHARD_ROWS = 50

export async function trainSpec (request: TrainPublishRequest, common: Partial<ProjectSpec>): Promise<ProjectSpec> {
  const model = request.model as string
  if (!(TRAIN_MODELS as readonly string[]).includes(model)) throw new InputError(`unknown model '${model}' (expected ${TRAIN_MODELS.join(' or ')})`)
  positiveInteger(request.rounds, '--rounds', MAX_ROUNDS)
  positiveInteger(request.localEpochs, '--local-epochs')
  positiveInteger(request.batch, '--batch')
  if (typeof request.lr !== 'number' || !Number.isFinite(request.lr) || !(request.lr > 0)) throw new InputError(`--lr must be a positive number (got ${request.lr})`)
  if (model === 'softmax' && request.hidden != null) throw new InputError('--hidden applies to --model mlp only')
  const hidden = model === 'mlp' ? request.hidden ?? DEFAULT_HIDDEN : undefined
  if (hidden != null) positiveInteger(hidden, '--hidden')
  const seed = request.seed ?? DEFAULT_TRAIN_SEED
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError(`--seed must be a non-negative integer (got ${seed})`)

  const classes = new Map<string, number>()
  const train = await readLabelledCsv(request.dataPath, request.labelCol, undefined, (label, where) => {
    let index = classes.get(label)
    if (index == null) {
      if (classes.size >= MAX_CLASSES) throw new DataFileError(request.dataPath, `${where}: more than ${MAX_CLASSES} classes in column ${request.labelCol}; is it the label column?`)
      index = classes.size
      classes.set(label, index)
    }
    return index
  })
  const labels = [...classes.keys()]
  if (labels.length < 2) {
    throw new InputError(`${request.dataPath}: the label column ${request.labelCol} has only one class (${JSON.stringify(labels[0])}); a classifier needs at least two`)
  }
  const test = request.testPath == null
    ? undefined
    : await readLabelledCsv(request.testPath, request.labelCol, train.columns, (label, where) => {
      const index = classes.get(label)
      if (index == null) throw new DataFileError(request.testPath!, `${where}: label ${JSON.stringify(label)} is not among the training set's classes (${labels.join(', ')})`)
      return index
    })

  const features = train.featureNames.length
  const shape = { model: model as TrainModel, features, classes: labels.length, ...(hidden != null ? { hidden } : {}) }
  return {
    // A shard of a few rows trains a model on noise: by default, shards of at least MIN_DEFAULT_SHARD_ROWS rows.
    rowsPerChunk: Math.max(Math.ceil(train.matrix.rows / TARGET_CHUNK_COUNT), Math.min(train.matrix.rows, MIN_DEFAULT_SHARD_ROWS)),
    ...common,
    kernel: 'train',
    name: request.name ?? `train ${model} ${basename(request.dataPath)}`,
    ...(request.description != null ? { description: request.description } : {}),
    params: {
      ...shape,
      localEpochs: request.localEpochs,
      batch: request.batch,
      lr: request.lr,
      seed: String(seed),
      labels,
      hasTest: test != null,
      rounds: {
        count: request.rounds,
        ...(request.untilChange != null ? { untilChange: request.untilChange } : {}),
        quorum: request.quorum ?? 1,
        aggregate: 'weighted-mean'
      }
    },
    inputs: [
      { name: 'data', matrix: shuffledRows(train.matrix, seed) },
      { name: 'state', matrix: initialState(shape, seed) },
      ...(test != null ? [{ name: 'test', matrix: test.matrix }] : [])
    ]
  }
}

function positiveInteger (value: number, flag: string, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InputError(`${flag} must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` of at most ${max}` : ''} (got ${value})`)
  }
}

/** A labelled CSV: the features in the training set's column order, then the class index. */
interface LabelledSet {
  /** The header as the file has it. */
  readonly columns: readonly string[]
  readonly featureNames: readonly string[]
  readonly matrix: Matrix
}

/**
 * Reads a CSV with a header row. `like`: the training set's header, whose
 * columns this file must have (in any order; features are taken in the
 * training set's order). `classify` maps a label text (numbers written
 * canonically, so "1" and "1.0" are one class) to its class index.
 */
async function readLabelledCsv (path: string, labelCol: string, like: readonly string[] | undefined, classify: (label: string, where: string) => number): Promise<LabelledSet> {
  let header: string[] | undefined
  let featureNames: string[] = []
  /** Where each output column (features, then the label) sits in the file's rows. */
  let positions: number[] = []
  const values = new RowAccumulator()
  let rows = 0
  for await (const { record, line } of csvRecords(path)) {
    if (header == null) {
      header = record
      ;({ featureNames, positions } = layoutOf(path, header, labelCol, like))
      continue
    }
    const where = `row ${rows + 1} (line ${line})`
    if (record.length !== header.length) throw new DataFileError(path, `${where}: has ${record.length} cells, expected ${header.length} like the header`)
    if ((values.length + positions.length) * 4 > MAX_INPUT_BYTES) throw new DataFileError(path, `${where}: more than ${sizeText(MAX_INPUT_BYTES)} of float32 values, the most an input may have`)
    for (let i = 0; i < featureNames.length; i++) {
      const cell = record[positions[i]!]!
      const value = Number(cell)
      if (cell === '' || !Number.isFinite(value) || !Number.isFinite(Math.fround(value))) {
        throw new DataFileError(path, `${where}, column ${featureNames[i]}: expected a number, got ${JSON.stringify(cell)}`)
      }
      values.push(value)
    }
    values.push(classify(labelText(path, where, labelCol, record[positions[featureNames.length]!]!), where))
    rows++
  }
  if (header == null) throw new DataFileError(path, 'empty file, expected a header row and data rows')
  if (rows === 0) throw new DataFileError(path, 'no data rows after the header')
  return { columns: header, featureNames, matrix: { rows, cols: featureNames.length + 1, data: values.finish() } }
}

function layoutOf (path: string, header: readonly string[], labelCol: string, like: readonly string[] | undefined): { featureNames: string[], positions: number[] } {
  const names = header.join(', ')
  if (new Set(header).size !== header.length) throw new DataFileError(path, `the header names a column twice (${names})`)
  if (like != null) {
    const missing = like.filter(name => !header.includes(name))
    const extra = header.filter(name => !like.includes(name))
    if (missing.length > 0 || extra.length > 0) {
      throw new DataFileError(path, `its columns (${names}) differ from the training set's (${like.join(', ')})${missing.length > 0 ? `: missing ${missing.join(', ')}` : ''}${extra.length > 0 ? `${missing.length > 0 ? ';' : ':'} extra ${extra.join(', ')}` : ''}`)
    }
  }
  if (!header.includes(labelCol)) throw new DataFileError(path, `no label column ${JSON.stringify(labelCol)} (the columns are ${names})`)
  const featureNames = (like ?? header).filter(name => name !== labelCol)
  if (featureNames.length === 0) throw new DataFileError(path, `no feature columns besides the label column ${labelCol}`)
  return { featureNames, positions: [...featureNames, labelCol].map(name => header.indexOf(name)) }
}

function labelText (path: string, where: string, labelCol: string, cell: string): string {
  if (cell === '') throw new DataFileError(path, `${where}: the label (column ${labelCol}) is empty`)
  if (cell.length > MAX_LABEL_LENGTH) throw new DataFileError(path, `${where}: the label (column ${labelCol}) is over ${MAX_LABEL_LENGTH} characters`)
  const number = Number(cell)
  return Number.isFinite(number) ? String(number) : cell
}

/** The rows in the order of a seeded shuffle (shuffle.ts's, on a round no chunk has). */
function shuffledRows (matrix: Matrix, seed: number): Matrix {
  const order = shardOrder(String(seed), RESERVED_ROUND, 0, matrix.rows, 1)
  const data = new Float32Array(matrix.data.length)
  for (let r = 0; r < matrix.rows; r++) data.set(matrix.data.subarray(order[r]! * matrix.cols, (order[r]! + 1) * matrix.cols), r * matrix.cols)
  return { ...matrix, data }
}

/**
 * Round 0's weights. Softmax: zeros (its loss is convex; zeros predict
 * uniformly). MLP: W1 uniform in ±sqrt(6 / F) (He, for the ReLU), W2 in
 * ±sqrt(6 / (H + C)) (Glorot), biases zero; value i is made from word
 * i % 4 of philox4x32_10([floor(i / 4), RESERVED_ROUND, RESERVED_ROUND, 0], seed).
 */
function initialState (shape: { model: TrainModel, features: number, classes: number, hidden?: number }, seed: number): Matrix {
  const { rows, cols } = stateShape(shape)
  const data = new Float32Array(rows * cols)
  if (shape.model === 'mlp') {
    const { features: F, classes: C } = shape
    const H = shape.hidden!
    const at = mlpLayout(F, H, C)
    const key = splitSeed(seed)
    let block = -1
    let words: number[] = []
    const uniform = (i: number): number => {
      if (Math.floor(i / 4) !== block) {
        block = Math.floor(i / 4)
        words = philox4x32_10([block, RESERVED_ROUND, RESERVED_ROUND, 0], key)
      }
      return uniformFromU32(words[i % 4]!) * 2 - 1
    }
    const w1 = Math.sqrt(6 / F)
    const w2 = Math.sqrt(6 / (H + C))
    for (let i = at.w1; i < at.b1; i++) data[i] = uniform(i) * w1
    for (let i = at.w2; i < at.b2; i++) data[i] = uniform(i) * w2
  }
  return { rows, cols, data }
}
