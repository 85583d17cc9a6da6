import type { PrivateKey } from '@libp2p/interface'
import { InputError } from '../../errors.ts'
import { planChunks, type DeviceLimits, type InputShape, type Kernel } from '../../compute/kernel.ts'
import { getKernel } from '../../compute/kernels/index.ts'
import type { Matrix } from '../../compute/data/matrix.ts'
import type { BlobStore } from '../../store/blob-store.ts'
import { ManifestError, signManifest, type ProjectManifest } from '../../protocols/manifest-codec.ts'
import { MAX_CHUNKS, MAX_DESCRIPTION_LENGTH, MAX_DIMENSION, MAX_NAME_LENGTH, MAX_PARAMS_BYTES, MAX_REDUNDANCY } from '../../protocols/announce.ts'
import type { VerificationPolicy } from '../types.ts'

/** What a researcher asks for: the kernel, its params and its input matrices. */
export interface ProjectSpec {
  readonly name: string
  readonly description?: string
  readonly kernel: string
  /** The kernel's params (JSON-compatible); default {}. */
  readonly params?: unknown
  readonly inputs: ReadonlyArray<{ readonly name: string, readonly matrix: Matrix }>
  /** Default: the split input's rows over TARGET_CHUNK_COUNT, within what any device holds. */
  readonly rowsPerChunk?: number
  readonly verification?: Partial<VerificationPolicy>
}

/** A project spec that cannot become a manifest: one line naming the problem. */
export class ProjectSpecError extends InputError {
  override name = 'ProjectSpecError'
}

/** Enough chunks to spread over a lab's volunteers and to rebalance when one leaves. */
export const TARGET_CHUNK_COUNT = 32

/**
 * WebGPU's default limits, which every adapter supports: chunks sized within
 * them run on any volunteer's device.
 */
export const PORTABLE_DEVICE_LIMITS: DeviceLimits = {
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
  maxComputeWorkgroupsPerDimension: 65_535
}

/**
 * Spot checks by default, so a researcher with one volunteer gets a verified
 * result: kernels with a CPU reference recompute 5% of chunks on the CPU;
 * researcher-written WGSL has none, so 10% of its chunks are recomputed
 * (sampled items) on the researcher's own WebGPU device.
 */
export function defaultVerification (kernel: Pick<Kernel, 'hasCpuReference'>): VerificationPolicy {
  return kernel.hasCpuReference === false ? { redundancy: 1, spotCheck: 0.1 } : { redundancy: 1, spotCheck: 0.05 }
}

export interface BuildProjectOptions {
  readonly privateKey: PrivateKey
  readonly blobs: BlobStore
  readonly limits?: DeviceLimits
  readonly now?: number
}

function checkText (value: string, what: string, max: number, min: number): void {
  if (value.length < min || value.length > max) throw new ProjectSpecError(`project ${what} must have ${min} to ${max} characters (got ${value.length})`)
  if (/[\u0000-\u001f\u007f]/.test(value.replace(/\n/g, ''))) throw new ProjectSpecError(`project ${what} contains control characters`)
}

function resolveVerification (kernel: Kernel, requested: Partial<VerificationPolicy> | undefined): VerificationPolicy {
  const policy = { ...defaultVerification(kernel), ...requested }
  if (!Number.isInteger(policy.redundancy) || policy.redundancy < 1 || policy.redundancy > MAX_REDUNDANCY) {
    throw new ProjectSpecError(`redundancy must be an integer from 1 to ${MAX_REDUNDANCY} (got ${policy.redundancy})`)
  }
  if (!(policy.spotCheck >= 0 && policy.spotCheck <= 1)) {
    throw new ProjectSpecError(`spot-check must be a fraction from 0 to 1 (got ${policy.spotCheck})`)
  }
  if (policy.spotCheck > 0 && kernel.hasCpuReference === false && kernel.gpu == null) {
    throw new ProjectSpecError(`the ${kernel.id} kernel has no reference to spot-check with; verify it with redundancy instead`)
  }
  return policy
}

