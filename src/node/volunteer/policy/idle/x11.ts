import { runCommand } from '../exec.ts'
import { problemText } from '../sources.ts'
import type { IdleBackend, Runner } from './backend.ts'

/**
 * X11's screen-saver idle time (the MIT-SCREEN-SAVER extension) through
 * `xprintidle`, which prints it in milliseconds. Reading it ourselves would
 * take a native addon or a client of the X protocol, so without xprintidle
 * this backend says what to install. In a Wayland session the X server
 * (Xwayland) sees only input to X11 windows, so it says it does not apply.
 */

/** xprintidle's output: the idle time in whole milliseconds. */
export function parseXprintidle (text: string): number {
  const trimmed = text.trim()
  if (!/^\d+$/.test(trimmed)) throw new Error(`xprintidle printed '${trimmed.slice(0, 60)}', not milliseconds`)
  return Number(trimmed)
}

export interface X11Init {
  readonly run?: Runner
  readonly env?: NodeJS.ProcessEnv
}

export class X11Idle implements IdleBackend {
  readonly name = 'X11'
  private readonly run: Runner
  private readonly env: NodeJS.ProcessEnv

  constructor (init: X11Init = {}) {
    this.env = init.env ?? process.env
    this.run = init.run ?? (async (file, args) => await runCommand(file, args, { timeoutMs: 2_000, env: this.env }))
  }

  async probe (): Promise<{ works: boolean, detail: string }> {
    const display = this.env.DISPLAY
    if (display == null || display === '') return { works: false, detail: 'no DISPLAY' }
    if (this.env.XDG_SESSION_TYPE === 'wayland' || (this.env.WAYLAND_DISPLAY ?? '') !== '') {
      return { works: false, detail: `Wayland session: the X server on ${display} sees only input to X11 windows` }
    }
    try {
      const idle = await this.idleMs()
      return { works: true, detail: `DISPLAY ${display}: idle ${Math.round(idle / 1_000)} s` }
    } catch (err) {
      const problem = problemText(err)
      return { works: false, detail: /not installed/.test(problem) ? `DISPLAY ${display}, but xprintidle is not installed (Debian/Ubuntu: apt install xprintidle)` : problem }
    }
  }

  async idleMs (): Promise<number> {
    return parseXprintidle(await this.run('xprintidle', []))
  }
}
