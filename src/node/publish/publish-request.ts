import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { InputError } from '../../errors.ts'
import { MAX_WGSL_BYTES } from '../../compute/kernels/map/params.ts'
import { generateMatrix } from '../../compute/data/generate.ts'
import { readNpyMatrix } from '../../compute/data/npy.ts'
import { readDataset } from '../../compute/data/dataset.ts'
import type { Matrix } from '../../compute/data/matrix.ts'
import { openComputeDevice } from '../../compute/device.ts'
import { planProject, type ProjectSpec } from './project-builder.ts'
import { sizeChunksByTrial, DEFAULT_SECONDS_PER_CHUNK } from './trial.ts'
import type { ImageSize } from '../../compute/kernel.ts'
import type { ReduceOp } from '../../compute/reduce.ts'
import type { WgslParam } from '../../compute/kernels/wgsl/params.ts'
import { parseRoundsParams, type AggregateOp } from '../../compute/rounds.ts'
import { kmeansSpec, type KmeansPublishRequest } from './kmeans-spec.ts'
import { trainSpec, type TrainPublishRequest } from './train-spec.ts'

/**
 * A publish request as a researcher states it (the flags of `mesh publish`,
 * the fields of the UI's publish form): file paths and sizes, not matrices.
 * `loadProjectSpec` turns it into a checked ProjectSpec.
 */

interface PublishCommon {
  /** Default: the kernel and its input shapes or files. */
  readonly name?: string
  readonly description?: string
  readonly rowsPerChunk?: number
  readonly redundancy?: number
  readonly spotCheck?: number
}

export type MatmulInputs =
  | { readonly from: 'size', readonly size: number, readonly seed?: number }
  | { readonly from: 'shape', readonly m: number, readonly k: number, readonly n: number, readonly seed?: number }
  | { readonly from: 'files', readonly aPath: string, readonly bPath: string }

export interface MatmulPublishRequest extends PublishCommon {
  readonly kernel: 'matmul'
  readonly inputs: MatmulInputs
}

export interface MapPublishRequest extends PublishCommon {
  readonly kernel: 'map'
  readonly wgslPath: string
  /** CSV with a header row, JSON array of number arrays, or 2-D .npy. */
  readonly dataPath: string
  readonly outCols: number
}

export interface WgslPublishRequest extends PublishCommon {
  readonly kernel: 'wgsl'
  readonly wgslPath: string
  /** The items' rows (CSV, JSON or .npy); or, without it, `items` index-only items. */
  readonly dataPath?: string
  readonly items?: number
  readonly outCols: number
  readonly shared?: ReadonlyArray<{ readonly name: string, readonly path: string }>
  /** `--param NAME=V`, `NAME:u32=V`, `NAME:i32=V` (spec-text.ts reads them). */
  readonly params?: readonly WgslParam[]
  /** u64, decimal. */
  readonly seed?: string
  readonly reduce?: ReduceOp
  readonly image?: ImageSize
  readonly flopsPerItem?: number
  /** Target duration of one chunk on this peer's device (the trial sizes chunks by it). */
  readonly secondsPerChunk?: number
  /** An iterative project: the initial state (CSV, JSON or .npy) and how rounds run and fold. */
  readonly statePath?: string
  readonly rounds?: RoundsRequest
}

/** `--rounds R [--until-change T] [--round-quorum F]`, and for wgsl `--aggregate OP`. */
export interface RoundsRequest {
  readonly count: number
  readonly untilChange?: number
  readonly quorum?: number
  readonly aggregate?: AggregateOp
}

export type PublishRequest = MatmulPublishRequest | MapPublishRequest | WgslPublishRequest | KmeansPublishRequest | TrainPublishRequest

/** A checked spec and what the researcher should know about it before it is announced. */
export interface LoadedProject {
  readonly spec: ProjectSpec
  /** Lines to show at publish: the trial's chunk sizing, a device that cannot run it. */
  readonly notes: readonly string[]
}

