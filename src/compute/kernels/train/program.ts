import { KernelInputError, type ChunkWork } from '../../kernel.ts'
import type { GpuCapabilities, GpuDispatch, GpuProgramSource } from '../../gpu-program.ts'
import { STATE_INPUT } from '../../rounds.ts'
import { mlpLayout, modelSize, stateShape, type ModelShape } from './model.ts'
import type { TrainParams } from './params.ts'
import { TRAIN_EXTRA_COLS } from './sgd-cpu.ts'
import { shardOrder } from './shuffle.ts'

/**
 * Invocations of the one workgroup, at most the device's (a power of two:
 * the loss sum halves it). As many as allowed: llvmpipe's loop budget is per
 * invocation, so the more share out each phase, the fewer iterations each
 * runs (measured: a 5,000-row shard of a 64-128-10 MLP, batch 32, fits at
 * 1024 invocations and is cut at 256), and a GPU keeps a whole SM busy.
 */
export const TRAIN_MAX_WORKGROUP_SIZE = 1024
/** Statements per iteration of a loop over a size known when compiling (features, hidden units, classes). */
const STATIC_UNROLL = 8
/** Statements per iteration of a loop over the batch's examples (the last batch is smaller). */
const BATCH_UNROLL = 8

export function trainWorkgroupSize (capabilities: GpuCapabilities): number {
  const most = Math.min(TRAIN_MAX_WORKGROUP_SIZE, capabilities.limits.maxComputeInvocationsPerWorkgroup)
  return 2 ** Math.floor(Math.log2(Math.max(1, most)))
}

/** Values per example in the scratch area: logits (then their deltas), and for the MLP hidden activations and their deltas. */
function exampleStride (shape: ModelShape): number {
  return shape.classes + 2 * (shape.hidden ?? 0)
}

/** The chunk's row: the weighted-mean aggregator's part, then the extras. */
export function trainOutputCols (shape: ModelShape): number {
  const { rows, cols } = stateShape(shape)
  return rows * (cols + 1) + TRAIN_EXTRA_COLS
}

/**
 * One dispatch of ONE workgroup trains the whole shard: every local epoch,
 * every minibatch, phase after phase with a storageBarrier between them;
 * within a phase the invocations share out its independent pieces (an
 * example's logit, a weight's gradient). Each invocation's loops are short
 * (unrolled by STATIC_UNROLL or BATCH_UNROLL) so a shard of a few thousand
 * rows stays well within llvmpipe's ~65,535 loop iterations an invocation.
 *
 * Bindings: 0 uniforms { rows, epochs, batch, lr }, 1 the shard's rows,
 * 2 the epochs' orders (shuffle.ts, as f32 indices), 3 the round's state,
 * 4 the output: the chunk's row [0, OUT_COLS), then the working weights
 * [W0, W0 + P), then per batch example its scratch [Z0 + b * EX, ...).
 * Sums run in the order sgd-cpu.ts uses.
 */
