import type { ChunkWork, DeviceLimits, InputShape } from './kernel.ts'

/** The device limits the GPU engine sizes chunks and workgroups by. */
export interface ComputeLimits extends DeviceLimits {
  readonly maxComputeWorkgroupStorageSize: number
  readonly maxComputeInvocationsPerWorkgroup: number
  readonly maxStorageBuffersPerShaderStage: number
}

/** What a kernel may tune its WGSL for. */
export interface GpuCapabilities {
  readonly featureLevel: 'core' | 'compatibility'
  readonly limits: ComputeLimits
}

/** One compiled program: the same key always means the same WGSL, so the device builds it once. */
export interface GpuProgramSource {
  readonly key: string
  readonly code: string
  readonly entryPoint: string
  /**
   * The read_write storage array the program writes its output to, and its
   * element type: on a device that cuts long loops, the loop guard raises a
   * flag in one extra element after the output.
   */
  readonly output?: { readonly variable: string, readonly element: 'f32' | 'vec4<f32>' }
  /** Where researcher-written code sits inside `code`, so compile errors point into their file. */
  readonly userCode?: {
    readonly firstLine: number
    readonly lineCount: number
    /** Said with errors found outside the researcher's lines (e.g. a missing entry function). */
    readonly hint: string
  }
}

/** One read-only storage input of a dispatch. */
export interface GpuInput {
  readonly data: Float32Array
  /**
   * The caller never changes this array's contents (a shared input such as
   * matmul's B): the device uploads it once per array object and reuses the
   * upload for every later chunk.
   */
  readonly immutable: boolean
}

/**
 * One chunk's dispatch. Binding layout (group 0): 0 = uniform `uniforms`,
 * 1..n = read-only storage `inputs` in order, n+1 = read-write storage output
 * of `outputLength` fp32 values.
 */
export interface GpuDispatch {
  readonly program: GpuProgramSource
  readonly uniforms: Uint32Array
  readonly inputs: readonly GpuInput[]
  readonly outputLength: number
  readonly workgroups: readonly [number, number, number]
  /** Turns the dispatch's output into the chunk's result (a reduction folds its workgroups' partial rows). */
  readonly finish?: (output: Float32Array) => Float32Array
}

/** The GPU side of a kernel. */
export interface GpuKernelProgram<P = unknown> {
  /** The program for these params and input shapes (compile checks need no data). */
  program (params: P, inputs: readonly InputShape[], capabilities: GpuCapabilities): GpuProgramSource
  /** The dispatch that computes one chunk. */
  plan (work: ChunkWork<P>, capabilities: GpuCapabilities): GpuDispatch
}
