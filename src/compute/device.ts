import type { ChunkWork, InputShape } from './kernel.ts'
import type { ComputeLimits } from './gpu-program.ts'
import { selectComputeDevice, type DevicePreference } from './device/select.ts'
import { WorkerComputeDevice } from './device/worker-device.ts'

export type { DevicePreference } from './device/select.ts'

export type ComputeBackend = 'vulkan' | 'metal' | 'd3d12' | 'opengles' | 'cpu'

export interface ComputeDeviceInfo {
  readonly backend: ComputeBackend
  readonly featureLevel: 'core' | 'compatibility' | 'cpu'
  /** The adapter as its driver names it, e.g. "nvidia hopper NVIDIA H100 80GB HBM3". */
  readonly description: string
  /** Why each earlier step of the selection order was passed over, in order. */
  readonly fallbackReasons: string[]
  readonly limits: ComputeLimits
}

export interface RunOptions {
  readonly signal?: AbortSignal
}

/** Where chunks are computed: a WebGPU device, or the kernels' CPU references. */
export interface ComputeDevice {
  readonly info: ComputeDeviceInfo
  /** Computes one chunk; runs are serialised on the device. Throws ChunkTooLargeError when over the limits. */
  run (work: ChunkWork, options?: RunOptions): Promise<Float32Array>
  /**
   * Compile-checks a kernel's program for these params and input shapes
   * (researcher WGSL is checked here before a project is published); throws
   * WgslCompileError with the line and column in the researcher's source.
   */
  validateKernel (kernelId: string, params: unknown, inputs: readonly InputShape[]): Promise<void>
  /** Releases the GPU device and its buffers; the process can then exit. */
  destroy (): Promise<void>
}

export interface OpenComputeDeviceOptions {
  /**
   * Where to start in the order core adapter -> compatibility adapter on
   * OpenGL ES -> CPU reference. 'auto' tries all; any other value uses exactly
   * that step. Default: the MESH_GPU env var (core|compat|cpu), else 'auto'.
   */
  readonly prefer?: DevicePreference
  /**
   * Run the device in a worker thread (default true), so chunks that take
   * seconds on a software adapter or the CPU do not stall this thread's
   * event loop. False gives the device object itself (benchmarks use its
   * kernel timing).
   */
  readonly inWorker?: boolean
}

/** Opens the best compute device on this machine (DESIGN.md section 6), recording why each better one was passed over. */
export async function openComputeDevice (options: OpenComputeDeviceOptions = {}): Promise<ComputeDevice> {
  if (options.inWorker === false) return await selectComputeDevice(options.prefer)
  return await WorkerComputeDevice.open(options.prefer)
}
