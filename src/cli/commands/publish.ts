import type { Command, CommandContext, OptionValues } from '../command.ts'
import { EXIT_OK, EXIT_WORK_FAILED, UsageError } from '../errors.ts'
import { ResearcherReport } from '../work-events.ts'
import { parseInteger, parseNumber, parseShape, optionalString } from '../parse-values.ts'
import { lingerAfterFinish, nodeOptionsFrom, reportNodeEvents, reportStarted, startNode, waitUntilAborted, WEB_OPTION, webOptionFrom, webOptionHelp } from '../node-options.ts'
import { loadProject, MAX_GENERATED_SIDE, type MatmulInputs, type PublishRequest, type WgslPublishRequest } from '../../node/publish/publish-request.ts'
import { MAX_ITEMS, parseSeed } from '../../compute/kernels/wgsl/params.ts'
import { parseParamText, parseSharedText, SpecTextError } from '../../compute/kernels/wgsl/spec-text.ts'
import { REDUCE_OPS, type ReduceOp } from '../../compute/reduce.ts'
import { InputError } from '../../errors.ts'
import { MAX_REDUNDANCY } from '../../protocols/announce.ts'
import { KMEANS_FLAGS, kmeansRequest, ROUNDS_FLAGS, roundsHelp, roundsOptionSpecs, TRAIN_FLAGS, trainRequest, WGSL_ROUNDS_FLAGS, wgslRoundsFromOptions } from '../publish-rounds.ts'

const MATMUL_ONLY = ['size', 'shape', 'a', 'b'] as const
const MAP_ONLY = ['wgsl', 'data', 'out-cols'] as const
const WGSL_ONLY = ['items', 'shared', 'param', 'reduce', 'image', 'flops-per-item', 'seconds-per-chunk', 'items-per-chunk', ...WGSL_ROUNDS_FLAGS] as const
const ROUNDS_ONLY = [...ROUNDS_FLAGS, ...KMEANS_FLAGS, ...TRAIN_FLAGS] as const

function refuseFlags (options: OptionValues, flags: readonly string[], kernel: string): void {
  const given = flags.filter(flag => options[flag] !== undefined)
  if (given.length > 0) throw new UsageError(`publish: --${given[0]} does not apply to the ${kernel} kernel`)
}

function matmulInputs (options: OptionValues): MatmulInputs {
  const size = optionalString(options, 'size')
  const shape = optionalString(options, 'shape')
  const a = optionalString(options, 'a')
  const b = optionalString(options, 'b')
  const ways = [size != null, shape != null, a != null || b != null].filter(Boolean).length
  if (ways !== 1) throw new UsageError('publish: give the matmul inputs with exactly one of --size N, --shape MxKxN, or --a A.npy --b B.npy')
  const seedText = optionalString(options, 'seed')
  if (a != null || b != null) {
    if (a == null || b == null) throw new UsageError('publish: --a and --b go together (two fp32 .npy files)')
    if (seedText != null) throw new UsageError('publish: --seed applies to generated inputs (--size, --shape), not to .npy files')
    return { from: 'files', aPath: a, bPath: b }
  }
  const seed = seedText == null ? {} : { seed: parseInteger(seedText, '--seed', 0, 0xffffffff) }
  if (size != null) return { from: 'size', size: parseInteger(size, '--size', 1, MAX_GENERATED_SIDE), ...seed }
  const [m, k, n] = parseShape(shape!, '--shape', 3, MAX_GENERATED_SIDE)
  return { from: 'shape', m, k, n, ...seed }
}

