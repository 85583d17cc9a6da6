import { join } from 'node:path'

/** The control socket lives in the data dir: one running peer per data dir (LevelDB's lock). */
export function controlSocketPath (dataDir: string): string {
  return join(dataDir, 'control.sock')
}

/** A request line longer than this is refused (the socket is local, but stay bounded). */
export const MAX_CONTROL_LINE_BYTES = 64 * 1024
export const CONTROL_TIMEOUT_MS = 30_000
