import { join } from 'node:path'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'
import { exportProject } from '../../src/node/coordinator/index.ts'
import { kmeansSpec } from '../../src/node/publish/kmeans-spec.ts'
import type { ProjectSpec } from '../../src/node/publish/project-builder.ts'
import { trainSpec, type TrainPublishRequest } from '../../src/node/publish/train-spec.ts'
import type { ProjectManifest } from '../../src/protocols/manifest-codec.ts'
import type { SoftmaxModel } from '../../test/support/centralised-train.ts'
import { blobHeader, blobRows, writeCsv } from '../../test/support/train-data.ts'
import type { BenchPeer } from './peers.ts'
import { publish } from './projects.ts'

/**
 * The rounds benchmark's projects, made as `mesh publish --kernel kmeans|train`
 * makes them (kmeansSpec, trainSpec from files on disk) and published on the
 * researcher. No spot checks: on this machine they would recompute chunks on
 * the cores the volunteers share, which a researcher on its own machine does not.
 */

const NO_SPOT_CHECKS = { redundancy: 1, spotCheck: 0 }

export interface KmeansProjectOptions {
  readonly k: number
  readonly rounds: number
  readonly rowsPerChunk: number
  /** Draws the initial centroids (k points of the data). */
  readonly seed: number
  readonly name: string
}

export interface PublishedProject {
  readonly manifest: ProjectManifest
  readonly spec: ProjectSpec
}

/** `mesh publish --kernel kmeans --data points.npy --k K --seed S --rounds R` with the points written as .npy. */
export async function publishKmeans (researcher: BenchPeer, points: Matrix, options: KmeansProjectOptions): Promise<PublishedProject> {
  const dataPath = join(researcher.dir, 'kmeans-points.npy')
  await writeNpyMatrix(dataPath, points)
  const spec = await kmeansSpec({ kernel: 'kmeans', dataPath, k: options.k, seed: options.seed, rounds: options.rounds, name: options.name },
    { rowsPerChunk: options.rowsPerChunk, verification: NO_SPOT_CHECKS })
  return { manifest: await publish(researcher, spec), spec }
}

export interface TrainProjectOptions {
  /** Labelled points: Gaussian blobs (test/support/train-data.ts), the last `testRows` held out. */
  readonly points: number
  readonly testRows: number
  readonly features: number
  readonly classes: number
  readonly spread: number
  readonly rounds: number
  readonly localEpochs: number
  readonly batch: number
  readonly lr: number
  readonly rowsPerChunk: number
  readonly seed: number
}

/** `mesh publish --kernel train --model softmax --data train.csv --test test.csv ...` on seeded Gaussian blobs. */
export async function publishTrain (researcher: BenchPeer, options: TrainProjectOptions): Promise<PublishedProject & { request: TrainPublishRequest }> {
  const rows = blobRows(options.points, options.features, options.classes, options.spread, false)
  const header = blobHeader(options.features)
  const request: TrainPublishRequest = {
    kernel: 'train',
    dataPath: await writeCsv(researcher.dir, 'train.csv', header, rows.slice(0, options.points - options.testRows)),
    testPath: await writeCsv(researcher.dir, 'test.csv', header, rows.slice(options.points - options.testRows)),
    labelCol: 'label',
    model: 'softmax',
    rounds: options.rounds,
    localEpochs: options.localEpochs,
    batch: options.batch,
    lr: options.lr,
    seed: options.seed
  }
  const spec = await trainSpec(request, { rowsPerChunk: options.rowsPerChunk, verification: NO_SPOT_CHECKS })
  return { manifest: await publish(researcher, spec), spec, request }
}

/** The input of a spec by name. */
export function inputOf (spec: ProjectSpec, name: string): Matrix {
  const input = spec.inputs.find(i => i.name === name)
  if (input == null) throw new Error(`the project ${spec.name} has no input ${name}`)
  return input.matrix
}

/** The final state as `mesh export --format npy` writes it. */
export async function exportedState (researcher: BenchPeer, projectId: string): Promise<Matrix> {
  const out = join(researcher.dir, `${projectId}.npy`)
  await exportProject(researcher.store, projectId, 'npy', out)
  return await readNpyMatrix(out)
}

/** A softmax model's export: (features + 1) x classes, the bias last (its columns are the class indices of the inputs). */
export async function exportedSoftmax (researcher: BenchPeer, projectId: string): Promise<SoftmaxModel> {
  return softmaxOf(await exportedState(researcher, projectId))
}

/** A (features + 1) x classes matrix (the train kernel's softmax state, bias row last) as a model. */
export function softmaxOf (weights: Matrix): SoftmaxModel {
  const rows = Array.from({ length: weights.rows }, (_, r) => Array.from(weights.data.subarray(r * weights.cols, (r + 1) * weights.cols)))
  return { kind: 'softmax', W: rows.slice(0, -1), b: rows.at(-1)! }
}
