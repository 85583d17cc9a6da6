import { KernelInputError } from '../../kernel.ts'
import type { Tolerance } from '../../verify.ts'

/** Limits that keep a researcher's function and its per-row arrays reasonable for any GPU. */
export const MAX_WGSL_BYTES = 64 * 1024
export const MAX_ROW_COLS = 4096

export interface MapParams {
  /** The researcher's WGSL, defining fn map_row (see README: "Writing a map function"). */
  readonly wgsl: string
  readonly outCols: number
  /** How far two volunteers' results may differ (GPUs round transcendental functions differently). */
  readonly tolerance: Tolerance
}

/** Default agreement between devices: WGSL allows sin/cos an absolute error of 2^-11. */
export const defaultMapTolerance: Tolerance = { rel: 1e-4, abs: 1e-3 }

export function parseMapParams (value: unknown): MapParams {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KernelInputError('map params must be an object { wgsl, outCols, tolerance? }')
  }
  const { wgsl, outCols, tolerance, ...rest } = value as Record<string, unknown>
  const extra = Object.keys(rest)
  if (extra.length > 0) throw new KernelInputError(`map: unknown params ${extra.join(', ')}`)
  if (typeof wgsl !== 'string' || wgsl.trim() === '') throw new KernelInputError('map: params.wgsl must be the WGSL source of fn map_row')
  if (Buffer.byteLength(wgsl) > MAX_WGSL_BYTES) throw new KernelInputError(`map: the WGSL source is over ${MAX_WGSL_BYTES / 1024} KiB`)
  if (typeof outCols !== 'number' || !Number.isInteger(outCols) || outCols < 1 || outCols > MAX_ROW_COLS) {
    throw new KernelInputError(`map: out cols must be an integer from 1 to ${MAX_ROW_COLS} (got ${String(outCols)})`)
  }
  return { wgsl, outCols, tolerance: parseTolerance(tolerance) }
}

/** A `{ rel, abs }` tolerance of a researcher-WGSL kernel; the default allows for devices' transcendental functions. */
export function parseTolerance (value: unknown, kernel = 'map'): Tolerance {
  if (value == null) return defaultMapTolerance
  const { rel, abs } = (typeof value === 'object' ? value : {}) as Record<string, unknown>
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0
  if (!valid(rel) || !valid(abs)) throw new KernelInputError(`${kernel}: params.tolerance must be { rel, abs } with non-negative numbers`)
  return { rel, abs }
}
