import { KernelInputError, type ChunkWork } from '../../kernel.ts'
import type { GpuCapabilities, GpuDispatch, GpuProgramSource } from '../../gpu-program.ts'
import { chooseTiles, isAligned, tileKey, type MatmulTile } from './tiles.ts'
import { matmulWgsl } from './wgsl.ts'

/** The general (any shape) program of the tile this device prefers. */
export function matmulProgram (_params: unknown, _inputs: unknown, capabilities: GpuCapabilities): GpuProgramSource {
  return programFor(chooseTiles(capabilities).general, false)
}

/** Plans with the aligned tile when the chunk's shape is a multiple of it, else the general one. */
export function planMatmul (work: ChunkWork<unknown>, capabilities: GpuCapabilities): GpuDispatch {
  const tiles = chooseTiles(capabilities)
  const n = work.shared.b?.cols ?? 0
  const m = work.range.rowEnd - work.range.rowStart
  return planMatmulWithTile(work, isAligned(tiles.aligned, m, work.rowCols, n) ? tiles.aligned : tiles.general)
}

/** One chunk's dispatch with a given tile (benchmarks try several). */
export function planMatmulWithTile (work: ChunkWork<unknown>, tile: MatmulTile): GpuDispatch {
  const b = work.shared.b
  if (b == null) throw new KernelInputError('matmul: the shared input b is missing')
  const m = work.range.rowEnd - work.range.rowStart
  const k = work.rowCols
  const n = b.cols
  if (b.rows !== k || work.rows.length !== m * k) {
    throw new KernelInputError(`matmul: chunk of ${m}x${k} does not match B ${b.rows}x${b.cols}`)
  }
  const aligned = isAligned(tile, m, k, n)
  return {
    program: programFor(tile, aligned),
    uniforms: new Uint32Array([m, n, k, Math.ceil(k / tile.bk)]),
    inputs: [{ data: work.rows, immutable: false }, { data: b.data, immutable: true }],
    outputLength: m * n,
    workgroups: [Math.ceil(n / tile.bn), Math.ceil(m / tile.bm), 1]
  }
}

const programs = new Map<string, GpuProgramSource>()

function programFor (tile: MatmulTile, aligned: boolean): GpuProgramSource {
  const key = `matmul/${tileKey(tile)}/${aligned ? 'aligned' : 'general'}`
  let program = programs.get(key)
  if (program == null) {
    program = { key, code: matmulWgsl(tile, aligned), entryPoint: 'main', output: { variable: 'c', element: aligned ? 'vec4<f32>' : 'f32' } }
    programs.set(key, program)
  }
  return program
}