/** The flags of `mesh publish` as a request; flag-level mistakes are usage errors. */
export function requestFromOptions (options: OptionValues): PublishRequest {
  const kernel = optionalString(options, 'kernel')
  if (kernel == null) throw new UsageError('publish: --kernel is required (matmul, map, wgsl, kmeans or train)')
  const rowsPerChunk = optionalString(options, 'rows-per-chunk')
  const redundancy = optionalString(options, 'redundancy')
  const spotCheck = optionalString(options, 'spot-check')
  const common = {
    ...(optionalString(options, 'name') != null ? { name: optionalString(options, 'name') } : {}),
    ...(optionalString(options, 'description') != null ? { description: optionalString(options, 'description') } : {}),
    ...(rowsPerChunk != null ? { rowsPerChunk: parseInteger(rowsPerChunk, '--rows-per-chunk', 1, 1 << 24) } : {}),
    ...(redundancy != null ? { redundancy: parseInteger(redundancy, '--redundancy', 1, MAX_REDUNDANCY) } : {}),
    ...(spotCheck != null ? { spotCheck: parseNumber(spotCheck, '--spot-check', 0, 1) } : {})
  }
  if (kernel === 'matmul') {
    refuseFlags(options, [...MAP_ONLY, ...WGSL_ONLY, ...ROUNDS_ONLY], kernel)
    return { ...common, kernel, inputs: matmulInputs(options) }
  }
  if (kernel === 'wgsl') {
    refuseFlags(options, [...MATMUL_ONLY, 'rows-per-chunk', ...KMEANS_FLAGS, ...TRAIN_FLAGS], kernel)
    return wgslRequest(options, common)
  }
  if (kernel === 'map') {
    refuseFlags(options, [...MATMUL_ONLY, 'seed', ...WGSL_ONLY, ...ROUNDS_ONLY], kernel)
    const wgslPath = optionalString(options, 'wgsl')
    const dataPath = optionalString(options, 'data')
    const outCols = optionalString(options, 'out-cols')
    if (wgslPath == null || dataPath == null || outCols == null) throw new UsageError('publish: the map kernel needs --wgsl FILE, --data FILE and --out-cols N')
    return { ...common, kernel, wgslPath, dataPath, outCols: parseInteger(outCols, '--out-cols', 1, 1 << 20) }
  }
  if (kernel === 'kmeans') {
    refuseFlags(options, [...MATMUL_ONLY, 'wgsl', 'out-cols', ...WGSL_ONLY, ...TRAIN_FLAGS], kernel)
    return kmeansRequest(options, common)
  }
  if (kernel === 'train') {
    refuseFlags(options, [...MATMUL_ONLY, 'wgsl', 'out-cols', ...WGSL_ONLY, ...KMEANS_FLAGS], kernel)
    return trainRequest(options, common)
  }
  throw new UsageError(`publish: unknown kernel '${kernel}' (expected matmul, map, wgsl, kmeans or train)`)
}

function wgslRequest (options: OptionValues, common: Omit<WgslPublishRequest, 'kernel' | 'wgslPath' | 'outCols'>): WgslPublishRequest {
  const wgslPath = optionalString(options, 'wgsl')
  const outCols = optionalString(options, 'out-cols')
  if (wgslPath == null || outCols == null) throw new UsageError('publish: the wgsl kernel needs --wgsl FILE, --out-cols N and one of --data FILE or --items N')
  const dataPath = optionalString(options, 'data')
  const items = optionalString(options, 'items')
  if ((dataPath == null) === (items == null)) throw new UsageError('publish: the wgsl kernel needs exactly one of --data FILE (an item per row) or --items N (index-only items)')
  const reduce = optionalString(options, 'reduce')
  if (reduce != null && !(REDUCE_OPS as readonly string[]).includes(reduce)) throw new UsageError(`publish: --reduce expects one of ${REDUCE_OPS.join(', ')} (got '${reduce}')`)
  const image = optionalString(options, 'image')
  if (reduce != null && image != null) throw new UsageError('publish: --reduce and --image cannot be combined (an image keeps one output per pixel)')
  const flops = optionalString(options, 'flops-per-item')
  const seconds = optionalString(options, 'seconds-per-chunk')
  const itemsPerChunk = optionalString(options, 'items-per-chunk')
  const seed = optionalString(options, 'seed')
  return {
    ...common,
    kernel: 'wgsl',
    wgslPath,
    outCols: parseInteger(outCols, '--out-cols', 1, 4096),
    ...(dataPath != null ? { dataPath } : { items: parseInteger(items!, '--items', 1, MAX_ITEMS) }),
    shared: stringList(options, 'shared').map(text => parseFlagText('shared', text, parseSharedText)),
    params: stringList(options, 'param').map(text => parseFlagText('param', text, parseParamText)),
    ...(seed != null ? { seed: parseFlagText('seed', seed, parseSeed) } : {}),
    ...(reduce != null ? { reduce: reduce as ReduceOp } : {}),
    ...(image != null ? { image: parseImageFlag(image) } : {}),
    ...(flops != null ? { flopsPerItem: parseNumber(flops, '--flops-per-item', 0, Number.MAX_VALUE) } : {}),
    ...(seconds != null ? { secondsPerChunk: parseNumber(seconds, '--seconds-per-chunk', 0.01, 3600) } : {}),
    ...(itemsPerChunk != null ? { rowsPerChunk: parseInteger(itemsPerChunk, '--items-per-chunk', 1, 1 << 24) } : {}),
    ...wgslRoundsFromOptions(options)
  }
}

