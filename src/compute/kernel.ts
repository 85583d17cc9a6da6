import { InputError } from '../errors.ts'
import type { GpuKernelProgram } from './gpu-program.ts'
import type { ReduceOp } from './reduce.ts'
import type { RoundsParams } from './rounds.ts'

/**
 * The contract between a project's kernel and the rest of the mesh.
 *
 * Every built-in kernel splits its work by rows: the row-split input (matmul's
 * A, map's dataset) is cut into row ranges, each chunk computes the matching
 * rows of the fp32 row-major output, and the output is assembled by placing
 * each chunk's rows at its offset. Other inputs (matmul's B) are shared by
 * every chunk and travel once per volunteer as content-addressed blobs.
 */

/** A 2-D fp32 matrix input, described by shape (its bytes live in the blob store). */
export interface InputShape {
  readonly name: string
  readonly rows: number
  readonly cols: number
}

/** The rows [rowStart, rowEnd) of the output that one chunk computes. */
export interface ChunkRange {
  readonly index: number
  readonly rowStart: number
  readonly rowEnd: number
}

/** Everything a device needs to compute one chunk. */
export interface ChunkWork<P = unknown> {
  readonly kernel: string
  readonly params: P
  readonly range: ChunkRange
  /** The chunk's rows of the row-split input, row-major: (rowEnd - rowStart) x cols. */
  readonly rows: Float32Array
  /** Columns of the row-split input. */
  readonly rowCols: number
  /** Shared inputs by name (matmul: `b`), with their shapes; in a rounds project `state` is the round's state. */
  readonly shared: Readonly<Record<string, SharedMatrix>>
  /** The round this chunk belongs to (0-based); 0 outside rounds projects. */
  readonly round?: number
}

export interface SharedMatrix {
  readonly data: Float32Array
  readonly rows: number
  readonly cols: number
}

/** A round the researcher has just closed, for the kernel's figures. */
export interface ClosedRound {
  readonly round: number
  /** The state the round's chunks read, and the state they folded into. */
  readonly previous: Float32Array
  readonly state: Float32Array
  /** The kernel's extra columns, summed over the round's verified chunks. */
  readonly extras: Float64Array
  /** Inputs only the researcher holds (see Kernel.researcherInputs), by name. */
  readonly researcherInputs: Readonly<Record<string, SharedMatrix>>
}

/** How a rounds project's final state is written by `mesh export`. */
export type StateExport =
  /** A matrix (npy, CSV or JSON), with an optional JSON file beside it (`<path>.<suffix>`: a label mapping). */
  | { readonly kind: 'matrix', readonly rows: number, readonly cols: number, readonly data: Float32Array, readonly sidecar?: { readonly suffix: string, readonly value: unknown } }
  /** A JSON document only (a model with several matrices). */
  | { readonly kind: 'json', readonly value: unknown }

export interface CompareResult {
  readonly ok: boolean
  readonly maxAbsError: number
  readonly maxRelError: number
  /** First element index outside tolerance, when not ok. */
  readonly firstMismatch?: number
}

/** The limits of a device that bound how large a chunk may be. */
export interface DeviceLimits {
  readonly maxStorageBufferBindingSize: number
  readonly maxBufferSize: number
  readonly maxComputeWorkgroupsPerDimension: number
}

/** An output that is an image: item i is pixel (i mod width, i div width). */
export interface ImageSize {
  readonly width: number
  readonly height: number
}

