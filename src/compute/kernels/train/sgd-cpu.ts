import { KernelInputError, type ChunkWork } from '../../kernel.ts'
import { STATE_INPUT } from '../../rounds.ts'
import { labelIndex, mlpLayout, modelSize, stateShape } from './model.ts'
import type { TrainParams } from './params.ts'
import { shardOrder } from './shuffle.ts'

const f32 = Math.fround

/** The extra columns after the weighted weights: the last local epoch's summed cross-entropy and its example count. */
export const TRAIN_EXTRA_COLS = 2

/**
 * The CPU reference of one chunk: `localEpochs` epochs of minibatch SGD on
 * the shard from the round's state, then the round row. It follows the GPU
 * program (program.ts) operation by operation, in f32 and in the same order
 * (sums over features, hidden units, classes and batch examples ascending),
 * so the two differ only by the devices' exp/log and fused multiply-adds.
 *
 * Per minibatch of nb examples (the epoch's order, B at a time, the last
 * one smaller): forward pass; delta = (softmax(logits) - onehot(y)) / nb,
 * the gradient of the batch's mean cross-entropy at the logits; backprop;
 * w -= lr * gradient.
 */
export function trainChunkCpu (work: ChunkWork<TrainParams>): Float32Array {
  const params = work.params
  const { features: F, classes: C } = params
  const n = work.range.rowEnd - work.range.rowStart
  const state = work.shared[STATE_INPUT]
  checkChunk(params, work, n)
  const weights = Float32Array.from(state!.data)
  const order = shardOrder(params.seed, work.round ?? 0, work.range.rowStart, n, params.localEpochs)
  const hidden = params.hidden ?? 0
  // Per example of a batch: logits (then deltas), and for the MLP its hidden activations and their deltas.
  const stride = C + 2 * hidden
  const scratch = new Float32Array(Math.min(params.batch, n) * stride)
  const lr = f32(params.lr)
  let lossSum = 0
  for (let epoch = 0; epoch < params.localEpochs; epoch++) {
    for (let start = 0; start < n; start += params.batch) {
      const batch = order.subarray(epoch * n + start, epoch * n + Math.min(n, start + params.batch))
      const step = params.model === 'mlp' ? mlpStep : softmaxStep
      const loss = step(params, work.rows, batch, weights, scratch, stride, lr)
      if (epoch === params.localEpochs - 1) lossSum += loss
    }
  }
  return roundRow(params, weights, n, lossSum)
}

/**
 * The chunk's row for the weighted-mean aggregator: every state row's n *
 * weights, then n; then the extras (loss sum, n).
 */
export function roundRow (params: TrainParams, weights: Float32Array, n: number, lossSum: number): Float32Array {
  const { rows, cols } = stateShape(params)
  const row = new Float32Array(rows * (cols + 1) + TRAIN_EXTRA_COLS)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) row[r * (cols + 1) + c] = f32(n * weights[r * cols + c]!)
    row[r * (cols + 1) + cols] = n
  }
  row[rows * (cols + 1)] = lossSum
  row[rows * (cols + 1) + 1] = n
  return row
}

function checkChunk (params: TrainParams, work: ChunkWork<TrainParams>, n: number): void {
  if (work.rowCols !== params.features + 1 || work.rows.length !== n * work.rowCols) {
    throw new KernelInputError(`train: a chunk of ${n} rows has ${work.rows.length} values in rows of ${work.rowCols}; expected rows of ${params.features} features and a label`)
  }
  const state = work.shared[STATE_INPUT]
  const shape = stateShape(params)
  if (state == null || state.rows !== shape.rows || state.cols !== shape.cols || state.data.length !== modelSize(params)) {
    throw new KernelInputError(`train: the state must be ${shape.rows}x${shape.cols} (got ${state == null ? 'none' : `${state.rows}x${state.cols}`})`)
  }
}

type Step = (params: TrainParams, rows: Float32Array, batch: Uint32Array, w: Float32Array, scratch: Float32Array, stride: number, lr: number) => number

