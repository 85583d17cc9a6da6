import { existsSync } from 'node:fs'
import type { ChunkWork, InputShape } from '../kernel.ts'
import type { ComputeDevice, ComputeDeviceInfo, RunOptions } from '../device.ts'
import { LoopBudgetError } from '../errors.ts'

/**
 * SwiftShader's Vulkan driver as Debian's chromium package installs it: a
 * software adapter that, unlike Mesa's llvmpipe, runs loops to the end.
 * MESH_SWIFTSHADER_ICD names another ICD file (or 'none' to never use one).
 */
export const SWIFTSHADER_ICD_PATHS: readonly string[] = ['/usr/lib/chromium/vk_swiftshader_icd.json']

export function findSwiftShaderIcd (env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.MESH_SWIFTSHADER_ICD
  if (chosen === 'none') return undefined
  if (chosen != null && chosen !== '') return existsSync(chosen) ? chosen : undefined
  return SWIFTSHADER_ICD_PATHS.find(path => existsSync(path))
}

/** The environment that makes a device process open SwiftShader as its core Vulkan adapter. */
export function swiftShaderEnv (icd: string): Record<string, string> {
  return { VK_ICD_FILENAMES: icd, MESH_GPU: 'core' }
}

/**
 * A device that cuts long loops (llvmpipe), backed by one that does not
 * (SwiftShader, about 9x slower): every kernel runs on the fast device
 * first; a kernel whose loops it cut runs from then on on the uncapped one,
 * opened at that first need. Kernels are told apart by their params object
 * (a volunteer passes the same one for every chunk of a project) and id.
 */
export class LoopFallbackDevice implements ComputeDevice {
  private fallback?: Promise<ComputeDevice>
  private readonly overrunning = new WeakSet<object>()

  constructor (private readonly primary: ComputeDevice, private readonly openFallback: () => Promise<ComputeDevice>) {}

  get info (): ComputeDeviceInfo {
    return this.primary.info
  }

  async run (work: ChunkWork, options: RunOptions = {}): Promise<Float32Array> {
    const key = typeof work.params === 'object' && work.params != null ? work.params : undefined
    if (key == null || !this.overrunning.has(key)) {
      try {
        return await this.primary.run(work, options)
      } catch (err) {
        if (!(err instanceof LoopBudgetError)) throw err
        if (key != null) this.overrunning.add(key)
      }
    }
    let uncapped: ComputeDevice
    try {
      uncapped = await this.uncapped()
    } catch (err: any) {
      const budget = this.primary.info.loopBudget ?? 0
      throw new LoopBudgetError(budget, `${new LoopBudgetError(budget).message} (the uncapped software adapter did not open: ${String(err?.message ?? err)})`)
    }
    return await uncapped.run(work, options)
  }

  async validateKernel (kernelId: string, params: unknown, inputs: readonly InputShape[]): Promise<void> {
    await this.primary.validateKernel(kernelId, params, inputs)
  }

  async destroy (): Promise<void> {
    const fallback = this.fallback
    this.fallback = undefined
    await Promise.all([this.primary.destroy(), fallback?.then(async d => { await d.destroy() }, () => {})])
  }

  private async uncapped (): Promise<ComputeDevice> {
    this.fallback ??= this.openFallback().then(device => {
      if (device.info.loopBudget != null) {
        void device.destroy()
        throw new LoopBudgetError(this.primary.info.loopBudget ?? device.info.loopBudget, `the fallback device ${device.info.description} cuts loops too`)
      }
      return device
    })
    try {
      return await this.fallback
    } catch (err) {
      this.fallback = undefined
      throw err
    }
  }
}
