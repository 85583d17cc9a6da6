import type { ComputeDevice } from '../src/compute/device.ts'
import { RowFold } from '../src/compute/reduce.ts'
import type { ChunkWork } from '../src/compute/kernel.ts'
import { checkEstimate, chunkWorks, exportedSums, optionEstimate, publishMonteCarlo, type MonteCarloSpec } from './lib/monte-carlo.ts'
import { runProject, type ProjectRunFigures } from './lib/project-run.ts'
import { withSession } from './lib/session.ts'
import { nowMs } from './lib/stats.ts'

export interface MeshVsLocalOptions extends MonteCarloSpec {
  /** Passes of (local, mesh), in alternating order; each side's fastest is kept (the machine may be busy with other work). */
  readonly repeats: number
}

export interface MeshVsLocalFigures {
  /** Local time over mesh wall time (first lease to done): the mesh's throughput over the device's own. */
  readonly meshVsLocal: number
  readonly meshVsLocalMeshMs: number
  readonly meshVsLocalLocalMs: number
  /** The volunteer's reported compute time in the fastest mesh run: what the device did of the mesh's wall time. */
  readonly meshVsLocalMeshComputeMs: number
  /** That compute time over the mesh's wall time: how busy the mesh kept the device. */
  readonly meshVsLocalDeviceBusy: number
  /** Each pass's pair, in the order run. */
  readonly meshVsLocalPasses: Array<{ localMs: number, meshMs: number, meshComputeMs: number }>
  readonly meshVsLocalChunks: number
  readonly meshVsLocalItemsPerChunk: number
  readonly meshVsLocalPrice: number
  readonly meshVsLocalStdError: number
}

/**
 * One volunteer computing the Monte Carlo example through the mesh (a
 * researcher peer on loopback, leases, hand-ins, verification) against the
 * same chunks (same params, same ranges) run back to back on the same
 * compute device, opened as a volunteer opens it (its own process), with no
 * network. Both must give the same sums.
 */
export async function benchMeshVsLocal (options: MeshVsLocalOptions): Promise<MeshVsLocalFigures> {
  return await withSession(async session => {
    const device = await session.openDevice()
    const researcher = await session.startResearcher()
    const volunteer = await session.startVolunteer(researcher, device)
    const passes: Array<{ localMs: number, meshMs: number, meshComputeMs: number }> = []
    let last
    for (let pass = 0; pass < options.repeats; pass++) {
      // The same seed every pass: the same numbers, so every run's sums must agree.
      // No spot checks: here they would recompute chunks on the volunteer's own cores, which a
      // researcher on another machine does not (the volunteer never waits for them).
      const { manifest, option } = await publishMonteCarlo(researcher, { ...options, spotCheck: 0 })
      const works = chunkWorks(manifest)
      // The pipeline is compiled once, before either side is timed.
      if (pass === 0) await device.run(works[0]!)
      let local: Awaited<ReturnType<typeof runLocally>> | undefined
      let mesh: ProjectRunFigures | undefined
      const timeLocal = async (): Promise<void> => { local = await runLocally(device, works) }
      const timeMesh = async (): Promise<void> => { mesh = await runProject(researcher, [volunteer], manifest, { acceptCustomWgsl: true }) }
      for (const side of pass % 2 === 0 ? [timeLocal, timeMesh] : [timeMesh, timeLocal]) await side()
      const sums = await exportedSums(researcher, manifest.id)
      checkSameSums(local!.sums, sums)
      passes.push({ localMs: local!.ms, meshMs: mesh!.leasedWallMs, meshComputeMs: mesh!.computeMs })
      last = { manifest, estimate: checkEstimate(optionEstimate(sums, option), option, 'mesh vs local') }
      console.error(`  mesh vs local: ${works.length} chunks of ${manifest.rowsPerChunk} items: local ${local!.ms.toFixed(0)} ms, ` +
        `mesh ${mesh!.leasedWallMs.toFixed(0)} ms (${mesh!.computeMs.toFixed(0)} ms on the device)`)
    }
    const localMs = Math.min(...passes.map(p => p.localMs))
    const fastest = passes.reduce((a, b) => b.meshMs < a.meshMs ? b : a)
    return {
      meshVsLocal: localMs / fastest.meshMs,
      meshVsLocalMeshMs: fastest.meshMs,
      meshVsLocalLocalMs: localMs,
      meshVsLocalMeshComputeMs: fastest.meshComputeMs,
      meshVsLocalDeviceBusy: fastest.meshComputeMs / fastest.meshMs,
      meshVsLocalPasses: passes,
      meshVsLocalChunks: last!.manifest.chunkCount,
      meshVsLocalItemsPerChunk: last!.manifest.rowsPerChunk,
      meshVsLocalPrice: last!.estimate.price,
      meshVsLocalStdError: last!.estimate.stdError
    }
  })
}

/** The chunks back to back on `device`, folded as the researcher folds them at export. */
async function runLocally (device: ComputeDevice, works: readonly ChunkWork[]): Promise<{ ms: number, sums: Float32Array }> {
  const fold = new RowFold('sum', 3)
  const started = nowMs()
  for (const work of works) fold.add(await device.run(work))
  return { ms: nowMs() - started, sums: fold.result() }
}

function checkSameSums (local: ArrayLike<number>, mesh: ArrayLike<number>): void {
  for (let j = 0; j < 3; j++) {
    if (!(Math.abs(local[j]! - mesh[j]!) <= 1e-6 * Math.abs(local[j]!))) {
      throw new Error(`mesh vs local: the mesh's sums ${Array.from(mesh).join(', ')} differ from the local run's ${Array.from(local).join(', ')}`)
    }
  }
}
