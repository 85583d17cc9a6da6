import { runToEnd } from '../helpers/run-process.ts'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface BenchRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `npm run bench -- ARGS` as package.json spells it (node --import tsx bench/run.ts), killed after `timeoutMs`. */
export async function bench (args: string[], timeoutMs = 120_000): Promise<BenchRun> {
  return await runToEnd(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: root }, timeoutMs)
}

/** The JSON summary on the last line of a `--json` run's stdout. */
export function summaryOf (run: BenchRun): Record<string, any> {
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!)
}
