import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Command, CommandContext, OptionValues } from '../command.ts'
import { UsageError } from '../errors.ts'
import { InputError } from '../../errors.ts'
import { parseInteger, parseNumber, parseShape, optionalString } from '../parse-values.ts'
import { nodeOptionsFrom, reportNodeEvents, reportStarted, startNode, waitUntilAborted } from '../node-options.ts'
import { planProject, type ProjectSpec } from '../../node/project-builder.ts'
import { generateMatrix } from '../../compute/data/generate.ts'
import { readNpyMatrix } from '../../compute/data/npy.ts'
import { readDataset } from '../../compute/data/dataset.ts'
import { openComputeDevice } from '../../compute/device.ts'
import { MAX_REDUNDANCY } from '../../protocols/announce.ts'

/** Generated matrices are held in memory twice (matrix + blob); keep them within reason. */
const MAX_GENERATED_SIDE = 16_384
const MATMUL_ONLY = ['size', 'shape', 'seed', 'a', 'b'] as const
const MAP_ONLY = ['wgsl', 'data', 'out-cols'] as const

async function readTextFile (path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err: any) {
    const why = err?.code === 'ENOENT' ? 'no such file' : err?.code === 'EISDIR' ? 'is a directory' : err?.code === 'EACCES' ? 'permission denied' : String(err?.message ?? err)
    throw new InputError(`${path}: cannot read ${what} (${why})`)
  }
}

function refuseFlags (options: OptionValues, flags: readonly string[], kernel: string): void {
  const given = flags.filter(flag => options[flag] !== undefined)
  if (given.length > 0) throw new UsageError(`publish: --${given[0]} does not apply to the ${kernel} kernel`)
}

async function matmulInputs (options: OptionValues): Promise<{ inputs: ProjectSpec['inputs'], defaultName: string }> {
  const size = optionalString(options, 'size')
  const shape = optionalString(options, 'shape')
  const a = optionalString(options, 'a')
  const b = optionalString(options, 'b')
  const ways = [size != null, shape != null, a != null || b != null].filter(Boolean).length
  if (ways !== 1) throw new UsageError('publish: give the matmul inputs with exactly one of --size N, --shape MxKxN, or --a A.npy --b B.npy')
  if (a != null || b != null) {
    if (a == null || b == null) throw new UsageError('publish: --a and --b go together (two fp32 .npy files)')
    if (options.seed !== undefined) throw new UsageError('publish: --seed applies to generated inputs (--size, --shape), not to .npy files')
    const [matrixA, matrixB] = await Promise.all([readNpyMatrix(a), readNpyMatrix(b)])
    return {
      inputs: [{ name: 'a', matrix: matrixA }, { name: 'b', matrix: matrixB }],
      defaultName: `matmul ${basename(a)} x ${basename(b)}`
    }
  }
  const seed = options.seed === undefined ? 1 : parseInteger(String(options.seed), '--seed', 0, 2 ** 32 - 1)
  const [m, k, n] = size != null
    ? Array(3).fill(parseInteger(size, '--size', 1, MAX_GENERATED_SIDE))
    : parseShape(shape!, '--shape', 3, MAX_GENERATED_SIDE)
  return {
    // B gets its own seed stream so A and B differ even when square.
    inputs: [{ name: 'a', matrix: generateMatrix(m, k, seed) }, { name: 'b', matrix: generateMatrix(k, n, (seed + 0x9e3779b9) >>> 0) }],
    defaultName: `matmul ${m}x${k}x${n}`
  }
}

async function mapInputs (options: OptionValues): Promise<{ inputs: ProjectSpec['inputs'], params: unknown, defaultName: string }> {
  const wgslPath = optionalString(options, 'wgsl')
  const dataPath = optionalString(options, 'data')
  const outCols = optionalString(options, 'out-cols')
  if (wgslPath == null || dataPath == null || outCols == null) throw new UsageError('publish: the map kernel needs --wgsl FILE, --data FILE and --out-cols N')
  const [wgsl, data] = await Promise.all([readTextFile(wgslPath, 'WGSL source'), readDataset(dataPath)])
  return {
    inputs: [{ name: 'data', matrix: data }],
    params: { wgsl, outCols: parseInteger(outCols, '--out-cols', 1, 1 << 20) },
    defaultName: `map ${basename(dataPath)}`
  }
}

