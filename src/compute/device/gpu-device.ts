/// <reference types="@webgpu/types" />
import type { ChunkWork, InputShape } from '../kernel.ts'
import type { ComputeBackend, ComputeDevice, ComputeDeviceInfo, RunOptions } from '../device.ts'
import type { ComputeLimits, GpuCapabilities, GpuDispatch, GpuProgramSource } from '../gpu-program.ts'
import { DeviceLostError, LoopBudgetError } from '../errors.ts'
import { getKernel } from '../kernels/index.ts'
import { checkDispatchFits } from './limits.ts'
import { compileError } from './compile-errors.ts'
import { DispatchBuffers, type WebGpuConstants } from './dispatch-buffers.ts'
import { guardedDispatch, loopCutFlagged, probeDispatch } from './loop-budget.ts'
import { probeLoopBudget } from './loop-probe.ts'

type WebGpuModule = typeof import('webgpu')

/** Compiled programs kept per device (researchers' map functions each add one). */
const MAX_PIPELINES = 32
/** Buffer sets kept (one per program), each as large as its chunks. */
const MAX_BUFFER_SETS = 2

/** The limits a device is opened with and the chunk planner reads. */
export const COMPUTE_LIMIT_NAMES = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupSizeX'
] as const

/** Counters showing the reuse at work (tests and diagnostics). */
export interface GpuDeviceStats {
  pipelinesCompiled: number
  bufferSetsCreated: number
  sharedUploadsSkipped: number
}

export interface GpuOpenOptions {
  readonly backend: ComputeBackend
  readonly featureLevel: 'core' | 'compatibility'
  readonly fallbackReasons: string[]
  /** The adapter's name as Dawn lists it (listAdapters); default: the first Dawn offers. */
  readonly adapter?: string
}

/**
 * A WebGPU device (Dawn) computing chunks: a pipeline per program, built
 * once and reused; buffers per program, reused while chunks keep their
 * shape; shared inputs uploaded once per array. Runs are serialised so
 * buffers are never used by two chunks at once.
 */
export class GpuComputeDevice implements ComputeDevice {
  info: ComputeDeviceInfo
  readonly capabilities: GpuCapabilities
  readonly stats: GpuDeviceStats = { pipelinesCompiled: 0, bufferSetsCreated: 0, sharedUploadsSkipped: 0 }
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>()
  private readonly buffers = new Map<string, DispatchBuffers>()
  private tail: Promise<unknown> = Promise.resolve()
  private lostReason: string | undefined

  /** Opens the adapter of one backend; undefined when Dawn finds none. */
  static async open (webgpu: WebGpuModule, options: GpuOpenOptions): Promise<GpuComputeDevice | undefined> {
    const { gpu, adapter } = await requestNamedAdapter(webgpu, options.backend, options.featureLevel, options.adapter)
    if (adapter == null) return undefined
    const requiredLimits: Record<string, number> = {}
    for (const name of COMPUTE_LIMIT_NAMES) requiredLimits[name] = adapter.limits[name]
    const device = await adapter.requestDevice({ requiredLimits })
    return await GpuComputeDevice.wrap(gpu, device, webgpu.globals as unknown as WebGpuConstants, {
      backend: options.backend,
      featureLevel: options.featureLevel,
      description: describeAdapter(adapter.info, options.backend),
      fallbackReasons: options.fallbackReasons,
      limits: Object.fromEntries(COMPUTE_LIMIT_NAMES.map(name => [name, device.limits[name]])) as unknown as ComputeLimits,
      loopBudget: null
    })
  }

  /**
   * A device opened elsewhere (the volunteer page's, from `navigator.gpu`,
   * with the browser's GPUBufferUsage and GPUMapMode), measured as open()
   * measures Dawn's.
   */
  static async wrap (gpu: GPU | undefined, device: GPUDevice, constants: WebGpuConstants, info: ComputeDeviceInfo): Promise<GpuComputeDevice> {
    const wrapped = new GpuComputeDevice(gpu, device, constants, info)
    await wrapped.measureLoopBudget()
    return wrapped
  }

  /**
   * Finds whether this device cuts long loops (Mesa's llvmpipe does, after
   * 65,535 iterations an invocation): from then on every program it runs
   * carries the loop guard, and a chunk whose loops were cut is refused.
   */
  private async measureLoopBudget (): Promise<void> {
    const { loopBudget, probe } = await probeLoopBudget(async (program, uniforms, outputLength) =>
      await this.runDispatch(probeDispatch(program, uniforms, outputLength)))
    this.info = { ...this.info, loopBudget, loopProbe: probe }
  }

