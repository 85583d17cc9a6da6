import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const meshBin = fileURLToPath(new URL('../../bin/mesh.js', import.meta.url))

export interface MeshResult { code: number | null, stdout: string, stderr: string }

/** Runs the real `mesh` CLI to completion (stdin closed, no TTY). */
export async function runMesh (args: string[], options: { env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<MeshResult> {
  const child = spawnMesh(args, options.env)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** Starts the real `mesh` CLI as a child process with piped stdio. */
export function spawnMesh (args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [meshBin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env }
  })
}
