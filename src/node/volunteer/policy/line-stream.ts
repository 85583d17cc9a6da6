import { spawn, type ChildProcess } from 'node:child_process'

/**
 * A helper process that prints a reading per line, kept running so that a
 * dear start (PowerShell takes a second or more and compiles its Add-Type
 * each time) is paid once, not every poll. Keeps the latest line; restarts
 * the process when it ends, waiting longer each time it ends early.
 */

const RESTART_MIN_MS = 1_000
const RESTART_MAX_MS = 60_000

export interface LineStreamInit {
  readonly file: string
  readonly args: readonly string[]
  /** Keeps only lines this accepts (a helper may print other things). */
  readonly accept?: (line: string) => boolean
}

export class LineStream {
  private child?: ChildProcess
  private line?: { text: string, at: number }
  private lastProblem = ''
  private waiters: Array<() => void> = []
  private restartMs = RESTART_MIN_MS
  private restartTimer?: ReturnType<typeof setTimeout>
  private closed = false

  constructor (private readonly init: LineStreamInit) {}

  /** The latest line, if it is younger than `maxAgeMs`; else throws, saying why there is none. */
  latest (maxAgeMs: number): string {
    this.ensure()
    if (this.line != null && Date.now() - this.line.at <= maxAgeMs) return this.line.text
    throw new Error(this.lastProblem !== '' ? this.lastProblem : `${this.init.file} printed no reading in the last ${maxAgeMs} ms`)
  }

  /** Waits up to `timeoutMs` for a line (the first, when just started). */
  async next (timeoutMs: number): Promise<string> {
    this.ensure()
    const since = this.line?.at ?? -1
    await new Promise<void>(resolve => {
      const timer = setTimeout(done, timeoutMs)
      function done (): void {
        clearTimeout(timer)
        resolve()
      }
      this.waiters.push(done)
    })
    if (this.line != null && this.line.at > since) return this.line.text
    throw new Error(this.lastProblem !== '' ? this.lastProblem : `${this.init.file} printed no reading within ${timeoutMs} ms`)
  }

  close (): void {
    this.closed = true
    clearTimeout(this.restartTimer)
    this.child?.kill()
    this.child = undefined
    this.wake()
  }

  private ensure (): void {
    if (this.child != null || this.closed || this.restartTimer != null) return
    const started = Date.now()
    const child = spawn(this.init.file, this.init.args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
    this.child = child
    let pending = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split(/\r?\n/)
      pending = lines.pop() ?? ''
      for (const line of lines.map(l => l.trim())) {
        if (line === '' || (this.init.accept != null && !this.init.accept(line))) continue
        this.line = { text: line, at: Date.now() }
        this.lastProblem = ''
        this.restartMs = RESTART_MIN_MS
        this.wake()
      }
    })
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-2_000) })
    child.once('error', (err: NodeJS.ErrnoException) => {
      this.lastProblem = err.code === 'ENOENT' ? `${this.init.file} is not installed (not found on PATH)` : `${this.init.file} could not start: ${err.message}`
    })
    child.once('close', code => {
      if (this.child === child) this.child = undefined
      if (this.lastProblem === '') {
        const first = stderr.trim().split('\n').find(l => l.trim() !== '')?.trim()
        this.lastProblem = `${this.init.file} ended (status ${code ?? 'killed'})${first != null ? `: ${first}` : ''}`
      }
      this.wake()
      if (this.closed) return
      // Ended soon after starting: wait longer before the next try.
      const wait = Date.now() - started < RESTART_MAX_MS ? this.restartMs : RESTART_MIN_MS
      this.restartMs = Math.min(RESTART_MAX_MS, this.restartMs * 2)
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined
        this.ensure()
      }, wait)
      this.restartTimer.unref?.()
    })
    // A reading helper must not keep this process alive.
    child.unref()
    for (const pipe of [child.stdout, child.stderr] as unknown as Array<{ unref?: () => void }>) pipe.unref?.()
  }

  private wake (): void {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }
}
