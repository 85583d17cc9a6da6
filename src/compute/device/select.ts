import { InputError } from '../../errors.ts'
import type { ComputeBackend, ComputeDevice } from '../device.ts'
import { DeviceUnavailableError } from '../errors.ts'
import { CpuComputeDevice } from './cpu-device.ts'
import { GpuComputeDevice } from './gpu-device.ts'
import { openChosenAdapter, type GpuChoice } from './gpu-choice.ts'
import { listAdapters, type AdapterList } from './adapters.ts'

export type DevicePreference = 'auto' | 'core' | 'compat' | 'cpu'
const preferences: readonly DevicePreference[] = ['auto', 'core', 'compat', 'cpu']

type WebGpuModule = typeof import('webgpu')

/** MESH_GPU=core|compat|cpu (or auto) forces one step of the order, for tests and users. */
export function preferenceFromEnv (env: NodeJS.ProcessEnv = process.env): DevicePreference | undefined {
  const value = env.MESH_GPU
  if (value == null || value === '') return undefined
  if (!(preferences as readonly string[]).includes(value)) {
    throw new InputError(`MESH_GPU must be one of ${preferences.join(', ')} (got '${value}')`)
  }
  return value as DevicePreference
}

/**
 * DESIGN.md section 6's order: a core adapter (Vulkan, Metal, D3D12); else a
 * compatibility adapter on OpenGL ES (Mesa's software driver where there is no
 * GPU); else the CPU references. A forced step that is unavailable throws
 * DeviceUnavailableError rather than quietly falling back. A `gpu` choice
 * opens exactly that adapter instead, whatever `prefer` and MESH_GPU say.
 */
export async function selectComputeDevice (prefer?: DevicePreference, gpu?: GpuChoice): Promise<ComputeDevice> {
  if (gpu != null) return await openChosen(gpu)
  const fromEnv = preferenceFromEnv()
  const preference = prefer ?? fromEnv ?? 'auto'
  const forcedBy = prefer != null ? `prefer: '${prefer}'` : `MESH_GPU=${preference}`
  const reasons: string[] = []
  const forced = (step: DevicePreference): boolean => preference === step
  const unavailable = (reason: string): DeviceUnavailableError =>
    new DeviceUnavailableError(`${reason} (${forcedBy} allows no other device)`)

  if (preference === 'cpu') return new CpuComputeDevice([`GPU adapters skipped (${forcedBy})`])

  const webgpu = await loadWebGpu()
  if (typeof webgpu === 'string') {
    if (preference !== 'auto') throw unavailable(webgpu)
    return new CpuComputeDevice([webgpu])
  }

  if (preference === 'auto' || forced('core')) {
    const backend = coreBackend()
    const core = await tryOpen(() => GpuComputeDevice.open(webgpu, { backend, featureLevel: 'core', fallbackReasons: [] }))
    if (typeof core !== 'string') return core
    const reason = `no core WebGPU adapter on ${backend}: ${core}`
    if (forced('core')) throw unavailable(reason)
    reasons.push(reason)
  } else {
    reasons.push(`core adapter skipped (${forcedBy})`)
  }

  // The GLES backend needs an EGL platform; without a display, Mesa's surfaceless one works.
  if (process.platform === 'linux' && (process.env.EGL_PLATFORM ?? '') === '') process.env.EGL_PLATFORM = 'surfaceless'
  const compat = await tryOpen(() => GpuComputeDevice.open(webgpu, { backend: 'opengles', featureLevel: 'compatibility', fallbackReasons: [...reasons] }))
  if (typeof compat !== 'string') return compat
  const reason = `no compatibility adapter on opengles: ${compat}`
  if (forced('compat')) throw unavailable(reason)
  reasons.push(reason)
  return new CpuComputeDevice(reasons)
}

/** The core adapter's backend on a platform: Metal on macOS, D3D12 on Windows, Vulkan elsewhere. */
export function coreBackend (platform: NodeJS.Platform = process.platform): ComputeBackend {
  if (platform === 'darwin') return 'metal'
  if (platform === 'win32') return 'd3d12'
  return 'vulkan'
}

/** The adapters WebGPU offers here (none, with the reason, where the webgpu module does not load). */
export async function listWebGpuAdapters (): Promise<AdapterList> {
  const webgpu = await loadWebGpu()
  return typeof webgpu === 'string' ? { adapters: [], notes: [webgpu] } : await listAdapters(webgpu)
}

async function openChosen (gpu: GpuChoice): Promise<ComputeDevice> {
  const webgpu = await loadWebGpu()
  if (typeof webgpu === 'string') throw new DeviceUnavailableError(`gpu '${gpu}': ${webgpu}`)
  return await openChosenAdapter(webgpu, gpu)
}

async function loadWebGpu (): Promise<WebGpuModule | string> {
  try {
    return await import('webgpu')
  } catch (err: any) {
    return `the webgpu (Dawn) module did not load: ${String(err.message).split('\n')[0]}`
  }
}

/** Runs one step; its failure becomes the reason text. */
async function tryOpen (open: () => Promise<ComputeDevice | undefined>): Promise<ComputeDevice | string> {
  try {
    return (await open()) ?? 'Dawn found no adapter (is a driver for it installed?)'
  } catch (err: any) {
    return String(err.message ?? err).split('\n')[0]!
  }
}
