import { spawn, type SpawnOptions } from 'node:child_process'

export interface ProcessResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command to its end (SIGKILL after `timeoutMs`) and answers its exit code and output. */
export async function runToEnd (command: string, args: readonly string[], options: SpawnOptions, timeoutMs: number): Promise<ProcessResult> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}