function stringList (options: OptionValues, name: string): string[] {
  const value = options[name]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []
}

/** A kernel-level reading of a flag's text: its input error becomes a usage error, a malformed entry named with its flag. */
function parseFlagText<T> (flag: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text)
  } catch (err: any) {
    if (err instanceof SpecTextError) throw new UsageError(`publish: --${flag} ${err.message}`)
    if (err instanceof InputError) throw new UsageError(`publish: ${err.message}`)
    throw err
  }
}

/** `WxH` */
function parseImageFlag (text: string): { width: number, height: number } {
  const [width, height] = parseShape(text, '--image', 2, 16384)
  return { width: width!, height: height! }
}

async function run (ctx: CommandContext): Promise<number> {
  const json = ctx.options.json === true
  const untilDone = ctx.options['until-done'] === true
  // Read and check everything before a peer starts: bad input exits 2 at once.
  const web = webOptionFrom(ctx.options, ctx.global)
  const { spec, notes } = await loadProject(requestFromOptions(ctx.options))
  // Here --name names the project; the peer keeps its default display name.
  const node = await startNode({ ...await nodeOptionsFrom({ ...ctx.global, name: undefined }), ...web })
  let status: 'running' | 'done' | 'failed' = 'running'
  try {
    reportStarted(ctx.out, node, json)
    reportNodeEvents(ctx.out, node, json)
    const report = new ResearcherReport(ctx.out, node, json)
    const project = await node.publish(spec)
    const { customWgsl, ...summary } = project
    if (json) {
      ctx.out.json({ event: 'published', ...summary, notes })
    } else {
      for (const note of notes) ctx.out.line(note)
      ctx.out.line(`published ${project.name} (${project.kernel}, ${project.dims}, ${project.chunks.total} chunks) as ${project.id}`)
      ctx.out.line(untilDone ? 'serving it until it is done (Ctrl-C stops; `mesh serve` resumes it)' : 'serving it until interrupted (Ctrl-C)')
    }
    if (untilDone) {
      status = await node.waitUntilFinished(project.id, { signal: ctx.signal }).catch(err => { if (ctx.signal.aborted) return 'running' as const; throw err })
      if (status !== 'running') await lingerAfterFinish(node, ctx.signal)
    } else {
      await waitUntilAborted(ctx.signal)
    }
    await report.flush()
  } finally {
    await node.stop()
  }
  if (json) ctx.out.json({ event: 'stopped' })
  if (untilDone && status === 'running') ctx.out.info('mesh: interrupted before the project was done; `mesh serve --until-done` on this data dir resumes it')
  // Interrupted is a clean stop (0); only a failed project is a failure of the work.
  return status === 'failed' ? EXIT_WORK_FAILED : EXIT_OK
}

