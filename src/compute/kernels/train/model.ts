import type { Matrix } from '../../data/matrix.ts'
import type { TrainParams } from './params.ts'

/**
 * The model's weights as one flat vector, which is also the round's state
 * (row-major, so the state matrix IS the vector):
 *
 * - softmax: state (F+1) x C; row j < F is feature j's weights W[j][c],
 *   row F the bias b[c]. logits = x W + b.
 * - mlp: state 1 x P, P = F*H + H + H*C + C, holding W1 (F x H, row-major),
 *   b1 (H), W2 (H x C, row-major), b2 (C) in that order.
 *   hidden = relu(x W1 + b1), logits = hidden W2 + b2.
 *
 * A dataset row is the F features, then the label's class index.
 */
export type ModelShape = Pick<TrainParams, 'model' | 'features' | 'classes' | 'hidden'>

/** Where each part of the MLP's weights starts in the flat vector, and its length. */
export interface MlpLayout {
  readonly w1: number
  readonly b1: number
  readonly w2: number
  readonly b2: number
  readonly size: number
}

export function mlpLayout (features: number, hidden: number, classes: number): MlpLayout {
  const b1 = features * hidden
  const w2 = b1 + hidden
  const b2 = w2 + hidden * classes
  return { w1: 0, b1, w2, b2, size: b2 + classes }
}

/** Weights of the model (the state's values). */
export function modelSize (shape: ModelShape): number {
  return shape.model === 'mlp' ? mlpLayout(shape.features, shape.hidden!, shape.classes).size : (shape.features + 1) * shape.classes
}

/** The state matrix's shape. */
export function stateShape (shape: ModelShape): { rows: number, cols: number } {
  return shape.model === 'mlp' ? { rows: 1, cols: modelSize(shape) } : { rows: shape.features + 1, cols: shape.classes }
}

/**
 * The class a label cell names, as the GPU program reads it (WGSL's u32() of
 * a float truncates and saturates): trainSpec writes only valid indices, and
 * anything else is clamped rather than read out of bounds.
 */
export function labelIndex (value: number, classes: number): number {
  if (!(value > 0)) return 0
  return Math.min(Math.trunc(value), classes - 1)
}

/** The logits of one example (f64), written into `logits`. */
export function forward (shape: ModelShape, weights: Float32Array, x: Float32Array, xOffset: number, logits: Float64Array, hidden?: Float64Array): void {
  const { features: F, classes: C } = shape
  if (shape.model === 'softmax') {
    for (let c = 0; c < C; c++) {
      let z = weights[F * C + c]!
      for (let j = 0; j < F; j++) z += x[xOffset + j]! * weights[j * C + c]!
      logits[c] = z
    }
    return
  }
  const H = shape.hidden!
  const at = mlpLayout(F, H, C)
  const h = hidden ?? new Float64Array(H)
  for (let u = 0; u < H; u++) {
    let a = weights[at.b1 + u]!
    for (let j = 0; j < F; j++) a += x[xOffset + j]! * weights[at.w1 + j * H + u]!
    h[u] = a > 0 ? a : 0
  }
  for (let c = 0; c < C; c++) {
    let z = weights[at.b2 + c]!
    for (let u = 0; u < H; u++) z += h[u]! * weights[at.w2 + u * C + c]!
    logits[c] = z
  }
}

/** Accuracy (first largest logit wins) and mean cross-entropy of `weights` on a labelled set (rows of F features, then the class index). */
export function evaluate (shape: ModelShape, weights: Float32Array, set: Matrix): { accuracy: number, loss: number } {
  const { features: F, classes: C } = shape
  if (set.cols !== F + 1) throw new RangeError(`a labelled set of ${set.cols} columns is not ${F} features and a label`)
  const logits = new Float64Array(C)
  const hidden = new Float64Array(shape.hidden ?? 0)
  let correct = 0
  let loss = 0
  for (let r = 0; r < set.rows; r++) {
    const offset = r * set.cols
    forward(shape, weights, set.data, offset, logits, hidden)
    const y = labelIndex(set.data[offset + F]!, C)
    let best = 0
    for (let c = 1; c < C; c++) if (logits[c]! > logits[best]!) best = c
    if (best === y) correct++
    let sum = 0
    for (let c = 0; c < C; c++) sum += Math.exp(logits[c]! - logits[best]!)
    loss += Math.log(sum) + logits[best]! - logits[y]!
  }
  return set.rows === 0 ? { accuracy: 0, loss: 0 } : { accuracy: correct / set.rows, loss: loss / set.rows }
}

/** Rows of `cols` values of a flat vector, as nested arrays (a model's JSON export). */
export function nestedRows (values: Float32Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(values.subarray(r * cols, (r + 1) * cols)))
}
