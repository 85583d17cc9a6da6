import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { problemText } from '../sources.ts'
import type { PowerBackend, PowerState } from './backend.ts'

/**
 * Linux: /sys/class/power_supply, one directory per supply with its `type`
 * (Mains, USB, Battery, ...), and `online` (external supplies) or `status`
 * (batteries: Charging, Discharging, Full, Not charging). On battery means:
 * no external supply online, and a system battery discharging or an
 * external supply present but offline. Batteries of devices (a wireless
 * mouse's, `scope` Device) do not count. A desktop has no battery: never on
 * battery.
 */

interface Supply {
  readonly name: string
  readonly type: string
  readonly scope?: string
  readonly online?: string
  readonly status?: string
}

export function powerStateOf (supplies: readonly Supply[]): PowerState {
  const system = supplies.filter(s => s.scope?.toLowerCase() !== 'device')
  const batteries = system.filter(s => s.type === 'Battery')
  const external = system.filter(s => s.type !== 'Battery')
  const online = external.filter(s => s.online === '1')
  const describe = (s: Supply): string => s.type === 'Battery' ? `${s.name} ${s.status ?? 'status unknown'}` : `${s.name} ${s.online === '1' ? 'online' : 'offline'}`
  const detail = system.length === 0 ? 'no battery, a desktop' : system.map(describe).join(', ')
  if (online.length > 0) return { onBattery: false, detail }
  if (batteries.some(b => b.status === 'Discharging')) return { onBattery: true, detail }
  // A laptop whose battery reports no state: the adapter's being offline says it.
  return { onBattery: external.length > 0 && batteries.length > 0, detail }
}

/** Reads every supply under `dir` (a fixture directory in tests). */
export async function readPowerSupplies (dir = '/sys/class/power_supply'): Promise<Supply[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    throw new Error(`no ${dir} (no sysfs here: a container?)`)
  }
  const read = async (name: string, field: string): Promise<string | undefined> =>
    await readFile(join(dir, name, field), 'utf8').then(text => text.trim(), () => undefined)
  return await Promise.all(names.sort().map(async name => {
    const [type, scope, online, status] = await Promise.all(['type', 'scope', 'online', 'status'].map(async field => await read(name, field)))
    return {
      name,
      type: type ?? 'Unknown',
      ...(scope != null ? { scope } : {}),
      ...(online != null ? { online } : {}),
      ...(status != null ? { status } : {})
    }
  }))
}

export class SysfsPower implements PowerBackend {
  readonly name = 'sysfs'

  constructor (private readonly dir = '/sys/class/power_supply') {}

  async probe (): Promise<{ works: boolean, detail: string }> {
    try {
      const state = powerStateOf(await readPowerSupplies(this.dir))
      return { works: true, detail: `${state.detail}: ${state.onBattery ? 'on battery' : 'not on battery'}` }
    } catch (err) {
      return { works: false, detail: problemText(err) }
    }
  }

  async onBattery (): Promise<boolean> {
    return powerStateOf(await readPowerSupplies(this.dir)).onBattery
  }
}