export function trainProgram (shape: ModelShape, workgroupSize: number): GpuProgramSource {
  const { features: F, classes: C } = shape
  const { rows: SR, cols: SC } = stateShape(shape)
  const P = modelSize(shape)
  const constants = [
    `const F: u32 = ${F}u;`,
    `const C: u32 = ${C}u;`,
    `const H: u32 = ${shape.hidden ?? 0}u;`,
    `const ROW: u32 = ${F + 1}u;`,
    `const P: u32 = ${P}u;`,
    `const SR: u32 = ${SR}u;`,
    `const SC: u32 = ${SC}u;`,
    `const AGG: u32 = ${SR * (SC + 1)}u;`,
    `const W0: u32 = ${trainOutputCols(shape)}u;`,
    `const Z0: u32 = ${trainOutputCols(shape) + P}u;`,
    `const EX: u32 = ${exampleStride(shape)}u;`,
    `const WG: u32 = ${workgroupSize}u;`,
    ...(shape.model === 'mlp'
      ? (({ b1, w2, b2 }) => [`const OB1: u32 = ${b1}u;`, `const OW2: u32 = ${w2}u;`, `const OB2: u32 = ${b2}u;`])(mlpLayout(F, shape.hidden!, C))
      : [])
  ]
  const code = [
    ...constants,
    'struct Params { rows: u32, epochs: u32, batch: u32, lr: f32 }',
    '@group(0) @binding(0) var<uniform> params: Params;',
    '@group(0) @binding(1) var<storage, read> shard: array<f32>;',
    '@group(0) @binding(2) var<storage, read> order: array<f32>;',
    '@group(0) @binding(3) var<storage, read> state: array<f32>;',
    '@group(0) @binding(4) var<storage, read_write> out: array<f32>;',
    'var<workgroup> loss_part: array<f32, WG>;',
    '',
    '/// The class of the example whose row starts at xb (WGSL u32() truncates and saturates; clamped as model.ts labelIndex).',
    'fn label_of(xb: u32) -> u32 { return min(u32(shard[xb + F]), C - 1u); }',
    '',
    '/// Logits at out[zb..zb+C) become (softmax - onehot(y)) / nb; returns the cross-entropy.',
    'fn softmax_delta(zb: u32, y: u32, nb: f32) -> f32 {',
    '  var m = out[zb];',
    ...repeatStatic(C - 1, 'c', k => `m = max(m, out[zb + 1u + ${k}]);`).map(indent(1)),
    '  let zy = out[zb + y] - m;',
    '  var s = 0.0;',
    ...repeatStatic(C, 'c', k => `{ let e = exp(out[zb + ${k}] - m); out[zb + ${k}] = e; s += e; }`).map(indent(1)),
    ...repeatStatic(C, 'c', k => `out[zb + ${k}] = (out[zb + ${k}] / s - select(0.0, 1.0, ${k} == y)) / nb;`).map(indent(1)),
    '  return log(s) - zy;',
    '}',
    '',
    '@compute @workgroup_size(WG)',
    'fn main(@builtin(local_invocation_index) lid: u32) {',
    '  for (var p = lid; p < P; p += WG) { out[W0 + p] = state[p]; }',
    '  storageBarrier();',
    '  let n = params.rows;',
    '  var loss = 0.0;',
    '  for (var e = 0u; e < params.epochs; e++) {',
    '    for (var start = 0u; start < n; start += params.batch) {',
    '      let nb = min(params.batch, n - start);',
    '      let ob = e * n + start;',
    ...(shape.model === 'mlp' ? mlpPhases(shape) : softmaxPhases(shape)).map(indent(3)),
    '    }',
    '  }',
    '  let nf = f32(n);',
    '  for (var p = lid; p < P; p += WG) { out[(p / SC) * (SC + 1u) + p % SC] = nf * out[W0 + p]; }',
    '  for (var r = lid; r < SR; r += WG) { out[r * (SC + 1u) + SC] = nf; }',
    '  loss_part[lid] = loss;',
    '  workgroupBarrier();',
    '  for (var half = WG / 2u; half > 0u; half = half / 2u) {',
    '    if (lid < half) { loss_part[lid] += loss_part[lid + half]; }',
    '    workgroupBarrier();',
    '  }',
    '  if (lid == 0u) { out[AGG] = loss_part[0]; out[AGG + 1u] = nf; }',
    '}'
  ]
  return {
    key: `train/${shape.model}/${F}/${C}/${shape.hidden ?? 0}/wg${workgroupSize}`,
    code: code.join('\n') + '\n',
    entryPoint: 'main',
    output: { variable: 'out', element: 'f32' }
  }
}

/** The softmax example's delta phase, shared by both models; its loss counts in the last epoch only. */
const deltaPhase = [
  'for (var b = lid; b < nb; b += WG) {',
  '  let l = softmax_delta(Z0 + b * EX, label_of(u32(order[ob + b]) * ROW), f32(nb));',
  '  if (e + 1u == params.epochs) { loss += l; }',
  '}',
  'storageBarrier();'
]

