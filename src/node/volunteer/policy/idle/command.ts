import { runCommand } from '../exec.ts'
import { problemText } from '../sources.ts'
import type { IdleBackend } from './backend.ts'

/**
 * `--idle-command CMD`: the user's own command, run through the shell each
 * poll, printing the idle time in seconds (a float is fine) for what no
 * built-in backend covers: kiosks, remote sessions, a site's own daemon.
 */

/** Longer than a poll's worth: a command this slow is broken, not busy. */
export const IDLE_COMMAND_TIMEOUT_MS = 2_000

/** The command's output: seconds, the first word of its last non-empty line. */
export function parseIdleSeconds (text: string): number {
  const line = text.split(/\r?\n/).map(l => l.trim()).filter(l => l !== '').at(-1)
  if (line == null) throw new Error('the idle command printed nothing (it should print the idle time in seconds)')
  const word = line.split(/\s+/)[0]!
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(word)) throw new Error(`the idle command printed '${line.slice(0, 60)}', not seconds`)
  return Math.round(Number(word) * 1_000)
}

export class CommandIdle implements IdleBackend {
  readonly name = 'idle command'

  constructor (readonly command: string, private readonly timeoutMs = IDLE_COMMAND_TIMEOUT_MS) {}

  async probe (): Promise<{ works: boolean, detail: string }> {
    try {
      return { works: true, detail: `'${this.command}': idle ${Math.round(await this.idleMs() / 1_000)} s` }
    } catch (err) {
      return { works: false, detail: problemText(err) }
    }
  }

  async idleMs (): Promise<number> {
    return parseIdleSeconds(await runCommand(this.command, [], { shell: true, timeoutMs: this.timeoutMs }))
  }
}