export const publishCommand: Command = {
  name: 'publish',
  summary: 'publish a project (kernel + inputs) and serve it to volunteers',
  usage: `--kernel matmul (--size N [--seed S] | --shape MxKxN [--seed S] | --a A.npy --b B.npy) [options]
       mesh publish --kernel map --wgsl FILE --data rows.csv|json|npy --out-cols N [options]
       mesh publish --kernel wgsl --wgsl FILE (--data rows.csv|json|npy | --items N) --out-cols N
                    [--shared NAME=FILE]... [--param NAME[:u32|:i32]=V]... [--seed S]
                    [--reduce sum|min|max | --image WxH] [--flops-per-item F]
                    [--state FILE --rounds R --aggregate sum|mean|weighted-mean] [options]
       mesh publish --kernel kmeans --data points.npy (--k K [--seed S] | --init C0.npy) --rounds R
                    [--until-change T] [--round-quorum F] [options]
       mesh publish --kernel train --data train.csv --label-col NAME [--model softmax|mlp] [--hidden H]
                    --rounds R [--local-epochs E] [--batch B] [--lr LR] [--test test.csv] [--seed S] [options]`,
  help: `options:
  --kernel ID           matmul (C = A x B, fp32), map (your WGSL function on every row),
                        wgsl (your fn compute_item(i) on every item), kmeans (Lloyd's k-means in rounds)
                        or train (federated averaging of a softmax or MLP classifier in rounds)
  --size N              matmul of generated N x N inputs
  --shape MxKxN         matmul of a generated M x K matrix A and K x N matrix B
  --seed S              matmul: seed of the generated inputs; wgsl: the Philox key of random_*();
                        kmeans: draws the initial centroids; train: the shuffle order and initial weights
                        (default 1; the same seed gives the same bits)
  --a A.npy --b B.npy   matmul of two 2-D float32 .npy files
  --wgsl FILE           map: WGSL source of fn map_row
  --data FILE           map: the rows, as CSV (header row), JSON (array of number arrays) or 2-D .npy
  --out-cols N          map, wgsl: values map_row / compute_item returns per row or item
  --data FILE           wgsl: one item per row, read with data_row(i)
  --items N             wgsl: index-only items 0..N-1 (parameter sweeps, Monte Carlo paths)
  --shared NAME=FILE    wgsl: a read-only matrix (CSV, JSON or .npy) every item may read as NAME,
                        with NAME_ROWS and NAME_COLS; sent once per volunteer (repeatable)
  --param NAME=V        wgsl: a scalar read as params.NAME (f32; NAME:u32=V, NAME:i32=V) (repeatable)
  --reduce OP           wgsl: fold every item's output into one row: sum, min or max
  --image WxH           wgsl: the items are the pixels of a W x H image (out cols 1, 3 or 4, in [0, 1]);
                        export it with --format png
  --flops-per-item F    wgsl: your count of floating-point operations per item (credit and GFLOPS;
                        without it FLOPs show as unknown)
  --seconds-per-chunk S wgsl: size chunks so one takes about S seconds on this machine (default 3)
  --items-per-chunk N   wgsl: fixed items per chunk instead
${roundsHelp}
  --name NAME           project name shown to volunteers (here it names the project, not the peer)
  --description TEXT    one line about the project
  --rows-per-chunk R    rows of the split input per chunk (default: about 32 chunks)
  --redundancy K        distinct volunteers whose results must agree (default 1)
  --spot-check P        fraction of chunks recomputed here: on the CPU for matmul (default 0.05),
                        sampled items on this machine's WebGPU device for map and wgsl (default 0.1)
  --until-done          exit once the project is finished: 0 when verified complete, 1 when it failed
${webOptionHelp(24)}
  --json                one JSON object per line: started, published, chunk-leased, chunk-verified per chunk,
                        chunk-requeued, volunteer-lost, done (with its figures) or failed, stopped`,
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
    items: { type: 'string' },
    shared: { type: 'string', multiple: true },
    param: { type: 'string', multiple: true },
    reduce: { type: 'string' },
    image: { type: 'string' },
    'flops-per-item': { type: 'string' },
    'seconds-per-chunk': { type: 'string' },
    'items-per-chunk': { type: 'string' },
    description: { type: 'string' },
    'rows-per-chunk': { type: 'string' },
    redundancy: { type: 'string' },
    'spot-check': { type: 'string' },
    'until-done': { type: 'boolean' },
    json: { type: 'boolean' },
    ...WEB_OPTION,
    ...roundsOptionSpecs
  },
  run
}
