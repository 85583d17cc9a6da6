import { KernelInputError, type ChunkWork } from '../../kernel.ts'
import type { GpuDispatch, GpuProgramSource } from '../../gpu-program.ts'
import { foldRows } from '../../reduce.ts'
import { STATE_INPUT } from '../../rounds.ts'
import { KMEANS_WORKGROUP_SIZE, pointsPerInvocation, pointsPerWorkgroup, rowValues, tieShrink } from './layout.ts'

/**
 * The assignment and update step of one chunk on the GPU, in one dispatch.
 * Each workgroup takes a run of points (KMEANS_WORKGROUP_SIZE invocations,
 * each assigning pointsPerInvocation of them, strided so neighbouring
 * invocations read neighbouring points):
 *
 * 1. every invocation finds its points' nearest centroids (the tie rule of
 *    layout.ts, fp32 distances in the CPU reference's order; the centroids
 *    are read by every invocation alike, so caches serve them) and puts the
 *    centroid and distance in workgroup memory;
 * 2. after a barrier, invocation i owns column i of every centroid's part
 *    (coordinate i's sum, or the count when i = D) and adds the workgroup's
 *    points to it in point order, straight into the workgroup's partial row
 *    of the output; invocation D + 1 sums the inertia. A column has one
 *    owner, so there are no races and no atomics, and the order is fixed.
 *
 * Each workgroup writes one partial row; `finish` folds them in f64 (in
 * workgroup order) into the chunk's row. Bindings: 0 the point count,
 * 1 the chunk's points (n x D), 2 the round's centroids (k x D), 3 the
 * partial rows.
 */
export function kmeansProgram (k: number, dims: number): GpuProgramSource {
  const key = `kmeans/${k}x${dims}`
  let program = programs.get(key)
  if (program == null) {
    program = { key, code: kmeansWgsl(k, dims), entryPoint: 'main', output: { variable: 'partials', element: 'f32' } }
    if (programs.size >= MAX_CACHED_PROGRAMS) programs.delete(programs.keys().next().value!)
    programs.set(key, program)
  }
  return program
}

const MAX_CACHED_PROGRAMS = 16
const programs = new Map<string, GpuProgramSource>()

/** One chunk's dispatch. */
export function planKmeans (work: ChunkWork<{ readonly k: number }>): GpuDispatch {
  const { k } = work.params
  const dims = work.rowCols
  const count = work.range.rowEnd - work.range.rowStart
  const state = work.shared[STATE_INPUT]
  if (state == null) throw new KernelInputError('kmeans: the shared input state (the centroids) is missing')
  if (state.rows !== k || state.cols !== dims || state.data.length !== k * dims) {
    throw new KernelInputError(`kmeans: the centroids are ${state.rows}x${state.cols} but the chunk needs ${k}x${dims}`)
  }
  if (count < 1 || work.rows.length !== count * dims) {
    throw new KernelInputError(`kmeans: chunk of ${count} points has ${work.rows.length} values, expected ${count * dims}`)
  }
  const groups = Math.ceil(count / pointsPerWorkgroup(k, dims))
  const row = rowValues(k, dims)
  return {
    program: kmeansProgram(k, dims),
    uniforms: new Uint32Array([count, 0, 0, 0]),
    // A round's state is a fresh array (never refilled): it is uploaded once for all the round's chunks.
    inputs: [{ data: work.rows, immutable: false }, { data: state.data, immutable: true }],
    outputLength: groups * row,
    workgroups: [groups, 1, 1],
    finish: (partials: Float32Array) => foldRows('sum', partials, row)
  }
}

/**
 * Up to this many dimensions an invocation copies its point into a function
 * array first (about twice as fast on llvmpipe, registers on a GPU); wider
 * points are read from storage, as WGSL bounds a function's variables to
 * 8 KiB.
 */
export const MAX_CACHED_DIMS = 256

/** Both distances add (x_j - c_j)^2 for j = 0 .. D-1 in order: the CPU reference's order. */
const CACHED_DISTANCE = `fn squared_distance(x: ptr<function, array<f32, D>>, centroid: u32) -> f32 {
  let centroid_base = centroid * D;
  var sum = 0.0;
  for (var j = 0u; j < D; j++) {
    let diff = (*x)[j] - centroids[centroid_base + j];
    sum = sum + diff * diff;
  }
  return sum;
}`

