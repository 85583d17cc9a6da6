import { KernelInputError } from '../../kernel.ts'
import { parseRoundsParams, type RoundsParams } from '../../rounds.ts'
import type { Tolerance } from '../../verify.ts'
import { MAX_ROW_COLS, parseTolerance } from '../map/params.ts'
import { parseSeed } from '../wgsl/params.ts'

export type TrainModel = 'softmax' | 'mlp'
export const TRAIN_MODELS: readonly TrainModel[] = ['softmax', 'mlp']

/**
 * The train kernel's params: a classifier of `features` inputs and `classes`
 * outputs (softmax regression, or an MLP with one ReLU hidden layer of
 * `hidden` units), trained by federated averaging: every round each chunk
 * runs `localEpochs` epochs of minibatch SGD on its shard from the round's
 * weights.
 */
export interface TrainParams {
  readonly model: TrainModel
  readonly features: number
  readonly classes: number
  /** Hidden units of the MLP; absent for softmax. */
  readonly hidden?: number
  readonly localEpochs: number
  readonly batch: number
  readonly lr: number
  /** The Philox key of the shuffles: a u64 as a decimal string, so JSON keeps every bit. */
  readonly seed: string
  /** Class names, index i = class i (in order of first appearance in the training set). */
  readonly labels: readonly string[]
  /** The researcher holds a `test` input and reports accuracy on it each round. */
  readonly hasTest: boolean
  readonly rounds: RoundsParams
  readonly tolerance: Tolerance
}

/** The dataset holds the features and the label: at most the row width any kernel reads. */
export const MAX_FEATURES = MAX_ROW_COLS - 1
export const MAX_CLASSES = 1024
export const MAX_HIDDEN = 4096
export const MAX_LOCAL_EPOCHS = 10_000
/** A batch larger than a shard trains on the whole shard at once (the scratch holds min(batch, shard) examples). */
export const MAX_BATCH = 1 << 20
/** Weights of one model: the state travels to every volunteer each round. */
export const MAX_MODEL_PARAMS = 1 << 22
export const MAX_LABEL_LENGTH = 200

/**
 * How far two devices' results of one chunk may differ, relative to the
 * chunk's largest weight (normwise) plus an absolute part per example. SGD
 * feeds each step's rounding into the next, so GPU and CPU (different exp,
 * fused multiply-adds) drift apart by more than one dot product's rounding.
 * Measured against the CPU reference: llvmpipe up to 4e-7 of the largest
 * weight (softmax and MLP, shards of up to 5,000 rows, up to 5 epochs),
 * SwiftShader 4e-6 after 80,000 steps; a chunk trained with the learning
 * rate 1% off differs by 9e-4 to 1e-1, with another round's shuffle or one
 * epoch fewer by 5e-2 to 8e-1. 1e-4 sits between. A project whose SGD is
 * chaotic (an MLP at lr 1 on batches of 4) amplifies any rounding difference
 * (3e-1 measured): its redundant results disagree, whatever the tolerance.
 */
export const defaultTrainTolerance: Tolerance = { rel: 1e-4, abs: 1e-6 }

const FLOAT32_MAX = 3.4028234663852886e38

export function parseTrainParams (value: unknown): TrainParams {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KernelInputError('train params must be an object { model, features, classes, hidden?, localEpochs, batch, lr, seed, labels, hasTest, rounds, tolerance? }')
  }
  const { model, features, classes, hidden, localEpochs, batch, lr, seed, labels, hasTest, rounds, tolerance, ...rest } = value as Record<string, unknown>
  const extra = Object.keys(rest)
  if (extra.length > 0) throw new KernelInputError(`train: unknown params ${extra.join(', ')}`)
  if (typeof model !== 'string' || !(TRAIN_MODELS as readonly string[]).includes(model)) {
    throw new KernelInputError(`train: model must be one of ${TRAIN_MODELS.join(', ')} (got ${String(model)})`)
  }
  const f = integerIn(features, 'features', 1, MAX_FEATURES)
  const c = integerIn(classes, 'classes', 2, MAX_CLASSES)
  let h: number | undefined
  if (model === 'mlp') h = integerIn(hidden, 'hidden units', 1, MAX_HIDDEN)
  else if (hidden != null) throw new KernelInputError('train: hidden units apply to the mlp model only')
  const weights = model === 'mlp' ? f * h! + h! + h! * c + c : (f + 1) * c
  if (weights > MAX_MODEL_PARAMS) throw new KernelInputError(`train: the model has ${weights} weights, more than the ${MAX_MODEL_PARAMS} a round's state may carry`)
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0 || lr > FLOAT32_MAX || Math.fround(lr) === 0) {
    throw new KernelInputError(`train: the learning rate must be a positive number (got ${String(lr)})`)
  }
  if (typeof hasTest !== 'boolean') throw new KernelInputError('train: hasTest must be true or false')
  const parsedRounds = parseRoundsParams(rounds)
  if (parsedRounds.aggregate !== 'weighted-mean') {
    throw new KernelInputError(`train: rounds must aggregate by weighted-mean (federated averaging), not ${parsedRounds.aggregate}`)
  }
  return {
    model,
    features: f,
    classes: c,
    ...(h != null ? { hidden: h } : {}),
    localEpochs: integerIn(localEpochs, 'local epochs', 1, MAX_LOCAL_EPOCHS),
    batch: integerIn(batch, 'batch size', 1, MAX_BATCH),
    lr,
    seed: parseSeed(seed),
    labels: parseLabels(labels, c),
    hasTest,
    rounds: parsedRounds,
    tolerance: tolerance == null ? defaultTrainTolerance : parseTolerance(tolerance, 'train')
  } as TrainParams
}

function integerIn (value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new KernelInputError(`train: ${what} must be an integer from ${min} to ${max} (got ${String(value)})`)
  }
  return value
}

function parseLabels (value: unknown, classes: number): string[] {
  if (!Array.isArray(value) || value.length !== classes) {
    throw new KernelInputError(`train: labels must be a list of the ${classes} class names`)
  }
  const seen = new Set<string>()
  for (const label of value) {
    if (typeof label !== 'string' || label === '' || label.length > MAX_LABEL_LENGTH) {
      throw new KernelInputError(`train: every label must be a name of 1 to ${MAX_LABEL_LENGTH} characters (got ${JSON.stringify(label)})`)
    }
    if (seen.has(label)) throw new KernelInputError(`train: label ${JSON.stringify(label)} is given twice`)
    seen.add(label)
  }
  return value as string[]
}