  private constructor (
    // Held so the Dawn instance lives as long as the device made from it.
    private gpu: GPU | undefined,
    private readonly device: GPUDevice,
    private readonly constants: WebGpuConstants,
    info: ComputeDeviceInfo
  ) {
    this.info = info
    this.capabilities = { featureLevel: info.featureLevel === 'core' ? 'core' : 'compatibility', limits: info.limits }
    void device.lost.then(lost => { this.lostReason = lost.message !== '' ? lost.message : lost.reason })
  }

  async run (work: ChunkWork, options: RunOptions = {}): Promise<Float32Array> {
    const kernel = getKernel(work.kernel)
    const params = kernel.parseParams(work.params)
    const typedWork = { ...work, params }
    if (kernel.gpu == null) return kernel.cpuReference(typedWork)
    const dispatch = kernel.gpu.plan(typedWork, this.capabilities)
    return await this.runDispatch(dispatch, options)
  }

  /**
   * Runs one planned dispatch and reads its output back. On a device that
   * cuts loops, the program runs with the loop guard, and a run whose loops
   * were cut throws LoopBudgetError instead of returning wrong numbers.
   */
  async runDispatch (dispatch: GpuDispatch, options: RunOptions = {}): Promise<Float32Array> {
    const budget = this.info.loopBudget
    const guarded = budget != null ? guardedDispatch(dispatch) : undefined
    const planned = guarded ?? dispatch
    const output = await this.serialised(async () => {
      options.signal?.throwIfAborted()
      const { pipeline, buffers } = await this.prepare(planned)
      return await this.withErrorScopes(async () => {
        const encoder = this.device.createCommandEncoder()
        if (guarded != null) buffers.encodeClearTail(encoder, dispatch.outputLength)
        this.encodeDispatch(encoder, pipeline, buffers, planned)
        buffers.encodeReadback(encoder)
        this.device.queue.submit([encoder.finish()])
        return await buffers.readOutput()
      })
    })
    if (guarded != null && loopCutFlagged(output, dispatch.outputLength)) throw new LoopBudgetError(budget!)
    const result = output.length === dispatch.outputLength ? output : output.subarray(0, dispatch.outputLength)
    return dispatch.finish?.(result) ?? result
  }

  /**
   * Milliseconds one dispatch takes on the device with its inputs already
   * uploaded (benchmarks): runs it once, then `repeats` times in one submission.
   */
  async measureDispatch (dispatch: GpuDispatch, repeats: number): Promise<number> {
    await this.runDispatch(dispatch)
    return await this.serialised(async () => {
      const { pipeline, buffers } = await this.prepare(dispatch)
      return await this.withErrorScopes(async () => {
        const encoder = this.device.createCommandEncoder()
        for (let i = 0; i < repeats; i++) this.encodeDispatch(encoder, pipeline, buffers, dispatch)
        const started = performance.now()
        this.device.queue.submit([encoder.finish()])
        await this.device.queue.onSubmittedWorkDone()
        return (performance.now() - started) / repeats
      })
    })
  }

  async validateKernel (kernelId: string, params: unknown, inputs: readonly InputShape[]): Promise<void> {
    const kernel = getKernel(kernelId)
    const parsed = kernel.parseParams(params)
    kernel.validateInputs(parsed, inputs)
    if (kernel.gpu != null) await this.pipeline(kernel.gpu.program(parsed, inputs, this.capabilities))
  }

  async destroy (): Promise<void> {
    await this.tail.catch(() => {})
    for (const buffers of this.buffers.values()) buffers.destroy()
    this.buffers.clear()
    this.pipelines.clear()
    this.lostReason ??= 'the device was destroyed'
    this.device.destroy()
    this.gpu = undefined
  }

  private async prepare (dispatch: GpuDispatch): Promise<{ pipeline: GPUComputePipeline, buffers: DispatchBuffers }> {
    if (this.lostReason != null) throw new DeviceLostError(`the GPU device is lost: ${this.lostReason}`)
    checkDispatchFits(dispatch, this.info.limits)
    const pipeline = await this.pipeline(dispatch.program)
    const buffers = await this.withErrorScopes(async () => this.buffersFor(dispatch, pipeline))
    this.stats.sharedUploadsSkipped += buffers.upload(dispatch)
    return { pipeline, buffers }
  }