/** Reads and checks everything before a peer starts: bad input exits 2 at once. */
export async function specFromOptions (options: OptionValues): Promise<ProjectSpec> {
  const kernel = optionalString(options, 'kernel')
  if (kernel == null) throw new UsageError('publish: --kernel is required (matmul or map)')
  const rowsPerChunk = optionalString(options, 'rows-per-chunk')
  const redundancy = optionalString(options, 'redundancy')
  const spotCheck = optionalString(options, 'spot-check')
  const common = {
    ...(optionalString(options, 'description') != null ? { description: optionalString(options, 'description') } : {}),
    ...(rowsPerChunk != null ? { rowsPerChunk: parseInteger(rowsPerChunk, '--rows-per-chunk', 1, 1 << 24) } : {}),
    verification: {
      ...(redundancy != null ? { redundancy: parseInteger(redundancy, '--redundancy', 1, MAX_REDUNDANCY) } : {}),
      ...(spotCheck != null ? { spotCheck: parseNumber(spotCheck, '--spot-check', 0, 1) } : {})
    }
  }
  let spec: ProjectSpec
  if (kernel === 'matmul') {
    refuseFlags(options, MAP_ONLY, kernel)
    const { inputs, defaultName } = await matmulInputs(options)
    spec = { ...common, kernel, name: optionalString(options, 'name') ?? defaultName, inputs }
  } else if (kernel === 'map') {
    refuseFlags(options, MATMUL_ONLY, kernel)
    const { inputs, params, defaultName } = await mapInputs(options)
    spec = { ...common, kernel, name: optionalString(options, 'name') ?? defaultName, params, inputs }
  } else {
    throw new UsageError(`publish: unknown kernel '${kernel}' (expected matmul or map)`)
  }
  const plan = planProject(spec)
  if (plan.kernel.customCode) {
    // Researcher WGSL is compiled on this machine before anyone is asked to run it.
    const device = await openComputeDevice()
    try {
      await device.validateKernel(plan.kernel.id, plan.params, plan.shapes)
    } finally {
      await device.destroy()
    }
  }
  return spec
}

async function run (ctx: CommandContext): Promise<number> {
  const json = ctx.options.json === true
  const spec = await specFromOptions(ctx.options)
  // Here --name names the project; the peer keeps its default display name.
  const node = await startNode(await nodeOptionsFrom({ ...ctx.global, name: undefined }))
  try {
    reportStarted(ctx.out, node, json)
    reportNodeEvents(ctx.out, node, json)
    const project = await node.publish(spec)
    const { customWgsl, ...summary } = project
    if (json) {
      ctx.out.json({ event: 'published', ...summary })
    } else {
      ctx.out.line(`published ${project.name} (${project.kernel}, ${project.dims}, ${project.chunks.total} chunks) as ${project.id}`)
      ctx.out.line('serving it until interrupted (Ctrl-C)')
    }
    await waitUntilAborted(ctx.signal)
  } finally {
    await node.stop()
  }
  if (json) ctx.out.json({ event: 'stopped' })
  return 0
}

export const publishCommand: Command = {
  name: 'publish',
  summary: 'publish a project (kernel + inputs) and serve it to volunteers',
  usage: `--kernel matmul (--size N [--seed S] | --shape MxKxN [--seed S] | --a A.npy --b B.npy) [options]
       mesh publish --kernel map --wgsl FILE --data rows.csv|json|npy --out-cols N [options]`,
  help: `options:
  --kernel ID           matmul (C = A x B, fp32) or map (your WGSL function on every row)
  --size N              matmul of generated N x N inputs
  --shape MxKxN         matmul of a generated M x K matrix A and K x N matrix B
  --seed S              seed of the generated inputs (default 1; the same seed gives the same bits)
  --a A.npy --b B.npy   matmul of two 2-D float32 .npy files
  --wgsl FILE           map: WGSL source of fn map_row
  --data FILE           map: the rows, as CSV (header row), JSON (array of number arrays) or 2-D .npy
  --out-cols N          map: values map_row writes per row
  --name NAME           project name shown to volunteers (here it names the project, not the peer)
  --description TEXT    one line about the project
  --rows-per-chunk R    rows of the split input per chunk (default: about 32 chunks)
  --redundancy K        distinct volunteers whose results must agree (default 1; map: 2)
  --spot-check P        fraction of chunks recomputed here on the CPU (default 0.05; map: 0)
  --until-done          exit once the project is done
  --json                one JSON object per line: started, published, events, stopped`,
  options: {
    kernel: { type: 'string' },
    size: { type: 'string' },
    shape: { type: 'string' },
    seed: { type: 'string' },
    a: { type: 'string' },
    b: { type: 'string' },
    wgsl: { type: 'string' },
    data: { type: 'string' },
    'out-cols': { type: 'string' },
    description: { type: 'string' },
    'rows-per-chunk': { type: 'string' },
    redundancy: { type: 'string' },
    'spot-check': { type: 'string' },
    'until-done': { type: 'boolean' },
    json: { type: 'boolean' }
  },
  run
}