function softmaxPhases ({ features: F }: ModelShape): string[] {
  return [
    '// Logits of the batch: one (example, class) pair a turn.',
    'for (var t = lid; t < nb * C; t += WG) {',
    '  let b = t / C;',
    '  let c = t % C;',
    '  let xb = u32(order[ob + b]) * ROW;',
    '  var z = out[W0 + F * C + c];',
    ...repeatStatic(F, 'j', k => `z += shard[xb + ${k}] * out[W0 + ${k} * C + c];`).map(indent(1)),
    '  out[Z0 + b * EX + c] = z;',
    '}',
    'storageBarrier();',
    ...deltaPhase,
    '// Each weight\'s gradient over the batch, then its step.',
    'for (var p = lid; p < P; p += WG) {',
    '  let j = p / C;',
    '  let c = p % C;',
    '  var g = 0.0;',
    '  if (j == F) {',
    ...repeatOverBatch(k => `g += out[Z0 + ${k} * EX + c];`).map(indent(2)),
    '  } else {',
    ...repeatOverBatch(k => `g += shard[u32(order[ob + ${k}]) * ROW + j] * out[Z0 + ${k} * EX + c];`).map(indent(2)),
    '  }',
    '  out[W0 + p] -= params.lr * g;',
    '}',
    'storageBarrier();'
  ]
}

function mlpPhases ({ features: F, classes: C, hidden }: ModelShape): string[] {
  const H = hidden!
  return [
    '// Hidden activations: one (example, unit) pair a turn.',
    'for (var t = lid; t < nb * H; t += WG) {',
    '  let b = t / H;',
    '  let u = t % H;',
    '  let xb = u32(order[ob + b]) * ROW;',
    '  var a = out[W0 + OB1 + u];',
    ...repeatStatic(F, 'j', k => `a += shard[xb + ${k}] * out[W0 + ${k} * H + u];`).map(indent(1)),
    '  out[Z0 + b * EX + C + u] = max(a, 0.0);',
    '}',
    'storageBarrier();',
    '// Logits: one (example, class) pair a turn.',
    'for (var t = lid; t < nb * C; t += WG) {',
    '  let zb = Z0 + (t / C) * EX;',
    '  let c = t % C;',
    '  var z = out[W0 + OB2 + c];',
    ...repeatStatic(H, 'u', k => `z += out[zb + C + ${k}] * out[W0 + OW2 + ${k} * C + c];`).map(indent(1)),
    '  out[zb + c] = z;',
    '}',
    'storageBarrier();',
    ...deltaPhase,
    '// Hidden deltas (W2 before this step\'s update) where the unit was active.',
    'for (var t = lid; t < nb * H; t += WG) {',
    '  let zb = Z0 + (t / H) * EX;',
    '  let u = t % H;',
    '  var d = 0.0;',
    '  if (out[zb + C + u] > 0.0) {',
    ...repeatStatic(C, 'c', k => `d += out[zb + ${k}] * out[W0 + OW2 + u * C + ${k}];`).map(indent(2)),
    '  }',
    '  out[zb + C + H + u] = d;',
    '}',
    'storageBarrier();',
    '// Each weight\'s gradient over the batch (W1, b1, W2, b2), then its step.',
    'for (var p = lid; p < P; p += WG) {',
    '  var g = 0.0;',
    '  if (p < OB1) {',
    '    let j = p / H;',
    '    let u = p % H;',
    ...repeatOverBatch(k => `g += shard[u32(order[ob + ${k}]) * ROW + j] * out[Z0 + ${k} * EX + C + H + u];`).map(indent(2)),
    '  } else if (p < OW2) {',
    '    let u = p - OB1;',
    ...repeatOverBatch(k => `g += out[Z0 + ${k} * EX + C + H + u];`).map(indent(2)),
    '  } else if (p < OB2) {',
    '    let u = (p - OW2) / C;',
    '    let c = (p - OW2) % C;',
    ...repeatOverBatch(k => `g += out[Z0 + ${k} * EX + C + u] * out[Z0 + ${k} * EX + c];`).map(indent(2)),
    '  } else {',
    '    let c = p - OB2;',
    ...repeatOverBatch(k => `g += out[Z0 + ${k} * EX + c];`).map(indent(2)),
    '  }',
    '  out[W0 + p] -= params.lr * g;',
    '}',
    'storageBarrier();'
  ]
}

