import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface BenchRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `npm run bench -- ARGS` as package.json spells it (node --import tsx bench/run.ts), killed after `timeoutMs`. */
export async function bench (args: string[], timeoutMs = 120_000): Promise<BenchRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** The JSON summary on the last line of a `--json` run's stdout. */
export function summaryOf (run: BenchRun): Record<string, any> {
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!)
}