export const DEFAULT_SEED = 1
/** Generated matrices are held in memory twice (matrix + blob); keep them within reason. */
export const MAX_GENERATED_SIDE = 16_384

function kib (bytes: number): string {
  return `${Math.ceil(bytes / 1024).toLocaleString('en-US')} KiB`
}

/** Reads a text input whole, refusing one over `maxBytes` before reading it (a huge file would not fit in a string). */
async function readTextFile (path: string, what: string, maxBytes: number): Promise<string> {
  try {
    const { size } = await stat(path)
    if (size > maxBytes) throw new InputError(`${path}: the ${what} is ${kib(size)}, over the ${kib(maxBytes)} limit`)
    return await readFile(path, 'utf8')
  } catch (err: any) {
    if (err instanceof InputError) throw err
    const why = err?.code === 'ENOENT' ? 'no such file' : err?.code === 'EISDIR' ? 'is a directory' : err?.code === 'EACCES' ? 'permission denied' : String(err?.message ?? err)
    throw new InputError(`${path}: cannot read ${what} (${why})`)
  }
}

function checkSide (value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_GENERATED_SIDE) {
    throw new InputError(`${what} must be an integer from 1 to ${MAX_GENERATED_SIDE} (got ${value})`)
  }
}

async function matmulInputs (inputs: MatmulInputs): Promise<{ matrices: ProjectSpec['inputs'], defaultName: string }> {
  if (inputs.from === 'files') {
    const [a, b] = await Promise.all([readNpyMatrix(inputs.aPath), readNpyMatrix(inputs.bPath)])
    return { matrices: [{ name: 'a', matrix: a }, { name: 'b', matrix: b }], defaultName: `matmul ${basename(inputs.aPath)} x ${basename(inputs.bPath)}` }
  }
  const [m, k, n] = inputs.from === 'size' ? [inputs.size, inputs.size, inputs.size] : [inputs.m, inputs.k, inputs.n]
  checkSide(m, 'rows of A')
  checkSide(k, 'columns of A')
  checkSide(n, 'columns of B')
  const seed = inputs.seed ?? DEFAULT_SEED
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InputError(`seed must be an integer from 0 to ${0xffffffff} (got ${seed})`)
  return {
    // B gets its own seed stream so A and B differ even when square.
    matrices: [{ name: 'a', matrix: generateMatrix(m, k, seed) }, { name: 'b', matrix: generateMatrix(k, n, (seed + 0x9e3779b9) >>> 0) }],
    defaultName: `matmul ${m}x${k}x${n}`
  }
}

async function wgslSpec (request: WgslPublishRequest, common: Partial<ProjectSpec>): Promise<ProjectSpec> {
  if ((request.dataPath == null) === (request.items == null)) {
    throw new InputError('a wgsl project needs exactly one of --data FILE (one item per row) or --items N (index-only items)')
  }
  if ((request.statePath == null) !== (request.rounds == null)) {
    throw new InputError('a wgsl rounds project needs both --rounds R and --state FILE (its initial state)')
  }
  const names = new Set<string>()
  for (const { name } of request.shared ?? []) {
    if (names.has(name)) throw new InputError(`shared input '${name}' is given twice`)
    names.add(name)
  }
  const rounds = request.rounds == null
    ? undefined
    : parseRoundsParams({ count: request.rounds.count, untilChange: request.rounds.untilChange, quorum: request.rounds.quorum, aggregate: request.rounds.aggregate ?? 'sum' })
  const [wgsl, data, state, ...shared] = await Promise.all([
    readTextFile(request.wgslPath, 'WGSL source', MAX_WGSL_BYTES),
    request.dataPath != null ? readDataset(request.dataPath) : undefined,
    request.statePath != null ? readSharedInput('state', request.statePath) : undefined,
    ...(request.shared ?? []).map(async ({ name, path }) => ({ name, matrix: await readSharedInput(name, path) }))
  ])
  // Index-only items are the rows of a dataset with no columns: chunked like any rows, carrying no bytes.
  const items = data ?? { rows: request.items!, cols: 0, data: new Float32Array(0) }
  return {
    ...common,
    kernel: 'wgsl',
    name: request.name ?? `wgsl ${basename(request.wgslPath)}`,
    params: {
      wgsl,
      items: items.rows,
      outCols: request.outCols,
      shared: shared.map(s => s!.name),
      params: request.params ?? [],
      seed: request.seed ?? String(DEFAULT_SEED),
      ...(request.reduce != null ? { reduce: request.reduce } : {}),
      ...(request.image != null ? { image: request.image } : {}),
      ...(request.flopsPerItem != null ? { flopsPerItem: request.flopsPerItem } : {}),
      ...(rounds != null ? { rounds } : {})
    },
    inputs: [
      { name: 'data', matrix: items },
      ...shared.map(s => ({ name: (s as { name: string }).name, matrix: (s as { matrix: Matrix }).matrix })),
      ...(state != null ? [{ name: 'state', matrix: state as Matrix }] : [])
    ]
  }
}

