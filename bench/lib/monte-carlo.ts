import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { publishCommand, requestFromOptions } from '../../src/cli/commands/publish.ts'
import { globalOptionSpec } from '../../src/cli/global-options.ts'
import { planChunks, type ChunkWork } from '../../src/compute/kernel.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { exportProject } from '../../src/node/coordinator/index.ts'
import { loadProject } from '../../src/node/publish/publish-request.ts'
import { publish } from './projects.ts'
import type { BenchPeer } from './peers.ts'
import type { ProjectManifest } from '../../src/protocols/manifest-codec.ts'

/**
 * The Monte Carlo option example (examples/monte-carlo-option/) as a
 * benchmark project: its own make-inputs.mjs, its WGSL, and the `mesh
 * publish` flags its run.sh passes, read by the CLI's own parser.
 */

const example = fileURLToPath(new URL('../../examples/monte-carlo-option/', import.meta.url))

/** option.json, as make-inputs.mjs writes it. */
export interface OptionInputs {
  readonly S0: number
  readonly K: number
  readonly r: number
  readonly sigma: number
  readonly T: number
  readonly items: number
  readonly paths: number
  readonly itemsPerChunk: number
  readonly seed: string
  /** The closed-form price of the call. */
  readonly blackScholes: number
}

export interface MonteCarloSpec {
  readonly chunks: number
  readonly itemsPerChunk: number
  readonly seed?: number
  /** `--spot-check P`; default: what a plain `mesh publish` gets. */
  readonly spotCheck?: number
}

export async function makeOptionInputs (dir: string, size: MonteCarloSpec): Promise<OptionInputs> {
  const args = ['--out', dir, '--size', String(size.chunks * size.itemsPerChunk), '--chunks', String(size.chunks), '--seed', String(size.seed ?? 2024)]
  await promisify(execFile)(process.execPath, [join(example, 'make-inputs.mjs'), ...args])
  return JSON.parse(await readFile(join(dir, 'option.json'), 'utf8'))
}

/** The flags run.sh gives `mesh publish` for these inputs. */
export function monteCarloFlags (o: OptionInputs): string[] {
  const params = [`S0=${o.S0}`, `K=${o.K}`, `r=${o.r}`, `sigma=${o.sigma}`, `T=${o.T}`, `paths:u32=${o.paths}`]
  return [
    '--kernel', 'wgsl', '--wgsl', join(example, 'option.wgsl'), '--name', 'monte-carlo-option',
    '--items', String(o.items), '--out-cols', '3', '--reduce', 'sum', '--seed', o.seed,
    ...params.flatMap(param => ['--param', param]),
    '--flops-per-item', String(o.paths * 40), '--items-per-chunk', String(o.itemsPerChunk)
  ]
}

export interface MonteCarloProject {
  readonly manifest: ProjectManifest
  readonly option: OptionInputs
}

/** Publishes the example on `researcher` as `mesh publish` would: the WGSL compiled and tried on this machine's device first. */
export async function publishMonteCarlo (researcher: BenchPeer, spec: MonteCarloSpec): Promise<MonteCarloProject> {
  const option = await makeOptionInputs(join(researcher.dir, 'option'), spec)
  const args = [...monteCarloFlags(option), ...(spec.spotCheck != null ? ['--spot-check', String(spec.spotCheck)] : [])]
  const { values } = parseArgs({ args, options: { ...publishCommand.options, ...globalOptionSpec }, strict: true })
  const loaded = await loadProject(requestFromOptions(values))
  return { manifest: await publish(researcher, loaded.spec), option }
}

export interface OptionEstimate {
  readonly price: number
  readonly stdError: number
  readonly paths: number
  /** (price - Black-Scholes) / standard error. */
  readonly z: number
}

/** The price and its standard error from the reduced row [sum of payoffs, sum of squares, paths]. */
export function optionEstimate (sums: ArrayLike<number>, o: OptionInputs): OptionEstimate {
  const [sum, sumSq, paths] = [sums[0]!, sums[1]!, sums[2]!]
  const discount = Math.exp(-o.r * o.T)
  const mean = sum / paths
  const price = discount * mean
  const stdError = discount * Math.sqrt((sumSq / paths - mean * mean) / (paths - 1))
  return { price, stdError, paths, z: (price - o.blackScholes) / stdError }
}

/** Every path was simulated once, and the price is a price: a wrong export fails the benchmark. */
export function checkEstimate (estimate: OptionEstimate, option: OptionInputs, what: string): OptionEstimate {
  const paths = option.items * option.paths
  // The export is fp32: the count as its nearest float.
  if (Math.fround(estimate.paths) !== Math.fround(paths)) throw new Error(`${what}: the export counts ${estimate.paths} paths, not ${paths}`)
  if (!(Math.abs(estimate.z) <= 6)) throw new Error(`${what}: price ${estimate.price} ± ${estimate.stdError} is ${estimate.z.toFixed(1)} standard errors off Black-Scholes ${option.blackScholes}`)
  return estimate
}

/** The project's export (`mesh export --format json`): its one reduced row. */
export async function exportedSums (researcher: BenchPeer, projectId: string): Promise<number[]> {
  const out = join(researcher.dir, `${projectId}.json`)
  await exportProject(researcher.store, projectId, 'json', out)
  const rows: number[][] = JSON.parse(await readFile(out, 'utf8'))
  if (rows.length !== 1 || rows[0]!.length !== 3) throw new Error(`the Monte Carlo export is not one row of three sums: ${JSON.stringify(rows).slice(0, 200)}`)
  return rows[0]!
}

/** The project's chunks as a volunteer's device gets them: the manifest's ranges and params (index-only items carry no rows). */
export function chunkWorks (manifest: ProjectManifest): ChunkWork[] {
  const kernel = getKernel(manifest.kernel)
  const params = kernel.parseParams(manifest.params)
  const items = manifest.inputs.find(input => input.name === kernel.splitInput)!.rows
  return planChunks(items, manifest.rowsPerChunk).map(range => ({ kernel: manifest.kernel, params, range, rows: new Float32Array(0), rowCols: 0, shared: {} }))
}
