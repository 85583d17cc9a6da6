import { problemText, type PowerSource, type ProbeResult } from '../sources.ts'
import { PmsetPower } from './pmset.ts'
import { SysfsPower } from './sysfs.ts'
import { WindowsPower } from './windows.ts'
import type { PowerBackend } from './backend.ts'

/** Picks the battery backend for this machine, as idle/select.ts does for idle detection. */

export interface PowerSelection {
  readonly backend?: PowerBackend
  readonly probe: ProbeResult
  readonly source: PowerSource
  /** `battery: sysfs (AC online, BAT0 Charging: not on battery) works`. */
  readonly summary: string
  close (): void
}

export function powerBackendFor (platform: NodeJS.Platform): PowerBackend | undefined {
  switch (platform) {
    case 'linux': return new SysfsPower()
    case 'darwin': return new PmsetPower()
    case 'win32': return new WindowsPower()
    default: return undefined
  }
}

export async function selectPowerBackend (init: { platform?: NodeJS.Platform, backend?: PowerBackend } = {}): Promise<PowerSelection> {
  const platform = init.platform ?? process.platform
  const backend = init.backend ?? powerBackendFor(platform)
  let probe: ProbeResult
  if (backend == null) {
    probe = { name: 'battery', works: false, detail: `no battery backend for ${platform}` }
  } else {
    try {
      probe = { name: backend.name, ...(await backend.probe()) }
    } catch (err) {
      probe = { name: backend.name, works: false, detail: problemText(err) }
    }
  }
  const chosen = probe.works ? backend : undefined
  if (chosen == null) backend?.close?.()
  const source: PowerSource = {
    ...(chosen?.pollMs != null ? { pollMs: chosen.pollMs } : {}),
    readPower: async () => {
      if (chosen == null) return { unavailable: probe.detail }
      try {
        return { onBattery: await chosen.onBattery() }
      } catch (err) {
        return { unavailable: `${chosen.name}: ${problemText(err)}` }
      }
    }
  }
  return {
    ...(chosen != null ? { backend: chosen } : {}),
    probe,
    source,
    summary: `battery: ${probe.works ? `${probe.name} (${probe.detail}) works` : `${probe.name}: ${probe.detail}`}`,
    close: () => { chosen?.close?.() }
  }
}
