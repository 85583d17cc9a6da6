import { runCommand } from './exec.ts'

/** PowerShell's arguments to run `script`: encoded (UTF-16LE, base64), so that no quoting of the command line can break it. */
export function powershellArgs (script: string): string[] {
  return ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')]
}

/** Runs `script` once; PowerShell's start alone takes a second on a slow machine. */
export async function runPowerShell (script: string, timeoutMs = 15_000): Promise<string> {
  return await runCommand('powershell.exe', powershellArgs(script), { timeoutMs })
}