/** One minibatch step of softmax regression; returns the batch's summed cross-entropy (before the step). */
const softmaxStep: Step = (params, rows, batch, w, scratch, stride, lr) => {
  const { features: F, classes: C } = params
  const row = F + 1
  const nb = batch.length
  for (let b = 0; b < nb; b++) {
    const x = batch[b]! * row
    for (let c = 0; c < C; c++) {
      let z = w[F * C + c]!
      for (let j = 0; j < F; j++) z = f32(z + f32(rows[x + j]! * w[j * C + c]!))
      scratch[b * stride + c] = z
    }
  }
  const loss = softmaxDeltas(rows, batch, row, F, C, scratch, stride)
  for (let p = 0; p < (F + 1) * C; p++) {
    const j = Math.floor(p / C)
    const c = p % C
    let g = 0
    for (let k = 0; k < nb; k++) {
      const delta = scratch[k * stride + c]!
      g = j === F ? f32(g + delta) : f32(g + f32(rows[batch[k]! * row + j]! * delta))
    }
    w[p] = f32(w[p]! - f32(lr * g))
  }
  return loss
}

/** One minibatch step of the MLP (one ReLU hidden layer); returns the batch's summed cross-entropy (before the step). */
const mlpStep: Step = (params, rows, batch, w, scratch, stride, lr) => {
  const { features: F, classes: C } = params
  const H = params.hidden!
  const at = mlpLayout(F, H, C)
  const row = F + 1
  const nb = batch.length
  // Hidden activations of each example, at scratch[b * stride + C + u].
  for (let b = 0; b < nb; b++) {
    const x = batch[b]! * row
    for (let u = 0; u < H; u++) {
      let a = w[at.b1 + u]!
      for (let j = 0; j < F; j++) a = f32(a + f32(rows[x + j]! * w[at.w1 + j * H + u]!))
      scratch[b * stride + C + u] = a > 0 ? a : 0
    }
  }
  for (let b = 0; b < nb; b++) {
    const s = b * stride
    for (let c = 0; c < C; c++) {
      let z = w[at.b2 + c]!
      for (let u = 0; u < H; u++) z = f32(z + f32(scratch[s + C + u]! * w[at.w2 + u * C + c]!))
      scratch[s + c] = z
    }
  }
  const loss = softmaxDeltas(rows, batch, row, F, C, scratch, stride)
  // Hidden deltas, at scratch[b * stride + C + H + u]: W2 times the logit deltas where the unit was active.
  for (let b = 0; b < nb; b++) {
    const s = b * stride
    for (let u = 0; u < H; u++) {
      let d = 0
      if (scratch[s + C + u]! > 0) for (let c = 0; c < C; c++) d = f32(d + f32(scratch[s + c]! * w[at.w2 + u * C + c]!))
      scratch[s + C + H + u] = d
    }
  }
  for (let p = 0; p < at.size; p++) {
    let g = 0
    if (p < at.b1) {
      const j = Math.floor(p / H)
      const u = p % H
      for (let k = 0; k < nb; k++) g = f32(g + f32(rows[batch[k]! * row + j]! * scratch[k * stride + C + H + u]!))
    } else if (p < at.w2) {
      const u = p - at.b1
      for (let k = 0; k < nb; k++) g = f32(g + scratch[k * stride + C + H + u]!)
    } else if (p < at.b2) {
      const u = Math.floor((p - at.w2) / C)
      const c = (p - at.w2) % C
      for (let k = 0; k < nb; k++) g = f32(g + f32(scratch[k * stride + C + u]! * scratch[k * stride + c]!))
    } else {
      const c = p - at.b2
      for (let k = 0; k < nb; k++) g = f32(g + scratch[k * stride + c]!)
    }
    w[p] = f32(w[p]! - f32(lr * g))
  }
  return loss
}

/**
 * Turns each example's logits (scratch[b * stride + c]) into the gradient of
 * the batch's mean cross-entropy at them, (softmax - onehot(y)) / nb, in
 * place; returns the summed cross-entropy log(sum exp(z - max)) - (z_y - max).
 */
function softmaxDeltas (rows: Float32Array, batch: Uint32Array, row: number, F: number, C: number, scratch: Float32Array, stride: number): number {
  const nb = f32(batch.length)
  let loss = 0
  for (let b = 0; b < batch.length; b++) {
    const s = b * stride
    const y = labelIndex(rows[batch[b]! * row + F]!, C)
    let max = scratch[s]!
    for (let c = 1; c < C; c++) max = Math.max(max, scratch[s + c]!)
    const zy = f32(scratch[s + y]! - max)
    let sum = 0
    for (let c = 0; c < C; c++) {
      const e = f32(Math.exp(f32(scratch[s + c]! - max)))
      scratch[s + c] = e
      sum = f32(sum + e)
    }
    for (let c = 0; c < C; c++) scratch[s + c] = f32(f32(f32(scratch[s + c]! / sum) - (c === y ? 1 : 0)) / nb)
    loss += f32(f32(Math.log(sum)) - zy)
  }
  return loss
}
