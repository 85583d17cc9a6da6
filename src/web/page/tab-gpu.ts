/// <reference types="@webgpu/types" />
import { COMPUTE_LIMIT_NAMES, describeAdapter, GpuComputeDevice } from '../../compute/device/gpu-device.ts'
import type { ComputeBackend } from '../../compute/device.ts'
import type { ComputeLimits } from '../../compute/gpu-program.ts'
import { page } from './dom.ts'

/** The tab's WebGPU device, or why there is none and what to do about it. */
export type TabGpu =
  | { readonly ok: true, readonly device: GpuComputeDevice, readonly adapter: TabAdapterInfo }
  | { readonly ok: false, readonly problem: string, readonly remedy: string }

export interface TabAdapterInfo {
  readonly description: string
  readonly vendor: string
  readonly architecture: string
  readonly limits: ComputeLimits
}

const BROWSERS = 'Chrome or Edge 113 or later, Safari 26, or Firefox 141 or later on Windows'

/**
 * Opens the tab's GPU through `navigator.gpu` and wraps it in the same
 * GpuComputeDevice the Node peers compute with (same kernels, same
 * planning), with every compute limit the adapter offers.
 */
export async function openTabGpu (): Promise<TabGpu> {
  if (!page.isSecureContext) {
    return {
      ok: false,
      problem: 'This page was opened over plain http:// from another machine, and browsers offer WebGPU only to secure pages (https://, or http://localhost).',
      remedy: `Open ${page.location.href.replace(/^http:/, 'https:')} instead (the address the serving peer prints), and accept its certificate once.`
    }
  }
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu
  if (gpu == null) {
    return { ok: false, problem: 'This browser offers no WebGPU.', remedy: `Open this page in ${BROWSERS}; in Firefox and Safari WebGPU may need enabling in the settings.` }
  }
  let adapter: GPUAdapter | null
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  } catch (err: any) {
    adapter = null
    console.warn('requestAdapter failed', err)
  }
  if (adapter == null) {
    return { ok: false, problem: 'WebGPU is there but found no usable GPU adapter (it may be turned off, or this GPU is on the browser\'s block list).', remedy: 'Check chrome://gpu (or your browser\'s GPU page): "WebGPU" should read "Hardware accelerated". Updating the graphics driver often helps.' }
  }
  const requiredLimits: Record<string, number> = {}
  for (const name of COMPUTE_LIMIT_NAMES) requiredLimits[name] = adapter.limits[name]
  const device = await adapter.requestDevice({ requiredLimits })
  const limits = Object.fromEntries(COMPUTE_LIMIT_NAMES.map(name => [name, device.limits[name]])) as unknown as ComputeLimits
  // A browser does not say which native API (Vulkan, Metal, D3D12) runs its WebGPU: the backend is the browser.
  const backend = 'browser' as ComputeBackend
  const description = describeAdapter(adapter.info, backend)
  const wrapped = await GpuComputeDevice.wrap(gpu, device, { GPUBufferUsage, GPUMapMode }, {
    backend,
    featureLevel: 'core',
    description,
    fallbackReasons: [],
    limits,
    loopBudget: null
  })
  return { ok: true, device: wrapped, adapter: { description, vendor: adapter.info.vendor, architecture: adapter.info.architecture, limits } }
}
