import { render, type Instance } from 'ink'
import type { GlobalOptions } from '../cli/global-options.ts'
import { UsageError } from '../cli/errors.ts'
import { App } from './app.tsx'
import type { MeshPort } from './mesh-port.ts'

/** Starts the peer the UI drives (a MeshNode) from the command line's global options. */
export type CreatePort = (global: GlobalOptions) => Promise<MeshPort & { stop(): Promise<void> }>

/** Redraws per second at most; state is read at most 4 times a second (use-port-data.ts). */
export const MAX_FPS = 10

export interface TuiOptions {
  readonly stdin?: NodeJS.ReadStream
  readonly stdout?: NodeJS.WriteStream
  /** Colour on or off; NO_COLOR decides when absent. */
  readonly color?: boolean
}

/**
 * Draws the UI for a running peer in the terminal until the user quits or
 * `signal` aborts. Full screen (the alternate buffer, restored on exit),
 * redrawing only the lines that changed.
 */
export function renderTui (port: MeshPort, signal: AbortSignal, options: TuiOptions = {}): Instance {
  const instance = render(<App port={port} color={options.color} />, {
    stdin: options.stdin,
    stdout: options.stdout,
    exitOnCtrlC: false,
    patchConsole: true,
    interactive: true,
    alternateScreen: true,
    incrementalRendering: true,
    maxFps: MAX_FPS
  })
  const onAbort = (): void => { instance.unmount() }
  signal.addEventListener('abort', onAbort, { once: true })
  void instance.waitUntilExit().finally(() => { signal.removeEventListener('abort', onAbort) }).catch(() => {})
  return instance
}

/**
 * Opens the terminal UI: starts the peer with `createPort`, shows the UI
 * until the user quits (q) or the process is told to stop, then stops the
 * peer. Answers the exit code.
 */
export async function runTui (global: GlobalOptions, signal: AbortSignal, createPort?: CreatePort): Promise<number> {
  if (createPort == null) {
    throw new UsageError('this build has no peer for the terminal UI to drive; use the headless commands (mesh --help)')
  }
  const port = await createPort(global)
  try {
    if (signal.aborted) return 0
    await renderTui(port, signal).waitUntilExit()
    return 0
  } finally {
    await port.stop()
  }
}
