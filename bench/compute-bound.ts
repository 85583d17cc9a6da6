import { checkEstimate, exportedSums, optionEstimate, publishMonteCarlo, type MonteCarloSpec } from './lib/monte-carlo.ts'
import type { BenchPeer } from './lib/peers.ts'
import { runProject } from './lib/project-run.ts'
import { withSession } from './lib/session.ts'

export interface ComputeBoundOptions extends MonteCarloSpec {
  readonly volunteers: number
}

export interface ComputeBoundFigures {
  /** Sum of the chunks' compute time over (volunteers x wall time from the first lease to done). */
  readonly computeBoundEfficiency: number
  readonly computeBoundWallMs: number
  readonly computeBoundComputeMs: number
  /** Mean compute time of a chunk, as the volunteers reported it (stretched where volunteers share cores). */
  readonly computeBoundChunkMs: number
  readonly computeBoundChunks: number
  readonly computeBoundItemsPerChunk: number
  readonly computeBoundVolunteers: number
  readonly computeBoundPaths: number
  readonly computeBoundPrice: number
  readonly computeBoundStdError: number
  readonly computeBoundBlackScholes: number
}

/**
 * The Monte Carlo option example (a compute-bound custom-WGSL project with
 * `--reduce sum`: three floats back per chunk) on one researcher and
 * `volunteers` volunteers on loopback, each with its own compute device in
 * its own process, with the verification a plain `mesh publish` gets.
 */
export async function benchComputeBound (options: ComputeBoundOptions): Promise<ComputeBoundFigures> {
  return await withSession(async session => {
    // The researcher's spot-check device (the first) is opened before the clock starts too:
    // on a real mesh its start-up takes nothing from the volunteers' machines.
    const [spotCheck, ...devices] = await Promise.all(Array.from({ length: 1 + options.volunteers }, async () => await session.openDevice()))
    const researcher = await session.startResearcher({ openSpotCheckDevice: async () => spotCheck! })
    const { manifest, option } = await publishMonteCarlo(researcher, options)
    const volunteers: BenchPeer[] = []
    for (const device of devices) volunteers.push(await session.startVolunteer(researcher, device))
    const run = await runProject(researcher, volunteers, manifest, { acceptCustomWgsl: true })
    const estimate = checkEstimate(optionEstimate(await exportedSums(researcher, manifest.id), option), option, 'compute-bound')
    console.error(`  compute-bound: ${manifest.chunkCount} chunks of ${manifest.rowsPerChunk} items on ${options.volunteers} volunteers (${devices[0]!.info.description}): ` +
      `${run.leasedWallMs.toFixed(0)} ms wall, ${run.computeMs.toFixed(0)} ms compute; chunks per volunteer ${run.summaries.map(s => s.chunksComputed).join(' ')}; ` +
      `price ${estimate.price.toFixed(4)} ± ${estimate.stdError.toFixed(4)} (Black-Scholes ${option.blackScholes.toFixed(4)}, ${estimate.z.toFixed(2)} standard errors)`)
    return {
      computeBoundEfficiency: run.computeMs / (options.volunteers * run.leasedWallMs),
      computeBoundWallMs: run.leasedWallMs,
      computeBoundComputeMs: run.computeMs,
      computeBoundChunkMs: run.computeMs / run.verifiedChunks,
      computeBoundChunks: manifest.chunkCount,
      computeBoundItemsPerChunk: manifest.rowsPerChunk,
      computeBoundVolunteers: options.volunteers,
      computeBoundPaths: estimate.paths,
      computeBoundPrice: estimate.price,
      computeBoundStdError: estimate.stdError,
      computeBoundBlackScholes: option.blackScholes
    }
  })
}
