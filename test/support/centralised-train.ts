/**
 * The centralised baseline FedAvg is judged against: plain minibatch SGD on
 * the whole training set on one machine, in f64, written from scratch
 * (nothing from src/compute/kernels/train) so that it checks the kernel
 * rather than repeating it. Models are plain nested arrays, as the train
 * kernel's JSON export writes an MLP:
 *
 *   softmax: logits = x W + b                     (W: F x C)
 *   mlp:     logits = relu(x W1 + b1) W2 + b2     (W1: F x H, W2: H x C)
 */

export interface SoftmaxModel {
  readonly kind: 'softmax'
  W: number[][]
  b: number[]
}

export interface MlpModel {
  readonly kind: 'mlp'
  W1: number[][]
  b1: number[]
  W2: number[][]
  b2: number[]
}

export type Model = SoftmaxModel | MlpModel

export interface LabelledExamples {
  /** Feature vectors. */
  readonly x: readonly number[][]
  /** Class indices. */
  readonly y: readonly number[]
}

export interface CentralisedOptions {
  readonly epochs: number
  readonly batch: number
  readonly lr: number
  /** Seeds the per-epoch shuffles. */
  readonly seed: number
}

/** Trains a copy of `initial` with minibatch SGD on the mean cross-entropy; returns the trained model. */
export function trainCentralised (initial: Model, set: LabelledExamples, options: CentralisedOptions): Model {
  const model = structuredClone(initial)
  const random = lcg(options.seed)
  const order = set.x.map((_, i) => i)
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    for (let start = 0; start < order.length; start += options.batch) {
      const batch = order.slice(start, start + options.batch)
      const gradient = meanGradient(model, batch.map(i => set.x[i]!), batch.map(i => set.y[i]!))
      step(model, gradient, options.lr)
    }
  }
  return model
}

/** Logits of one example; with the MLP also its hidden activations. */
export function logitsOf (model: Model, x: readonly number[]): { logits: number[], hidden?: number[] } {
  if (model.kind === 'softmax') return { logits: affine(x, model.W, model.b) }
  const hidden = affine(x, model.W1, model.b1).map(a => Math.max(a, 0))
  return { logits: affine(hidden, model.W2, model.b2), hidden }
}

/** Mean cross-entropy over a set. */
export function meanLoss (model: Model, set: LabelledExamples): number {
  let total = 0
  set.x.forEach((x, i) => {
    const { logits } = logitsOf(model, x)
    const top = Math.max(...logits)
    total += Math.log(logits.reduce((sum, z) => sum + Math.exp(z - top), 0)) + top - logits[set.y[i]!]!
  })
  return total / set.x.length
}

/** Share of examples whose largest logit is their class. */
export function accuracy (model: Model, set: LabelledExamples): number {
  let correct = 0
  set.x.forEach((x, i) => {
    const { logits } = logitsOf(model, x)
    if (logits.indexOf(Math.max(...logits)) === set.y[i]) correct++
  })
  return correct / set.x.length
}

/** The gradient of the mean cross-entropy over the examples, as a model of the same shape. */
export function meanGradient (model: Model, xs: readonly number[][], ys: readonly number[]): Model {
  const gradient = zerosLike(model)
  xs.forEach((x, i) => {
    const { logits, hidden } = logitsOf(model, x)
    const top = Math.max(...logits)
    const exps = logits.map(z => Math.exp(z - top))
    const sum = exps.reduce((a, b) => a + b, 0)
    // d(loss)/d(logit c) = softmax_c - [c == y], averaged over the batch.
    const dLogits = exps.map((e, c) => (e / sum - (c === ys[i] ? 1 : 0)) / xs.length)
    if (model.kind === 'softmax' && gradient.kind === 'softmax') {
      addOuter(gradient.W, x, dLogits)
      dLogits.forEach((d, c) => { gradient.b[c]! += d })
      return
    }
    if (model.kind === 'mlp' && gradient.kind === 'mlp') {
      addOuter(gradient.W2, hidden!, dLogits)
      dLogits.forEach((d, c) => { gradient.b2[c]! += d })
      const dHidden = hidden!.map((h, u) => h > 0 ? model.W2[u]!.reduce((acc, w, c) => acc + w * dLogits[c]!, 0) : 0)
      addOuter(gradient.W1, x, dHidden)
      dHidden.forEach((d, u) => { gradient.b1[u]! += d })
    }
  })
  return gradient
}

/** model -= lr * gradient, in place. */
function step (model: Model, gradient: Model, lr: number): void {
  const grads = matricesOf(gradient)
  matricesOf(model).forEach((values, k) => {
    values.forEach((row, r) => row.forEach((_, c) => { row[c]! -= lr * grads[k]![r]![c]! }))
  })
}

/** Every weight of a model, as rows (a bias is one row), in a fixed order. */
export function matricesOf (model: Model): number[][][] {
  return model.kind === 'softmax' ? [model.W, [model.b]] : [model.W1, [model.b1], model.W2, [model.b2]]
}

function zerosLike (model: Model): Model {
  const zeros = (rows: number[][]): number[][] => rows.map(row => row.map(() => 0))
  return model.kind === 'softmax'
    ? { kind: 'softmax', W: zeros(model.W), b: model.b.map(() => 0) }
    : { kind: 'mlp', W1: zeros(model.W1), b1: model.b1.map(() => 0), W2: zeros(model.W2), b2: model.b2.map(() => 0) }
}

function affine (x: readonly number[], W: readonly number[][], b: readonly number[]): number[] {
  return b.map((bias, c) => x.reduce((acc, xi, j) => acc + xi * W[j]![c]!, bias))
}

function addOuter (into: number[][], left: readonly number[], right: readonly number[]): void {
  left.forEach((l, r) => right.forEach((v, c) => { into[r]![c]! += l * v }))
}

/** A seeded linear congruential generator (the Numerical Recipes constants): enough to shuffle. */
function lcg (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 4294967296
  }
}