function resolveRowsPerChunk (requested: number | undefined, rows: number, maxRows: number): number {
  if (requested != null) {
    if (!Number.isInteger(requested) || requested < 1) throw new ProjectSpecError(`rows per chunk must be a positive integer (got ${requested})`)
    if (requested > maxRows) throw new ProjectSpecError(`rows per chunk ${requested} is more than a device can hold for these inputs (at most ${maxRows})`)
    if (Math.ceil(rows / requested) > MAX_CHUNKS) throw new ProjectSpecError(`rows per chunk ${requested} makes more than ${MAX_CHUNKS.toLocaleString('en-US')} chunks; use at least ${Math.ceil(rows / MAX_CHUNKS)}`)
    return Math.min(requested, rows)
  }
  return Math.max(1, Math.ceil(rows / MAX_CHUNKS), Math.min(maxRows, Math.ceil(rows / TARGET_CHUNK_COUNT)))
}

function fp32Bytes (matrix: Matrix): Uint8Array {
  return new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength)
}

/** A spec checked against its kernel: everything of the manifest but the input hashes. */
export interface ProjectPlan {
  readonly kernel: Kernel<any>
  readonly params: unknown
  readonly paramsJson: string
  readonly shapes: InputShape[]
  readonly outputCols: number
  readonly rowsPerChunk: number
  readonly chunkCount: number
  readonly verification: VerificationPolicy
}

/**
 * Checks a spec with its kernel (params, input shapes, chunking, verification)
 * without storing anything. Throws an InputError (ProjectSpecError or the
 * kernel's KernelInputError) for anything the researcher must fix.
 */
export function planProject (spec: ProjectSpec, limits: DeviceLimits = PORTABLE_DEVICE_LIMITS): ProjectPlan {
  checkText(spec.name, 'name', MAX_NAME_LENGTH, 1)
  checkText(spec.description ?? '', 'description', MAX_DESCRIPTION_LENGTH, 0)
  const kernel = getKernel(spec.kernel)
  const params = kernel.parseParams(spec.params ?? {})
  const paramsJson = JSON.stringify(params)
  if (Buffer.byteLength(paramsJson) > MAX_PARAMS_BYTES) {
    throw new ProjectSpecError(`the ${kernel.id} kernel's params are ${Buffer.byteLength(paramsJson)} bytes, more than the ${MAX_PARAMS_BYTES} an announcement carries`)
  }
  const shapes: InputShape[] = spec.inputs.map(({ name, matrix }) => {
    if (matrix.data.length !== matrix.rows * matrix.cols) {
      throw new ProjectSpecError(`input ${name}: ${matrix.data.length} values do not fill ${matrix.rows}x${matrix.cols}`)
    }
    return { name, rows: matrix.rows, cols: matrix.cols }
  })
  kernel.validateInputs(params, shapes)
  const split = shapes.find(shape => shape.name === kernel.splitInput)
  if (split == null) throw new ProjectSpecError(`the ${kernel.id} kernel needs an input named '${kernel.splitInput}'`)
  const maxRows = Math.min(kernel.maxRowsPerChunk(params, shapes, limits), MAX_DIMENSION)
  if (maxRows < 1) throw new ProjectSpecError(`the inputs are too large: not even one row of '${split.name}' fits a device's buffers`)
  const rowsPerChunk = resolveRowsPerChunk(spec.rowsPerChunk, split.rows, maxRows)
  return {
    kernel,
    params,
    paramsJson,
    shapes,
    outputCols: kernel.outputCols(params, shapes),
    rowsPerChunk,
    chunkCount: planChunks(split.rows, rowsPerChunk).length,
    verification: resolveVerification(kernel, spec.verification)
  }
}

/** Plans a spec, stores its inputs as own blobs and returns the signed manifest. */
export async function buildProject (spec: ProjectSpec, options: BuildProjectOptions): Promise<ProjectManifest> {
  const plan = planProject(spec, options.limits)
  const inputs = []
  for (const { name, matrix } of spec.inputs) {
    const blob = await options.blobs.put(fp32Bytes(matrix), { own: true })
    inputs.push({ name, rows: matrix.rows, cols: matrix.cols, hash: blob.hash, size: blob.size })
  }
  try {
    return await signManifest({
      name: spec.name,
      description: spec.description ?? '',
      kernel: plan.kernel.id,
      paramsJson: plan.paramsJson,
      inputs,
      outputCols: plan.outputCols,
      rowsPerChunk: plan.rowsPerChunk,
      chunkCount: plan.chunkCount,
      verification: plan.verification,
      createdAt: options.now ?? Date.now()
    }, options.privateKey)
  } catch (err) {
    if (err instanceof ManifestError) throw new ProjectSpecError(`project manifest: ${err.message}`)
    throw err
  }
}
