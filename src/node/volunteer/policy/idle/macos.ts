import { runCommand } from '../exec.ts'
import { problemText } from '../sources.ts'
import type { IdleBackend, Runner } from './backend.ts'

/** macOS: `HIDIdleTime` of the IOHIDSystem entry in the I/O Registry (`ioreg -c IOHIDSystem`), in nanoseconds. */

/** The first HIDIdleTime in `ioreg` output, in milliseconds. */
export function parseIoregIdle (text: string): number {
  const match = /"HIDIdleTime"\s*=\s*(\d+)/.exec(text)
  if (match == null) throw new Error('ioreg printed no HIDIdleTime')
  return Number(BigInt(match[1]!) / 1_000_000n)
}

export class MacIdle implements IdleBackend {
  readonly name = 'HIDIdleTime'
  private readonly run: Runner

  constructor (init: { run?: Runner } = {}) {
    this.run = init.run ?? (async (file, args) => await runCommand(file, args, { timeoutMs: 2_000 }))
  }

  async probe (): Promise<{ works: boolean, detail: string }> {
    try {
      return { works: true, detail: `ioreg: idle ${Math.round(await this.idleMs() / 1_000)} s` }
    } catch (err) {
      return { works: false, detail: problemText(err) }
    }
  }

  async idleMs (): Promise<number> {
    // The whole registry tree is printed, but properties only for IOHIDSystem: a few hundred lines.
    return parseIoregIdle(await this.run('ioreg', ['-c', 'IOHIDSystem']))
  }
}