  private encodeDispatch (encoder: GPUCommandEncoder, pipeline: GPUComputePipeline, buffers: DispatchBuffers, dispatch: GpuDispatch): void {
    const pass = encoder.beginComputePass()
    pass.setPipeline(pipeline)
    pass.setBindGroup(0, buffers.bindGroup)
    pass.dispatchWorkgroups(...dispatch.workgroups)
    pass.end()
  }

  private buffersFor (dispatch: GpuDispatch, pipeline: GPUComputePipeline): DispatchBuffers {
    const key = dispatch.program.key
    const existing = this.buffers.get(key)
    if (existing?.fits(dispatch) === true) {
      this.buffers.delete(key)
      this.buffers.set(key, existing)
      return existing
    }
    existing?.destroy()
    this.buffers.delete(key)
    evictOldest(this.buffers, MAX_BUFFER_SETS - 1, buffers => { buffers.destroy() })
    const created = new DispatchBuffers(this.device, this.constants, pipeline, dispatch)
    this.stats.bufferSetsCreated++
    this.buffers.set(key, created)
    return created
  }

  private async pipeline (program: GpuProgramSource): Promise<GPUComputePipeline> {
    let pipeline = this.pipelines.get(program.key)
    if (pipeline == null) {
      evictOldest(this.pipelines, MAX_PIPELINES - 1)
      pipeline = this.compile(program)
      this.pipelines.set(program.key, pipeline)
      pipeline.catch(() => { this.pipelines.delete(program.key) })
    }
    return await pipeline
  }

  private async compile (program: GpuProgramSource): Promise<GPUComputePipeline> {
    this.stats.pipelinesCompiled++
    this.device.pushErrorScope('validation')
    const module = this.device.createShaderModule({ code: program.code })
    const scopeError = await this.device.popErrorScope()
    const messages = (await module.getCompilationInfo()).messages
    const firstError = messages.find(m => m.type === 'error')
    if (firstError != null || scopeError != null) throw compileError(program, firstError, scopeError?.message)
    try {
      return await this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: program.entryPoint } })
    } catch (err: any) {
      throw compileError(program, undefined, String(err.message ?? err))
    }
  }

  /** Turns WebGPU validation and out-of-memory errors into exceptions instead of console noise. */
  private async withErrorScopes<T> (body: () => Promise<T> | T): Promise<T> {
    this.device.pushErrorScope('out-of-memory')
    this.device.pushErrorScope('validation')
    let result: T | undefined
    let thrown: unknown
    try {
      result = await body()
    } catch (err) {
      thrown = err
    }
    const validation = await this.device.popErrorScope()
    const memory = await this.device.popErrorScope()
    if (memory != null) throw new Error(`the GPU ran out of memory: ${memory.message}`)
    if (validation != null) throw new Error(`WebGPU validation error: ${validation.message.split('\n')[0]}`)
    if (thrown !== undefined) throw thrown
    return result as T
  }

  private async serialised<T> (body: () => Promise<T>): Promise<T> {
    const run = this.tail.catch(() => {}).then(body)
    this.tail = run
    return await run
  }
}

/**
 * Asks one backend for an adapter; with a name, Dawn's `adapter=` flag picks
 * the first adapter whose name contains it, and rejects listing the adapters
 * it has when none does. The instance is returned to be kept alive.
 */
export async function requestNamedAdapter (webgpu: WebGpuModule, backend: ComputeBackend, featureLevel: 'core' | 'compatibility', name?: string): Promise<{ gpu: GPU, adapter: GPUAdapter | null }> {
  const gpu = webgpu.create([`backend=${backend}`, ...(name != null && name !== '' ? [`adapter=${name}`] : [])])
  const adapter = featureLevel === 'compatibility'
    ? await gpu.requestAdapter({ featureLevel: 'compatibility' })
    : await gpu.requestAdapter({ powerPreference: 'high-performance' })
  return { gpu, adapter }
}

/** The adapter's names from its driver, e.g. "nvidia hopper NVIDIA H100 80GB HBM3". */
export function describeAdapter (info: GPUAdapterInfo, backend: ComputeBackend): string {
  const description = [...new Set([info.vendor, info.architecture, info.device, info.description]
    .map(s => s?.trim() ?? '').filter(s => s !== ''))].join(' ')
  return description === '' ? `${backend} adapter` : description
}

function evictOldest<V> (map: Map<string, V>, keep: number, release?: (value: V) => void): void {
  for (const [key, value] of map) {
    if (map.size <= keep) return
    map.delete(key)
    release?.(value)
  }
}
