import type { GpuCapabilities } from '../../gpu-program.ts'

/**
 * A matmul tile shape: each workgroup computes a bm x bn block of C, stepping
 * through K bk at a time via workgroup memory; each invocation computes
 * tm x tn of it in registers (register blocking). tm and tn are multiples of
 * 4 (values move as vec4). `prefetch` loads the next K-tile into registers
 * while the current one is multiplied.
 */
export interface MatmulTile {
  readonly bm: number
  readonly bn: number
  readonly bk: number
  readonly tm: number
  readonly tn: number
  readonly prefetch: boolean
}

/**
 * The tile used for each kind of device, per program variant: `aligned` when
 * the chunk's shape is a multiple of the tile, `general` otherwise.
 */
export interface TileChoice {
  readonly aligned: MatmulTile
  readonly general: MatmulTile
}

/**
 * Chosen on the device tool's H100 (bench/RESULTS-matmul.md): bk 16 is the
 * fastest aligned tile; with per-element bounds checks bk 8 is faster.
 */
export const discreteGpuTiles: TileChoice = {
  aligned: { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8, prefetch: true },
  general: { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8, prefetch: true }
}

/** Chosen on Mesa llvmpipe, where invocations are SIMD lanes of CPU threads: much work per invocation. */
const softwareTile: MatmulTile = { bm: 128, bn: 128, bk: 16, tm: 16, tn: 16, prefetch: true }
export const softwareTiles: TileChoice = { aligned: softwareTile, general: softwareTile }

/** Always fits WebGPU's default limits; the last resort when a tuned tile does not fit. */
const baselineTile: MatmulTile = { bm: 32, bn: 32, bk: 8, tm: 4, tn: 4, prefetch: false }
export const baselineTiles: TileChoice = { aligned: baselineTile, general: baselineTile }

/** The fewest rows any tile covers per workgroup: bounds the rows one dispatch can reach. */
export const smallestTileRows = Math.min(...[discreteGpuTiles, softwareTiles, baselineTiles].flatMap(c => [c.aligned.bm, c.general.bm]))

export function tileThreads (tile: MatmulTile): number {
  return (tile.bm / tile.tm) * (tile.bn / tile.tn)
}

export function tileWorkgroupBytes (tile: MatmulTile): number {
  return (tile.bm + tile.bn) * tile.bk * 4
}

export function tileKey (tile: MatmulTile): string {
  return `${tile.bm}x${tile.bn}x${tile.bk}-${tile.tm}x${tile.tn}${tile.prefetch ? '-p' : ''}`
}

/** Checks a tile is well-formed (all generated code relies on these). */
export function checkTile (tile: MatmulTile): void {
  const { bm, bn, bk, tm, tn } = tile
  const whole = [bm, bn, bk, tm, tn].every(n => Number.isInteger(n) && n > 0)
  if (!whole || tm % 4 !== 0 || tn % 4 !== 0 || bm % tm !== 0 || bn % tn !== 0 || bk % 4 !== 0) {
    throw new RangeError(`bad matmul tile ${tileKey(tile)}: need tm, tn, bk multiples of 4 dividing bm, bn`)
  }
}

export function tileFits (tile: MatmulTile, capabilities: GpuCapabilities): boolean {
  const { limits } = capabilities
  return tileThreads(tile) <= limits.maxComputeInvocationsPerWorkgroup &&
    tileWorkgroupBytes(tile) <= limits.maxComputeWorkgroupStorageSize
}

/** The tuned tiles for this kind of device, or the baseline when they do not fit its limits. */
export function chooseTiles (capabilities: GpuCapabilities): TileChoice {
  const preferred = capabilities.featureLevel === 'core' ? discreteGpuTiles : softwareTiles
  return tileFits(preferred.aligned, capabilities) && tileFits(preferred.general, capabilities) ? preferred : baselineTiles
}

/** Whether an m x k by k x n product can use the aligned (unchecked, vec4) program of this tile. */
export function isAligned (tile: MatmulTile, m: number, k: number, n: number): boolean {
  return m % tile.bm === 0 && n % tile.bn === 0 && k % tile.bk === 0
}

/** Parses "bm,bn,bk,tm,tn[,p]" (benchmarks and tuning runs). */
export function parseTile (text: string): MatmulTile {
  const parts = text.split(',').map(s => s.trim())
  const [bm, bn, bk, tm, tn] = parts.slice(0, 5).map(Number) as [number, number, number, number, number]
  const tile = { bm, bn, bk, tm, tn, prefetch: parts[5] === 'p' }
  checkTile(tile)
  return tile
}
