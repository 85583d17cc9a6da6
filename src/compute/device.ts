import type { ChunkWork, InputShape } from './kernel.ts'
import type { ComputeLimits } from './gpu-program.ts'
import { findSwiftShaderIcd, LoopFallbackDevice, swiftShaderEnv } from './device/loop-fallback.ts'
import { listWebGpuAdapters, selectComputeDevice, type DevicePreference } from './device/select.ts'
import { ProcessComputeDevice } from './device/process-device.ts'
import type { AdapterList } from './device/adapters.ts'
import type { GpuChoice } from './device/gpu-choice.ts'
import type { MemoryCap } from './device/memory-cap.ts'

export type { DevicePreference } from './device/select.ts'
export type { AdapterList, ComputeAdapter } from './device/adapters.ts'
export type { GpuChoice } from './device/gpu-choice.ts'
export type { MemoryCap } from './device/memory-cap.ts'
export { MemoryCapError } from './device/memory-cap.ts'
export { ProcessComputeDevice } from './device/process-device.ts'

/** Dawn's backends a device may run on ('opengl' and 'd3d11' only when chosen from `mesh gpu --all`), or the CPU references. */
export type ComputeBackend = 'vulkan' | 'metal' | 'd3d12' | 'd3d11' | 'opengles' | 'opengl' | 'cpu'

export interface ComputeDeviceInfo {
  readonly backend: ComputeBackend
  readonly featureLevel: 'core' | 'compatibility' | 'cpu'
  /** The adapter as its driver names it, e.g. "nvidia hopper NVIDIA H100 80GB HBM3". */
  readonly description: string
  /** Why each earlier step of the selection order was passed over, in order. */
  readonly fallbackReasons: string[]
  readonly limits: ComputeLimits
  /**
   * Loop iterations an invocation may run before the driver cuts its loops
   * short (Mesa's llvmpipe: 65,535); null when the probe found no cut; absent
   * on the CPU reference.
   */
  readonly loopBudget?: number | null
  /** Where each probe saw the cut: one long loop, nested loops, loops in sequence. */
  readonly loopProbe?: { readonly single: number | null, readonly nested: number | null, readonly sequence: number | null }
  /** What the compute process's memory cap covers (maxMemoryMiB); absent without one. */
  readonly memoryCap?: MemoryCap
}

export interface RunOptions {
  /**
   * Stops waiting for the run. The isolated device (the default of
   * openComputeDevice) also kills its process, so even a hung shader stops.
   */
  readonly signal?: AbortSignal
  /**
   * The run's time limit: past it the isolated device kills its process and
   * the run rejects with KernelTimeoutError; the next run starts a fresh
   * process. A device in this process (`inWorker: false`) ignores it.
   */
  readonly timeoutMs?: number
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
   * The adapter to use where there are several (`--gpu N|NAME`): its index in
   * listComputeAdapters' list (`mesh gpu --all`), or text its name or
   * description contains, any case (the first such). Exactly that adapter
   * opens, whatever `prefer` and MESH_GPU say; a choice naming none throws
   * an InputError listing the adapters found.
   */
  readonly gpu?: GpuChoice
  /**
   * Run the device isolated (default true): despite the name, in a child
   * process (ProcessComputeDevice), not a worker thread. Chunks that take
   * seconds on a software adapter or the CPU do not stall this event loop, a
   * run past `timeoutMs` is killed with its process, a crashed process is
   * replaced, and Dawn's native output stays off the terminal. False gives
   * the device object itself, in this thread (benchmarks use its kernel
   * timing); the options below then do not apply.
   */
  readonly inWorker?: boolean
  /**
   * The child process's stdout and stderr (Dawn's native warnings, driver
   * messages) are appended to this file, with a line per process start and
   * end. Default: discarded.
   */
  readonly logFile?: string
  /** Merged into the child process's environment (e.g. VK_ICD_FILENAMES to pick a Vulkan driver). */
  readonly env?: Readonly<Record<string, string>>
  /**
   * The child's memory cap, MiB: its JavaScript heap (--max-old-space-size)
   * everywhere, and on Linux its native memory too, beyond what opening the
   * device took (RLIMIT_DATA; device/memory-cap.ts says what that counts and
   * what it does not). A run that needs more rejects with MemoryCapError and
   * the next run gets a fresh child. info.memoryCap says what was capped.
   */
  readonly maxMemoryMiB?: number
  /**
   * On a device that cuts long loops (Mesa's llvmpipe), run the kernels it
   * cuts on SwiftShader instead, where its Vulkan driver is installed
   * (LoopFallbackDevice); default true.
   */
  readonly loopFallback?: boolean
}

/** Opens the best compute device on this machine (DESIGN.md section 6), recording why each better one was passed over. */
export async function openComputeDevice (options: OpenComputeDeviceOptions = {}): Promise<ComputeDevice> {
  if (options.inWorker === false) return await selectComputeDevice(options.prefer, options.gpu)
  const device = await ProcessComputeDevice.open(options)
  const icd = options.loopFallback === false || device.info.loopBudget == null ? undefined : findSwiftShaderIcd()
  if (icd == null) return device
  // SwiftShader is its own adapter: the gpu choice named the primary one.
  return new LoopFallbackDevice(device, async () => await ProcessComputeDevice.open({ ...options, gpu: undefined, prefer: 'core', env: { ...options.env, ...swiftShaderEnv(icd) } }))
}

/**
 * Every adapter WebGPU offers on this machine, in the order `gpu` indexes
 * them (`mesh gpu --all`); listed in a child process unless `inWorker` is
 * false, so Dawn's output goes to `logFile`, not the terminal.
 */
export async function listComputeAdapters (options: Pick<OpenComputeDeviceOptions, 'inWorker' | 'env' | 'logFile'> = {}): Promise<AdapterList> {
  if (options.inWorker === false) return await listWebGpuAdapters()
  return await ProcessComputeDevice.listAdapters(options)
}