export interface Kernel<P = unknown> {
  readonly id: string
  readonly description: string
  /** True when the kernel runs researcher-written WGSL: volunteers must accept it. */
  readonly customCode: boolean
  /** Name of the row-split input. */
  readonly splitInput: string
  /** Names of the shared inputs. */
  sharedInputs (params: P): string[]
  /** Validates and normalises params from JSON; throws KernelInputError. */
  parseParams (value: unknown): P
  /** Checks the inputs' shapes against each other and the params; throws KernelInputError. */
  validateInputs (params: P, inputs: readonly InputShape[]): void
  /** Columns of the output (its rows are the split input's rows). */
  outputCols (params: P, inputs: readonly InputShape[]): number
  /** Floating-point operations of one chunk, for credit and throughput (0 when not known). */
  flops (params: P, inputs: readonly InputShape[], range: ChunkRange): number
  /** False when the kernel cannot count its FLOPs (researcher WGSL without a stated count): figures say unknown. Absent means true. */
  flopsKnown? (params: P): boolean
  /**
   * A fold of every item's output row into one: each chunk's result is then
   * one row (folded on the device), and the chunks' rows are folded into the
   * project's result. Absent or undefined: a chunk returns its rows, placed
   * in order.
   */
  reduce? (params: P): ReduceOp | undefined
  /** The output forms an image of this size (exported as PNG besides npy/CSV/JSON). */
  image? (params: P): ImageSize | undefined
  /** Largest rows per chunk whose device buffers fit within the limits. */
  maxRowsPerChunk (params: P, inputs: readonly InputShape[], limits: DeviceLimits): number
  /** Tolerance compare of two results of the same chunk (never bitwise). */
  compare (params: P, inputs: readonly InputShape[], expected: Float32Array, actual: Float32Array): CompareResult
  /** The CPU reference computation of one chunk. */
  cpuReference (work: ChunkWork<P>): Float32Array
  /**
   * False when no CPU reference can exist (map: the researcher's function is
   * WGSL); such a kernel's results are verified by redundancy only, and
   * cpuReference throws. Absent means true.
   */
  readonly hasCpuReference?: boolean
  /**
   * An iterative kernel's rounds (see rounds.ts); undefined for a one-pass
   * project. A rounds project's chunks each return one row of outputCols:
   * the aggregator's part, then roundExtraCols extras.
   */
  rounds? (params: P): RoundsParams | undefined
  /** Trailing columns of a round chunk's row, summed over the round for its figures (absent: 0). */
  roundExtraCols? (params: P): number
  /** Figures of a closed round, computed on the researcher: a loss from the extras, accuracy on a researcher input. */
  roundFigures? (params: P, round: ClosedRound): Record<string, number>
  /** Inputs only the researcher holds and reads (a held-out test set): never leased, never fetched by volunteers. */
  researcherInputs? (params: P): string[]
  /** How the final state is exported (absent: the state matrix as it is). */
  exportState? (params: P, state: Float32Array, stateShape: { readonly rows: number, readonly cols: number }): StateExport
  /** How the kernel runs on a WebGPU device (absent: CPU reference only). */
  readonly gpu?: GpuKernelProgram<P>
}

/** A kernel's input or params are wrong: one line naming the problem. */
export class KernelInputError extends InputError {
  override name = 'KernelInputError'
}

/** Output rows of one chunk: one when the kernel folds its items, else one per row of the chunk. */
export function chunkOutputRows<P> (kernel: Pick<Kernel<P>, 'reduce' | 'rounds'>, params: P, range: ChunkRange): number {
  return kernel.reduce?.(params) != null || kernel.rounds?.(params) != null ? 1 : range.rowEnd - range.rowStart
}

/** Splits `rows` rows into ranges of at most `rowsPerChunk`. */
export function planChunks (rows: number, rowsPerChunk: number): ChunkRange[] {
  if (!Number.isInteger(rowsPerChunk) || rowsPerChunk < 1) {
    throw new KernelInputError(`rows per chunk must be a positive integer (got ${rowsPerChunk})`)
  }
  const ranges: ChunkRange[] = []
  for (let start = 0, index = 0; start < rows; start += rowsPerChunk, index++) {
    ranges.push({ index, rowStart: start, rowEnd: Math.min(rows, start + rowsPerChunk) })
  }
  return ranges
}
