import type { ComputeDevice } from '../src/compute/device.ts'
import { getKernel } from '../src/compute/kernels/index.ts'
import { exportProject } from '../src/node/coordinator/index.ts'
import { readNpyMatrix } from '../src/compute/data/npy.ts'
import { publishMatmul } from './lib/projects.ts'
import type { BenchPeer } from './lib/peers.ts'
import { runProject } from './lib/project-run.ts'
import { withSession } from './lib/session.ts'
import { join } from 'node:path'

export interface EndToEndOptions {
  readonly volunteers: number
  /** Square matmul size on a software or CPU device; a core adapter gets `gpuSize`. */
  readonly size: number
  readonly gpuSize: number
  readonly chunks: number
}

export interface EndToEndFigures {
  /** Sum of the chunks' compute time over (volunteers x wall time). */
  readonly endToEndEfficiency: number
  readonly endToEndWallMs: number
  readonly endToEndComputeMs: number
  readonly endToEndSize: number
  readonly endToEndChunks: number
  readonly endToEndVolunteers: number
  /** Whole-project throughput: the product's FLOPs over the wall time. */
  readonly endToEndGflops: number
}

/**
 * A real matmul project (the verification a plain `mesh publish` gets) on
 * one researcher and `volunteers` volunteers on loopback, each with its own
 * compute device (Mesa's software WebGPU here, the GPU on a GPU machine);
 * the export is checked against the CPU reference on sampled rows.
 */
export async function benchEndToEnd (options: EndToEndOptions): Promise<EndToEndFigures> {
  return await withSession(async session => {
    const devices: ComputeDevice[] = []
    for (let i = 0; i < options.volunteers; i++) devices.push(await session.openDevice())
    const n = devices[0].info.featureLevel === 'core' ? options.gpuSize : options.size
    const researcher = await session.startResearcher()
    const { manifest, a, b } = await publishMatmul(researcher, { m: n, k: n, n, rowsPerChunk: Math.ceil(n / options.chunks) })
    const volunteers: BenchPeer[] = []
    for (const device of devices) volunteers.push(await session.startVolunteer(researcher, device))
    const { wallMs, computeMs } = await runProject(researcher, volunteers, manifest)
    await checkExport(researcher, manifest.id, a, b)
    console.error(`  end-to-end: ${n}^3 in ${manifest.chunkCount} chunks on ${options.volunteers} volunteers (${devices[0].info.description}): ${wallMs.toFixed(0)} ms wall, ${computeMs.toFixed(0)} ms compute`)
    return {
      endToEndEfficiency: computeMs / (options.volunteers * wallMs),
      endToEndWallMs: wallMs,
      endToEndComputeMs: computeMs,
      endToEndSize: n,
      endToEndChunks: manifest.chunkCount,
      endToEndVolunteers: options.volunteers,
      endToEndGflops: 2 * n ** 3 / wallMs / 1e6
    }
  })
}

/** The exported product equals the CPU reference on a few sampled rows. */
async function checkExport (researcher: BenchPeer, projectId: string, a: { rows: number, cols: number, data: Float32Array }, b: { rows: number, cols: number, data: Float32Array }): Promise<void> {
  const out = join(researcher.dir, 'C.npy')
  await exportProject(researcher.store, projectId, 'npy', out)
  const c = await readNpyMatrix(out)
  const kernel = getKernel('matmul')
  const rows = [0, Math.floor(a.rows / 2), a.rows - 1]
  for (const row of rows) {
    const expected = kernel.cpuReference({ kernel: 'matmul', params: {}, range: { index: 0, rowStart: row, rowEnd: row + 1 }, rows: a.data.subarray(row * a.cols, (row + 1) * a.cols), rowCols: a.cols, shared: { b } })
    const compared = kernel.compare({}, [{ name: 'a', rows: 1, cols: a.cols }, { name: 'b', rows: b.rows, cols: b.cols }], expected, c.data.subarray(row * b.cols, (row + 1) * b.cols))
    if (!compared.ok) throw new Error(`end-to-end export row ${row} differs from the CPU reference: ${JSON.stringify(compared)}`)
  }
}
