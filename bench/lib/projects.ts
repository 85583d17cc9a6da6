import { generateMatrix } from '../../src/compute/data/generate.ts'
import { buildProject } from '../../src/node/publish/project-builder.ts'
import { FIXED_TIME_KERNEL_ID, useFixedTimeKernel } from './fixed-time-kernel.ts'
import type { BenchPeer } from './peers.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'
import type { ProjectManifest } from '../../src/protocols/manifest-codec.ts'

/** Publishes a project on `researcher` (inputs in its blob store, manifest stored) and starts coordinating it. */
export async function publish (researcher: BenchPeer, spec: Parameters<typeof buildProject>[0]): Promise<ProjectManifest> {
  const manifest = await buildProject(spec, { privateKey: researcher.privateKey, blobs: researcher.blobs })
  await researcher.store.projects.put(manifest.id, manifest.signedBytes)
  await researcher.coordinator!.addProject(manifest)
  return manifest
}

/** `chunks` chunks of one row of `cols` floats each, every chunk taking `chunkMs` on a FixedTimeDevice. */
export async function publishFixedTime (researcher: BenchPeer, options: { chunks: number, cols: number, chunkMs: number, seed?: number }): Promise<ProjectManifest> {
  useFixedTimeKernel()
  return await publish(researcher, {
    name: `fixed-time ${options.chunks} x ${options.chunkMs} ms`,
    kernel: FIXED_TIME_KERNEL_ID,
    params: { chunkMs: options.chunkMs },
    inputs: [{ name: 'a', matrix: generateMatrix(options.chunks, options.cols, options.seed ?? 1) }],
    rowsPerChunk: 1,
    verification: { redundancy: 1, spotCheck: 0 }
  })
}

/** A matmul project with seeded inputs and the verification a plain `mesh publish` gets. */
export async function publishMatmul (researcher: BenchPeer, options: { m: number, k: number, n: number, rowsPerChunk: number, seed?: number }): Promise<{ manifest: ProjectManifest, a: Matrix, b: Matrix }> {
  const seed = options.seed ?? 7
  const a = generateMatrix(options.m, options.k, seed)
  const b = generateMatrix(options.k, options.n, seed + 1)
  const manifest = await publish(researcher, {
    name: `matmul ${options.m}x${options.k}x${options.n}`,
    kernel: 'matmul',
    inputs: [{ name: 'a', matrix: a }, { name: 'b', matrix: b }],
    rowsPerChunk: options.rowsPerChunk
  })
  return { manifest, a, b }
}
