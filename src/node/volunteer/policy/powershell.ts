import { runCommand } from './exec.ts'
import { LineStream } from './line-stream.ts'

/** Where a PowerShell loop runs: powershell.exe with `script`, unless a test names another program. */
export interface PowerShellLoopInit {
  readonly file?: string
  readonly args?: readonly string[]
}

/**
 * One PowerShell kept running `script`, a loop printing a reading a line
 * (starting a PowerShell each second would load the machine itself); lines
 * starting with `prefix` are its readings.
 */
export function powershellLoop (script: string, prefix: string, init: PowerShellLoopInit = {}): LineStream {
  return new LineStream({
    file: init.file ?? 'powershell.exe',
    args: init.args ?? powershellArgs(script),
    accept: line => line.startsWith(prefix)
  })
}

/** PowerShell's arguments to run `script`: encoded (UTF-16LE, base64), so that no quoting of the command line can break it. */
export function powershellArgs (script: string): string[] {
  return ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')]
}

/** Runs `script` once; PowerShell's start alone takes a second on a slow machine. */
export async function runPowerShell (script: string, timeoutMs = 15_000): Promise<string> {
  return await runCommand('powershell.exe', powershellArgs(script), { timeoutMs })
}
