import { InputError } from '../../errors.ts'
import { DeviceUnavailableError } from '../errors.ts'
import type { AdapterList, ComputeAdapter } from './adapters.ts'
import { listAdapters } from './adapters.ts'
import { GpuComputeDevice } from './gpu-device.ts'

type WebGpuModule = typeof import('webgpu')

/**
 * Which adapter to use where there are several (`--gpu N|NAME`): its index
 * in `mesh gpu --all`'s list, or text its name or description contains (any
 * case; the first such adapter in the list). A number-like text is an index.
 */
export type GpuChoice = string | number

/** The adapter a choice names; an InputError naming the problem and the adapters found when it names none. */
export function chooseAdapter (list: AdapterList, choice: GpuChoice): ComputeAdapter {
  const text = String(choice).trim()
  const byIndex = typeof choice === 'number' || /^\d+$/.test(text)
  let found: ComputeAdapter | undefined
  if (byIndex) {
    found = Number.isSafeInteger(Number(text)) ? list.adapters[Number(text)] : undefined
  } else if (text !== '') {
    const wanted = text.toLowerCase()
    found = list.adapters.find(a => a.name.toLowerCase().includes(wanted) || a.description.toLowerCase().includes(wanted))
  }
  if (found != null) return found
  const problem = byIndex ? `there is no adapter ${text}` : text === '' ? 'it names no adapter' : `no adapter's name contains '${text}'`
  throw new InputError(`gpu '${text}': ${problem} (${adapterSummary(list)})`)
}

/** The adapters in one line, for errors: "adapters here: 0 llvmpipe (...) on opengles (compatibility), ...". */
export function adapterSummary (list: AdapterList): string {
  if (list.adapters.length === 0) return `no WebGPU adapter here${list.notes.length > 0 ? `: ${list.notes.join('; ')}` : ''}`
  return `adapters here: ${list.adapters.map(a => `${a.index} ${a.name !== '' ? a.name : a.description} on ${a.backend} (${a.featureLevel})`).join(', ')}`
}

/** Opens exactly the chosen adapter: no fallback to another one. */
export async function openChosenAdapter (webgpu: WebGpuModule, choice: GpuChoice): Promise<GpuComputeDevice> {
  const list = await listAdapters(webgpu)
  const chosen = chooseAdapter(list, choice)
  const before = chosen.index === 1 ? 'adapter 0' : `adapters 0-${chosen.index - 1}`
  const fallbackReasons = chosen.index > 0 ? [`${before} passed over (gpu: '${String(choice).trim()}')`] : []
  let opened: GpuComputeDevice | undefined
  try {
    opened = await GpuComputeDevice.open(webgpu, { backend: chosen.backend, featureLevel: chosen.featureLevel, adapter: chosen.name, fallbackReasons })
  } catch (err: any) {
    throw new DeviceUnavailableError(`gpu '${String(choice).trim()}': adapter ${chosen.index} (${chosen.description}) did not open: ${String(err?.message ?? err).split('\n')[0]}`)
  }
  if (opened == null) throw new DeviceUnavailableError(`gpu '${String(choice).trim()}': Dawn no longer offers adapter ${chosen.index} (${chosen.description})`)
  return opened
}
