import { basename } from 'node:path'
import { InputError } from '../../errors.ts'
import { readDataset } from '../../compute/data/dataset.ts'
import type { Matrix } from '../../compute/data/matrix.ts'
import { kmeansKernel } from '../../compute/kernels/kmeans/index.ts'
import { MAX_K } from '../../compute/kernels/kmeans/params.ts'
import { randomU32x4 } from '../../compute/random/philox.ts'
import { STATE_INPUT } from '../../compute/rounds.ts'
import type { ProjectSpec } from './project-builder.ts'

/**
 * `mesh publish --kernel kmeans --data points.npy (--k K [--seed S] | --init C0.npy)
 * --rounds R [--until-change T] [--round-quorum F]`, as a request.
 */
export interface KmeansPublishRequest {
  readonly kernel: 'kmeans'
  /** The points: CSV with a header row, JSON array of number arrays, or 2-D .npy; one point a row. */
  readonly dataPath: string
  /** Centroids to start from k distinct points of the data, chosen by `seed`; or `initPath`. */
  readonly k?: number
  readonly seed?: number
  /** The initial centroids (k x D, same formats as the data). */
  readonly initPath?: string
  readonly rounds: number
  readonly untilChange?: number
  readonly quorum?: number
  readonly name?: string
  readonly description?: string
  readonly rowsPerChunk?: number
  readonly redundancy?: number
  readonly spotCheck?: number
}

/** The seed of --k without --seed. */
export const DEFAULT_KMEANS_SEED = 1

/**
 * Reads the points (and the initial centroids, or draws them) and returns
 * the project's spec, checked by the kmeans kernel. Bad input throws an
 * InputError of one line.
 */
export async function kmeansSpec (request: KmeansPublishRequest, common: Partial<ProjectSpec>): Promise<ProjectSpec> {
  if ((request.k == null) === (request.initPath == null)) {
    throw new InputError('a kmeans project needs exactly one of --k K (k points of the data, drawn by --seed) or --init FILE (the initial centroids)')
  }
  if (request.initPath != null && request.seed != null) throw new InputError('--seed draws the initial centroids for --k; it cannot be combined with --init')
  if (!Number.isInteger(request.rounds) || request.rounds < 1) throw new InputError(`rounds must be a positive integer (got ${request.rounds})`)
  if (request.k != null) checkK(request.k)
  const seed = request.seed ?? DEFAULT_KMEANS_SEED
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError(`seed must be a non-negative integer (got ${seed})`)

  const [data, init] = await Promise.all([
    readDataset(request.dataPath),
    request.initPath != null ? readDataset(request.initPath) : undefined
  ])
  checkFinite(data, request.dataPath)
  if (data.rows < 1 || data.cols < 1) throw new InputError(`${request.dataPath}: the data has no points`)
  if (init != null) {
    checkFinite(init, request.initPath!)
    if (init.cols !== data.cols) throw new InputError(`the initial centroids have ${init.cols} columns but the data has ${data.cols}`)
    checkK(init.rows)
  }
  const k = init?.rows ?? request.k!
  if (k > data.rows) throw new InputError(`k (${k}) is larger than the number of points (${data.rows})`)
  const state = init ?? initialCentroids(data, k, seed)

  const params = kmeansKernel.parseParams({
    k,
    rounds: {
      count: request.rounds,
      ...(request.untilChange != null ? { untilChange: request.untilChange } : {}),
      ...(request.quorum != null ? { quorum: request.quorum } : {}),
      aggregate: 'weighted-mean'
    }
  })
  const inputs = [{ name: 'data', matrix: data }, { name: STATE_INPUT, matrix: state }]
  kmeansKernel.validateInputs(params, inputs.map(({ name, matrix }) => ({ name, rows: matrix.rows, cols: matrix.cols })))
  return {
    ...common,
    kernel: 'kmeans',
    name: request.name ?? `kmeans ${basename(request.dataPath)} k=${k}`,
    params,
    inputs
  }
}

function checkK (k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new InputError(`k must be a positive integer (got ${k})`)
  if (k > MAX_K) throw new InputError(`k must be at most ${MAX_K} (got ${k})`)
}

/** NaN or an infinity would poison every centroid it reaches. */
function checkFinite (matrix: Matrix, path: string): void {
  const at = matrix.data.findIndex(v => !Number.isFinite(v))
  if (at >= 0) throw new InputError(`${path}: row ${Math.floor(at / matrix.cols) + 1}, column ${(at % matrix.cols) + 1} is ${matrix.data[at]}, not a finite number`)
}

/**
 * k distinct points of `data` as initial centroids: the first k of a
 * partial Fisher-Yates shuffle of the rows, drawn from Philox under `seed`
 * (position i of the shuffle draws from counter [i, block]: the same seed
 * gives the same centroids everywhere). A row equal to one already chosen
 * is passed over, since two equal centroids leave one of them empty for
 * good. Throws an InputError when the data has fewer than k distinct points.
 */
export function initialCentroids (data: Matrix, k: number, seed: number): Matrix {
  const { rows, cols } = data
  if (!Number.isInteger(k) || k < 1 || k > rows) throw new InputError(`k (${k}) must be a positive integer of at most the number of points (${rows})`)
  // The shuffled order, stored only where it differs from the identity.
  const moved = new Map<number, number>()
  const at = (i: number): number => moved.get(i) ?? i
  const chosen: number[] = []
  const seen = new Set<string>()
  for (let position = 0; position < rows && chosen.length < k; position++) {
    const pick = position + uniformBelow(rows - position, seed, position)
    const row = at(pick)
    moved.set(pick, at(position))
    moved.set(position, row)
    const key = rowKey(data, row)
    if (seen.has(key)) continue
    seen.add(key)
    chosen.push(row)
  }
  if (chosen.length < k) throw new InputError(`the data has only ${chosen.length} distinct points, fewer than k (${k})`)
  const centroids = new Float32Array(k * cols)
  chosen.forEach((row, i) => { centroids.set(data.data.subarray(row * cols, (row + 1) * cols), i * cols) })
  return { rows: k, cols, data: centroids }
}

/** A uniform integer in [0, bound) for shuffle position `item`: Philox words, rejecting the biased top of the u32 range. */
function uniformBelow (bound: number, seed: number, item: number): number {
  const limit = Math.floor(2 ** 32 / bound) * bound
  for (let block = 0; ; block++) {
    for (const word of randomU32x4(seed, item, block)) if (word < limit) return word % bound
  }
}

/** Equal rows have equal keys (0 and -0 alike: they are the same point). */
function rowKey (data: Matrix, row: number): string {
  let key = ''
  for (let c = 0; c < data.cols; c++) key += `${data.data[row * data.cols + c]! + 0},`
  return key
}
