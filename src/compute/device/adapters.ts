/// <reference types="@webgpu/types" />
import type { ComputeBackend } from '../device.ts'
import type { ComputeLimits } from '../gpu-program.ts'
import { COMPUTE_LIMIT_NAMES, describeAdapter, requestNamedAdapter } from './gpu-device.ts'

type WebGpuModule = typeof import('webgpu')

/** One adapter WebGPU (Dawn) offers on this machine, as `mesh gpu --all` lists it. */
export interface ComputeAdapter {
  /** Its place in the list: what `gpu: N` picks. */
  readonly index: number
  /** The name Dawn lists it by, e.g. 'llvmpipe (LLVM 15.0.6, 256 bits)'. */
  readonly name: string
  /** As ComputeDeviceInfo.description reads once the adapter is opened. */
  readonly description: string
  /** '' where the driver names none (Mesa's). */
  readonly vendor: string
  readonly backend: ComputeBackend
  readonly featureLevel: 'core' | 'compatibility'
  /** A software adapter Dawn marks as the fallback (SwiftShader). */
  readonly fallbackAdapter: boolean
  readonly limits: ComputeLimits
  /**
   * How many adapters of this backend carry this name (1 mostly). Dawn opens
   * an adapter by name, the first that matches, so of several identical GPUs
   * only the first can be chosen.
   */
  readonly sameName: number
}

export interface AdapterList {
  readonly adapters: ComputeAdapter[]
  /** Per backend asked: what it offered where that was nothing, or an adapter it listed but did not open. */
  readonly notes: string[]
}

/**
 * The backends asked, best first: the core backend of the platform, then the
 * others Dawn has there. 'null' (no device) and 'webgpu' (a wire) are left out.
 */
export function adapterBackends (platform: NodeJS.Platform = process.platform): ComputeBackend[] {
  if (platform === 'darwin') return ['metal']
  if (platform === 'win32') return ['d3d12', 'd3d11', 'vulkan']
  return ['vulkan', 'opengles', 'opengl']
}

// An adapter name nothing has: Dawn then rejects with the list of the adapters it has.
const NO_SUCH_ADAPTER = '\u0001mesh: list adapters\u0001'

/**
 * Every adapter Dawn offers, in the order the automatic choice prefers them.
 * Dawn's requestAdapter gives one adapter per call; asked for an adapter
 * name it lacks (its `adapter=` flag) it lists all it has on that backend,
 * and each listed name then opens its adapter. Core adapters are asked for
 * first; a compatibility query lists them again, so they are merged by name.
 */
export async function listAdapters (webgpu: WebGpuModule, backends = adapterBackends()): Promise<AdapterList> {
  // The GL backends need an EGL platform; without a display, Mesa's surfaceless one works.
  if (process.platform === 'linux' && (process.env.EGL_PLATFORM ?? '') === '') process.env.EGL_PLATFORM = 'surfaceless'
  const adapters: ComputeAdapter[] = []
  const notes: string[] = []
  for (const backend of backends) {
    const core = await adapterNames(webgpu, backend, 'core')
    const compat = await adapterNames(webgpu, backend, 'compatibility')
    const names = [...core, ...compat.filter(name => !core.includes(name))]
    if (names.length === 0) notes.push(`${backend}: no adapter`)
    for (const name of new Set(names)) {
      const featureLevel = core.includes(name) ? 'core' : 'compatibility'
      const sameName = Math.max(count(core, name), count(compat, name))
      try {
        const { adapter } = await requestNamedAdapter(webgpu, backend, featureLevel, name)
        if (adapter == null) throw new Error('Dawn gave no adapter')
        adapters.push({
          index: adapters.length,
          name,
          description: describeAdapter(adapter.info, backend),
          vendor: adapter.info.vendor ?? '',
          backend,
          featureLevel,
          fallbackAdapter: (adapter.info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
          limits: Object.fromEntries(COMPUTE_LIMIT_NAMES.map(limit => [limit, adapter.limits[limit]])) as unknown as ComputeLimits,
          sameName
        })
      } catch (err: any) {
        notes.push(`${backend}: '${name}' is listed but did not open: ${String(err?.message ?? err).split('\n')[0]}`)
      }
    }
  }
  return { adapters, notes }
}

/** The names Dawn lists for a backend and feature level, in its order; none where it has no adapter there. */
async function adapterNames (webgpu: WebGpuModule, backend: ComputeBackend, featureLevel: 'core' | 'compatibility'): Promise<string[]> {
  try {
    const { adapter } = await requestNamedAdapter(webgpu, backend, featureLevel, NO_SUCH_ADAPTER)
    // A Dawn that ignored the flag would offer its first adapter: '' names it (no adapter= flag).
    return adapter != null ? [''] : []
  } catch (err: any) {
    const listed = [...String(err?.message ?? '').matchAll(/^ \* backend: '[^']*', name: '(.*)'$/gm)]
    return listed.map(match => match[1]!)
  }
}

function count (names: readonly string[], name: string): number {
  return names.filter(n => n === name).length
}