/**
 * `count` statements body(k) for k = 0..count-1 in order, count known when
 * compiling: a loop doing STATIC_UNROLL of them an iteration, then the rest
 * written out. Each index is parenthesised for the body to use as it is.
 */
function repeatStatic (count: number, name: string, body: (k: string) => string): string[] {
  const looped = count - count % STATIC_UNROLL
  const lines: string[] = []
  if (looped > 0) {
    lines.push(`for (var ${name} = 0u; ${name} < ${looped}u; ${name} += ${STATIC_UNROLL}u) {`)
    for (let i = 0; i < STATIC_UNROLL; i++) lines.push(`  ${body(i === 0 ? name : `(${name} + ${i}u)`)}`)
    lines.push('}')
  }
  for (let k = looped; k < count; k++) lines.push(body(`${k}u`))
  return lines
}

/** body(k) for the batch's examples k = 0..nb-1 in order: BATCH_UNROLL an iteration, then the last few one by one. */
function repeatOverBatch (body: (k: string) => string): string[] {
  return [
    '{',
    `  let whole = nb - nb % ${BATCH_UNROLL}u;`,
    `  for (var k = 0u; k < whole; k += ${BATCH_UNROLL}u) {`,
    ...Array.from({ length: BATCH_UNROLL }, (_, i) => `    ${body(i === 0 ? 'k' : `(k + ${i}u)`)}`),
    '  }',
    `  for (var k = whole; k < nb; k++) { ${body('k')} }`,
    '}'
  ]
}

function indent (levels: number): (line: string) => string {
  const pad = '  '.repeat(levels)
  return line => line === '' ? line : pad + line
}

/** The dispatch of one chunk: its shard, the epochs' orders and the state in, the round row out. */
export function planTrain (work: ChunkWork<TrainParams>, capabilities: GpuCapabilities): GpuDispatch {
  const params = work.params
  const n = work.range.rowEnd - work.range.rowStart
  const state = work.shared[STATE_INPUT]
  const shape = stateShape(params)
  if (work.rowCols !== params.features + 1 || work.rows.length !== n * work.rowCols) {
    throw new KernelInputError(`train: a chunk of ${n} rows has ${work.rows.length} values in rows of ${work.rowCols}; expected rows of ${params.features} features and a label`)
  }
  if (state == null || state.rows !== shape.rows || state.cols !== shape.cols) {
    throw new KernelInputError(`train: the state must be ${shape.rows}x${shape.cols} (got ${state == null ? 'none' : `${state.rows}x${state.cols}`})`)
  }
  const order = shardOrder(params.seed, work.round ?? 0, work.range.rowStart, n, params.localEpochs)
  const outCols = trainOutputCols(params)
  return {
    program: trainProgram(params, trainWorkgroupSize(capabilities)),
    uniforms: new Uint32Array([n, params.localEpochs, params.batch, new Uint32Array(Float32Array.of(params.lr).buffer)[0]!]),
    inputs: [
      { data: work.rows, immutable: false },
      // Indices below 2^24 (maxRowsPerChunk) are exact as f32.
      { data: Float32Array.from(order), immutable: false },
      { data: state.data, immutable: true }
    ],
    outputLength: outCols + modelSize(params) + Math.min(params.batch, n) * exampleStride(params),
    workgroups: [1, 1, 1],
    finish: output => output.slice(0, outCols)
  }
}
