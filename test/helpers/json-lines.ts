import type { ChildProcess } from 'node:child_process'

/**
 * Collects a child's stdout as JSON lines (and its stderr as text) and lets
 * a test wait for the first line matching a predicate.
 */
export class JsonLines {
  readonly lines: any[] = []
  stderr = ''
  private buffer = ''
  private readonly waiters = new Set<() => void>()
  readonly exited: Promise<number | null>

  constructor (readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (text: string) => {
      this.buffer += text
      for (let newline = this.buffer.indexOf('\n'); newline >= 0; newline = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, newline)
        this.buffer = this.buffer.slice(newline + 1)
        if (line.trim() === '') continue
        try {
          this.lines.push(JSON.parse(line))
        } catch {
          this.lines.push({ unparsed: line })
        }
      }
      for (const wake of this.waiters) wake()
    })
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (text: string) => { this.stderr += text })
    this.exited = new Promise(resolve => child.on('close', code => {
      for (const wake of this.waiters) wake()
      resolve(code)
    }))
  }

  async waitFor (what: string, match: (line: any) => boolean, timeoutMs = 30_000): Promise<any> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.lines.find(match)
      if (found != null) return found
      if (this.child.exitCode != null || Date.now() > deadline) {
        throw new Error(`no line with ${what} (exit ${this.child.exitCode}); stdout: ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`)
      }
      await new Promise<void>(resolve => {
        const wake = (): void => { clearTimeout(timer); this.waiters.delete(wake); resolve() }
        const timer = setTimeout(wake, Math.max(0, Math.min(500, deadline - Date.now())))
        this.waiters.add(wake)
      })
    }
  }
}