const STORAGE_DISTANCE = `fn squared_distance(point_base: u32, centroid: u32) -> f32 {
  let centroid_base = centroid * D;
  var sum = 0.0;
  for (var j = 0u; j < D; j++) {
    let diff = points[point_base + j] - centroids[centroid_base + j];
    sum = sum + diff * diff;
  }
  return sum;
}`

/** The WGSL for k centroids of D dimensions (the constants make loops short and arrays sized). */
export function kmeansWgsl (k: number, dims: number): string {
  const shrink = tieShrink(dims)
  const cached = dims <= MAX_CACHED_DIMS
  const pointArg = cached ? '&x' : 'point * D'
  return `const K: u32 = ${k}u;
const D: u32 = ${dims}u;
// A centroid's part of the row: D sums, then the count; after every centroid's part, the inertia.
const COLS: u32 = D + 1u;
const ROW: u32 = K * COLS + 1u;
const WG: u32 = ${KMEANS_WORKGROUP_SIZE}u;
const PER_INVOCATION: u32 = ${pointsPerInvocation(k, dims)}u;
const GROUP_POINTS: u32 = WG * PER_INVOCATION;
// The tie rule (layout.ts): a later centroid wins only when nearer than best * SHRINK.
const SHRINK: f32 = ${exactDecimal(shrink)}f;

struct Params {
  points: u32,
  unused0: u32,
  unused1: u32,
  unused2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> points: array<f32>;
@group(0) @binding(2) var<storage, read> centroids: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;

var<workgroup> nearest: array<u32, GROUP_POINTS>;
var<workgroup> nearest_distance: array<f32, GROUP_POINTS>;

${cached ? CACHED_DISTANCE : STORAGE_DISTANCE}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let first = wid.x * GROUP_POINTS;
  for (var p = 0u; p < PER_INVOCATION; p++) {
    let slot = p * WG + lid;
    let point = first + slot;
    var best = 0u;
    var best_distance = 0.0;
    if (point < params.points) {
${cached ? '      var x: array<f32, D>;\n      for (var j = 0u; j < D; j++) { x[j] = points[point * D + j]; }\n' : ''}      best_distance = squared_distance(${pointArg}, 0u);
      for (var c = 1u; c < K; c++) {
        let candidate = squared_distance(${pointArg}, c);
        if (candidate < best_distance * SHRINK) {
          best = c;
          best_distance = candidate;
        }
      }
    }
    nearest[slot] = best;
    nearest_distance[slot] = best_distance;
  }
  workgroupBarrier();

  let out = wid.x * ROW;
  let valid = min(GROUP_POINTS, params.points - first);
  for (var col = lid; col <= COLS; col += WG) {
    if (col < COLS) {
      for (var c = 0u; c < K; c++) {
        partials[out + c * COLS + col] = 0.0;
      }
      for (var s = 0u; s < valid; s++) {
        var value = 1.0;
        if (col < D) {
          value = points[(first + s) * D + col];
        }
        let at = out + nearest[s] * COLS + col;
        partials[at] = partials[at] + value;
      }
    } else {
      var inertia = 0.0;
      for (var s = 0u; s < valid; s++) {
        inertia = inertia + nearest_distance[s];
      }
      partials[out + ROW - 1u] = inertia;
    }
  }
}
`
}

/**
 * The exact decimal of an fp32 value (m x 2^-e is m x 5^e x 10^-e): WGSL may
 * round an inexact literal either way, and SHRINK must be the CPU's number.
 */
export function exactDecimal (value: number): string {
  if (!Number.isFinite(value) || Math.fround(value) !== value) throw new RangeError(`${value} is not a finite fp32 value`)
  const sign = value < 0 ? '-' : ''
  let magnitude = Math.abs(value)
  let shift = 0
  while (!Number.isInteger(magnitude)) {
    magnitude *= 2
    shift++
  }
  const digits = (BigInt(magnitude) * 5n ** BigInt(shift)).toString().padStart(shift + 1, '0')
  const whole = digits.slice(0, digits.length - shift)
  const fraction = digits.slice(digits.length - shift)
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`
}