async function readSharedInput (name: string, path: string): Promise<Matrix> {
  try {
    return await readDataset(path)
  } catch (err: any) {
    if (err instanceof InputError) throw new InputError(`shared input ${name}: ${err.message}`)
    throw err
  }
}

/**
 * Reads or generates the inputs, checks everything with the kernel and, for
 * researcher-written WGSL, compiles it on this machine, so an error is found
 * here and never first by volunteers; a wgsl project also runs a trial there
 * that sizes its chunks by time. Throws an InputError naming the problem.
 */
export async function loadProject (request: PublishRequest): Promise<LoadedProject> {
  const common = {
    ...(request.description != null ? { description: request.description } : {}),
    ...(request.rowsPerChunk != null ? { rowsPerChunk: request.rowsPerChunk } : {}),
    verification: {
      ...(request.redundancy != null ? { redundancy: request.redundancy } : {}),
      ...(request.spotCheck != null ? { spotCheck: request.spotCheck } : {})
    }
  }
  let spec: ProjectSpec
  if (request.kernel === 'matmul') {
    const { matrices, defaultName } = await matmulInputs(request.inputs)
    spec = { ...common, kernel: 'matmul', name: request.name ?? defaultName, inputs: matrices }
  } else if (request.kernel === 'map') {
    const [wgsl, data] = await Promise.all([readTextFile(request.wgslPath, 'WGSL source', MAX_WGSL_BYTES), readDataset(request.dataPath)])
    spec = {
      ...common,
      kernel: 'map',
      name: request.name ?? `map ${basename(request.dataPath)}`,
      params: { wgsl, outCols: request.outCols },
      inputs: [{ name: 'data', matrix: data }]
    }
  } else if (request.kernel === 'kmeans') {
    spec = await kmeansSpec(request, common)
  } else if (request.kernel === 'train') {
    spec = await trainSpec(request, common)
  } else {
    spec = await wgslSpec(request, common)
  }
  const plan = planProject(spec)
  if (!plan.kernel.customCode) return { spec, notes: [] }
  const device = await openComputeDevice()
  try {
    await device.validateKernel(plan.kernel.id, plan.params, plan.shapes)
    if (request.kernel !== 'wgsl') return { spec, notes: [] }
    return await sizeChunksByTrial(spec, plan, device, {
      secondsPerChunk: request.secondsPerChunk ?? DEFAULT_SECONDS_PER_CHUNK,
      fixedRowsPerChunk: request.rowsPerChunk != null
    })
  } finally {
    await device.destroy()
  }
}

/** The checked spec alone (callers that show no publish notes). */
export async function loadProjectSpec (request: PublishRequest): Promise<ProjectSpec> {
  return (await loadProject(request)).spec
}
