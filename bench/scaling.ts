import { FixedTimeDevice } from './lib/fixed-time-kernel.ts'
import { publishFixedTime } from './lib/projects.ts'
import { startResearcher, startVolunteer, stopPeers, type BenchPeer } from './lib/peers.ts'
import { nowMs } from './lib/stats.ts'

export interface ScalingOptions {
  /** Volunteer counts to measure; the first is the baseline (1). */
  readonly volunteers: readonly number[]
  readonly chunkMs: number
  /** Chunks per project: a multiple of every count keeps the work evenly divisible. */
  readonly chunks: number
  /** Passes over every count; each count's fastest run is kept (the machine may be busy with other work). */
  readonly repeats: number
}

export interface ScalingPoint {
  readonly volunteers: number
  readonly wallMs: number
  readonly speedup: number
  readonly efficiency: number
  /** The wall time if the mesh cost nothing: chunks x chunkMs / volunteers. */
  readonly idealMs: number
}

export interface ScalingFigures {
  readonly scalingEfficiency8?: number
  readonly scaling: ScalingPoint[]
  readonly scalingChunkMs: number
  readonly scalingChunks: number
}

/**
 * Wall-time speed-up over one volunteer, divided by the number of
 * volunteers, on fixed-time chunks: each volunteer is a real peer (its own
 * libp2p node, store and volunteer loop) leasing from one researcher over
 * loopback TCP, and its device waits chunkMs per chunk the way a host waits
 * on a GPU, so the figure is the mesh's overhead and not this machine's cores.
 */
export async function benchScaling (options: ScalingOptions): Promise<ScalingFigures> {
  const peers: BenchPeer[] = []
  try {
    const researcher = await startResearcher()
    peers.push(researcher)
    const device = new FixedTimeDevice()
    const volunteers: BenchPeer[] = []
    for (let i = 0; i < Math.max(...options.volunteers); i++) {
      const volunteer = await startVolunteer(researcher, device)
      volunteers.push(volunteer)
      peers.push(volunteer)
    }
    await settle(researcher, volunteers)
    // Passes over every count, keeping each count's fastest: a burst of other work on the machine hits different counts in different passes.
    const best = new Map<number, number>()
    let seed = 2
    for (let pass = 0; pass < options.repeats; pass++) {
      for (const count of options.volunteers) {
        const manifest = await publishFixedTime(researcher, { chunks: options.chunks, cols: 16, chunkMs: options.chunkMs, seed: seed++ })
        const started = nowMs()
        const joined = volunteers.slice(0, count).map(async v => await v.volunteer!.join(manifest))
        const status = await researcher.coordinator!.waitUntilFinished(manifest.id)
        const wallMs = nowMs() - started
        const summaries = await Promise.all(joined)
        if (status !== 'done') throw new Error(`scaling run with ${count} volunteers ended ${status}`)
        best.set(count, Math.min(best.get(count) ?? Infinity, wallMs))
        console.error(`  scaling: ${count} volunteers, ${options.chunks} chunks of ${options.chunkMs} ms in ${wallMs.toFixed(0)} ms (per volunteer ${summaries.map(s => s.chunksComputed).join(' ')})`)
      }
    }
    const points = options.volunteers.map(count => ({ volunteers: count, wallMs: best.get(count)! }))
    const base = points.find(p => p.volunteers === 1)
    if (base == null) throw new Error('the scaling curve needs a 1-volunteer run')
    const scaling = points.map(p => ({
      volunteers: p.volunteers,
      wallMs: p.wallMs,
      speedup: base.wallMs / p.wallMs,
      efficiency: base.wallMs / p.wallMs / p.volunteers,
      idealMs: options.chunks * options.chunkMs / p.volunteers
    }))
    return {
      scalingEfficiency8: scaling.find(p => p.volunteers === 8)?.efficiency,
      scaling,
      scalingChunkMs: options.chunkMs,
      scalingChunks: options.chunks
    }
  } finally {
    await stopPeers(peers)
  }
}

/**
 * Lets the peers' start-up work (identify, DHT routing tables, gossipsub
 * meshes, which hold the event loop for a few hundred ms after 17 peers
 * connect) finish, and warms the code paths with one unmeasured project.
 */
async function settle (researcher: BenchPeer, volunteers: readonly BenchPeer[]): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 1000))
  const warmup = await publishFixedTime(researcher, { chunks: volunteers.length * 4, cols: 16, chunkMs: 5, seed: 1 })
  const joined = volunteers.map(async v => await v.volunteer!.join(warmup))
  await researcher.coordinator!.waitUntilFinished(warmup.id)
  await Promise.all(joined)
  await new Promise(resolve => setTimeout(resolve, 500))
}
