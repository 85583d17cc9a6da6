import { KernelInputError } from '../../kernel.ts'
import { parseRoundsParams, type RoundsParams } from '../../rounds.ts'

/**
 * k-means (Lloyd's algorithm) as a rounds project: the state is the k x D
 * centroids, one round is one assignment and update step. Each chunk's row
 * carries, per centroid, the sum of its points and their count (the
 * weighted-mean aggregator divides one by the other), then the chunk's
 * inertia.
 */
export interface KmeansParams {
  readonly k: number
  /** aggregate is always 'weighted-mean'. */
  readonly rounds: RoundsParams
}

/** Centroids a project may ask for; a chunk's row holds k x (D + 1) + 1 values. */
export const MAX_K = 4096
/** The most values of one chunk's row (16 MiB of fp32): bounds k x D for the wire and the researcher's memory. */
export const MAX_ROW_VALUES = 1 << 22

/** Validates params from a manifest (untrusted JSON); throws KernelInputError with one line. */
export function parseKmeansParams (value: unknown): KmeansParams {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KernelInputError('kmeans params must be an object { k, rounds }')
  }
  const { k, rounds, ...rest } = value as Record<string, unknown>
  const extra = Object.keys(rest)
  if (extra.length > 0) throw new KernelInputError(`kmeans: unknown params ${extra.join(', ')}`)
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new KernelInputError(`kmeans: k must be an integer from 1 to ${MAX_K} (got ${String(k)})`)
  }
  const parsed = parseRoundsParams(rounds)
  if (parsed.aggregate !== 'weighted-mean') {
    throw new KernelInputError(`kmeans: rounds must aggregate by weighted-mean (sums and counts of each centroid's points), not ${parsed.aggregate}`)
  }
  return { k, rounds: parsed }
}
