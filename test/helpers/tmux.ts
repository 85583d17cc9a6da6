import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * A command running in a detached tmux session of a given size, on a tmux
 * server of its own (`tmux -S <socket in a fresh temp dir>`, no user config;
 * the tmux equivalent of a unique `-L` name, and removable), so tests can
 * drive a real terminal program with keys and read its screen. Always
 * `kill()` it in a `finally`/`after`.
 */

export interface TmuxOptions {
  readonly columns?: number
  readonly rows?: number
  /** Working directory of the command. */
  readonly cwd?: string
  /** Extra environment of the command (on top of the server's, which is this process's). */
  readonly env?: Readonly<Record<string, string>>
}

export const DEFAULT_COLUMNS = 80
export const DEFAULT_ROWS = 24
const SESSION = 'main'

export class TmuxSession {
  private constructor (private readonly dir: string) {}

  /** The tmux server's socket: `tmux -S <socket> attach` shows the session while a test runs. */
  get socket (): string {
    return join(this.dir, 'tmux.sock')
  }

  private get statusFile (): string {
    return join(this.dir, 'exit-status')
  }

  /** Starts `command` (program and arguments, no shell) in a new session. */
  static async start (command: readonly string[], options: TmuxOptions = {}): Promise<TmuxSession> {
    const session = new TmuxSession(await mkdtemp(join(tmpdir(), 'mesh-tmux-')))
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`])
    // A shell runs the command and writes its exit status to a file: tmux's own record of a
    // pane's exit status is not reliable here (it sometimes never reaps the process).
    const wrapped = ['sh', '-c', '"$@"; echo "$?" > "$0"', session.statusFile, ...command]
    // remain-on-exit keeps the pane after the command ends, so its last screen can be read.
    await session.tmux(
      'start-server', ';',
      'set-option', '-g', 'remain-on-exit', 'on', ';',
      'new-session', '-d', '-s', SESSION,
      '-x', String(options.columns ?? DEFAULT_COLUMNS), '-y', String(options.rows ?? DEFAULT_ROWS),
      ...(options.cwd != null ? ['-c', options.cwd] : []), ...env, '--', ...wrapped
    )
    return session
  }

  /** Sends tmux key names or text: `sendKeys('Down', 'Enter')`, `sendKeys('q')`. */
  async sendKeys (...keys: string[]): Promise<void> {
    for (const key of keys) await this.tmux('send-keys', '-t', SESSION, key)
  }

  /** Types text literally (no key-name lookup). */
  async type (text: string): Promise<void> {
    await this.tmux('send-keys', '-t', SESSION, '-l', text)
  }

  /** The visible screen as text, one line per row; with `scrollback`, the lines scrolled off above it too. */
  async capture (options: { scrollback?: boolean } = {}): Promise<string> {
    return await this.tmux('capture-pane', '-p', ...(options.scrollback === true ? ['-S', '-'] : []), '-t', SESSION)
  }

  /** The visible screen with its colour and style escape codes. */
  async captureStyled (): Promise<string> {
    return await this.tmux('capture-pane', '-p', '-e', '-t', SESSION)
  }

  /** Waits until the screen shows `text`; fails with the screen after `timeoutMs`. */
  async waitForText (text: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const screen = await this.capture()
      if (typeof text === 'string' ? screen.includes(text) : text.test(screen)) return screen
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(text)}; screen:\n${screen}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }

  async resize (columns: number, rows: number): Promise<void> {
    await this.tmux('resize-window', '-t', SESSION, '-x', String(columns), '-y', String(rows))
  }

  /** The command's exit status once it ended (128 + n when killed by signal n), else undefined. */
  async exitStatus (): Promise<number | undefined> {
    const text = await readFile(this.statusFile, 'utf8').catch(() => '')
    return /^\d+\n$/.test(text) ? Number(text) : undefined
  }

  /** Waits for the command to end and answers its exit status. */
  async waitForExit (timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const status = await this.exitStatus()
      if (status != null) return status
      if (Date.now() > deadline) throw new Error(`the command in tmux did not exit within ${timeoutMs} ms; screen:\n${await this.capture()}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }

  /** Ends the session, its command and its tmux server, and removes the socket. Safe to call twice. */
  async kill (): Promise<void> {
    await this.tmux('kill-server').catch(() => {})
    await rm(this.dir, { recursive: true, force: true })
  }

  private async tmux (...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' })
    return stdout
  }
}
