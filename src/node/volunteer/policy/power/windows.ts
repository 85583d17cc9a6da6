import type { LineStream } from '../line-stream.ts'
import { powershellLoop, type PowerShellLoopInit } from '../powershell.ts'
import { problemText } from '../sources.ts'
import type { PowerBackend, PowerState } from './backend.ts'

/**
 * Windows: `Win32_Battery`'s BatteryStatus through PowerShell: 1 means
 * discharging, 2 on AC (the other values, charging states, are on AC too);
 * no battery at all is a desktop. As for the idle time, one PowerShell
 * keeps running and prints the states every few seconds.
 */

/** One reading, as `Get-CimInstance Win32_Battery | Select BatteryStatus` prints it. */
export const BATTERY_ONCE_SCRIPT = 'Get-CimInstance Win32_Battery | Select-Object BatteryStatus'
/** A line `battery N M ...` (the status of each battery; none on a desktop) every 3 seconds. */
export const BATTERY_LOOP_SCRIPT = "while ($true) { $s = @(Get-CimInstance Win32_Battery | ForEach-Object { $_.BatteryStatus }); [Console]::Out.WriteLine(('battery ' + ($s -join ' ')).Trim()); Start-Sleep -Seconds 3 }"

/** Either form: the once script's table (`BatteryStatus`, dashes, a number per battery) or a loop line. */
export function parseBatteryStatus (text: string): PowerState {
  const lines = text.split(/\r?\n/).map(l => l.trim()).filter(l => l !== '')
  const loop = lines.filter(l => /^battery(\s+\d+)*$/.test(l)).at(-1)
  const statuses = loop != null
    ? loop.split(/\s+/).slice(1).map(Number)
    : lines.filter(l => /^\d+$/.test(l)).map(Number)
  if (loop == null && statuses.length === 0 && lines.some(l => !/^(BatteryStatus|-+)$/.test(l))) {
    throw new Error(`PowerShell printed no battery status ('${lines[0]?.slice(0, 60) ?? ''}')`)
  }
  if (statuses.length === 0) return { onBattery: false, detail: 'no battery, a desktop' }
  return { onBattery: statuses.includes(1), detail: `BatteryStatus ${statuses.join(', ')}` }
}

export class WindowsPower implements PowerBackend {
  readonly name = 'Win32_Battery'
  private readonly stream: LineStream

  constructor (init: PowerShellLoopInit = {}) {
    this.stream = powershellLoop(BATTERY_LOOP_SCRIPT, 'battery', init)
  }

  async probe (): Promise<{ works: boolean, detail: string }> {
    try {
      return { works: true, detail: parseBatteryStatus(await this.stream.next(20_000)).detail }
    } catch (err) {
      this.stream.close()
      return { works: false, detail: problemText(err) }
    }
  }

  async onBattery (): Promise<boolean> {
    return parseBatteryStatus(this.stream.latest(10_000)).onBattery
  }

  close (): void {
    this.stream.close()
  }
}
