import { EventEmitter } from 'node:events'
import { render, type Instance } from 'ink'
import type { ReactElement } from 'react'

/**
 * ink-testing-library's render, at a terminal size the test chooses and can
 * change: its stdout reports `columns` and `rows` and emits `resize`.
 */
class SizedStdout extends EventEmitter {
  readonly frames: string[] = []
  constructor (public columns: number, public rows: number) {
    super()
  }

  write = (frame: string, done?: () => void): boolean => {
    this.frames.push(frame)
    done?.()
    return true
  }
}

class TestStdin extends EventEmitter {
  isTTY = true
  private data: string | null = null
  write = (data: string): void => {
    this.data = data
    this.emit('readable')
    this.emit('data', data)
  }

  read = (): string | null => {
    const { data } = this
    this.data = null
    return data
  }

  setEncoding (): void {}
  setRawMode (): void {}
  resume (): void {}
  pause (): void {}
  ref (): void {}
  unref (): void {}
}

export interface SizedRender {
  lastFrame: () => string
  frames: string[]
  /** Types into the app: text, or key sequences from `keys`. */
  press: (input: string) => void
  resize: (columns: number, rows: number) => void
  instance: Instance
  unmount: () => void
}

export function renderSized (tree: ReactElement, columns = 80, rows = 24): SizedRender {
  const stdout = new SizedStdout(columns, rows)
  const stdin = new TestStdin()
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new SizedStdout(columns, rows) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false
  })
  return {
    lastFrame: () => stdout.frames[stdout.frames.length - 1] ?? '',
    frames: stdout.frames,
    press: (input) => { stdin.write(input) },
    resize: (c, r) => {
      stdout.columns = c
      stdout.rows = r
      stdout.emit('resize')
    },
    instance,
    unmount: () => { instance.unmount() }
  }
}

export const keys = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  backspace: '\u007F',
  ctrlC: '\u0003',
  ctrlU: '\u0015'
}

/** Waits until the latest frame satisfies `ok`; fails with that frame after `timeoutMs`. */
export async function waitForFrame (lastFrame: () => string | undefined, ok: (frame: string) => boolean, timeoutMs = 4000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const frame = lastFrame() ?? ''
    if (ok(frame)) return frame
    if (Date.now() > deadline) throw new Error(`timed out waiting for the screen; last frame:\n${frame}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** Waits until `ok()` holds, polling. */
export async function waitUntil (ok: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
