import type { LineStream } from '../line-stream.ts'
import { powershellLoop, type PowerShellLoopInit } from '../powershell.ts'
import { problemText } from '../sources.ts'
import type { IdleBackend } from './backend.ts'

/**
 * Windows: the time since the last input of this session
 * (`GetLastInputInfo`), through PowerShell and Add-Type, as Node has no
 * binding and native addons are out. One PowerShell stays running and
 * prints `idle-ms N` twice a second (line-stream.ts), since starting one per
 * poll would itself load the machine. A volunteer running as a service
 * (session 0) sees no user input: run it in the user's session.
 */

const TYPE = 'using System; using System.Runtime.InteropServices; public static class MeshIdle { ' +
  '[StructLayout(LayoutKind.Sequential)] struct LASTINPUTINFO { public uint cbSize; public uint dwTime; } ' +
  '[DllImport("user32.dll")] static extern bool GetLastInputInfo(ref LASTINPUTINFO info); ' +
  'public static long Ms() { LASTINPUTINFO info = new LASTINPUTINFO(); info.cbSize = (uint)Marshal.SizeOf(info); ' +
  'if (!GetLastInputInfo(ref info)) return -1; return (long)unchecked((uint)Environment.TickCount - info.dwTime); } }'

/** One reading: `idle-ms 1234`, or `idle-ms -1` when the call failed. */
export const IDLE_ONCE_SCRIPT = `Add-Type -TypeDefinition '${TYPE}'; [Console]::Out.WriteLine('idle-ms ' + [MeshIdle]::Ms())`
/** The same, twice a second until ended. */
export const IDLE_LOOP_SCRIPT = `Add-Type -TypeDefinition '${TYPE}'; while ($true) { [Console]::Out.WriteLine('idle-ms ' + [MeshIdle]::Ms()); Start-Sleep -Milliseconds 500 }`


/** The idle milliseconds of the last `idle-ms N` line of the script's output. */
export function parseLastInputOutput (text: string): number {
  const lines = text.split(/\r?\n/).map(line => line.trim()).filter(line => /^idle-ms\s+-?\d+$/.test(line))
  const last = lines.at(-1)
  if (last == null) throw new Error(`PowerShell printed no idle time ('${text.trim().slice(0, 80)}')`)
  const ms = Number(last.split(/\s+/)[1])
  if (ms < 0) throw new Error('GetLastInputInfo failed (no input desktop: running as a service?)')
  return ms
}

export class WindowsIdle implements IdleBackend {
  readonly name = 'GetLastInputInfo'
  private readonly stream: LineStream

  constructor (init: PowerShellLoopInit = {}) {
    this.stream = powershellLoop(IDLE_LOOP_SCRIPT, 'idle-ms', init)
  }

  async probe (): Promise<{ works: boolean, detail: string }> {
    try {
      // PowerShell's start and Add-Type's compile take seconds on a slow machine.
      const ms = parseLastInputOutput(await this.stream.next(20_000))
      return { works: true, detail: `PowerShell: idle ${Math.round(ms / 1_000)} s` }
    } catch (err) {
      this.stream.close()
      return { works: false, detail: problemText(err) }
    }
  }

  async idleMs (): Promise<number> {
    return parseLastInputOutput(this.stream.latest(3_000))
  }

  close (): void {
    this.stream.close()
  }
}
