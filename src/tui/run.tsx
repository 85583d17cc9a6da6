import type { GlobalOptions } from '../cli/global-options.ts'
import { UsageError } from '../cli/errors.ts'

/** Opens the terminal UI (built in src/tui/). */
export async function runTui (_global: GlobalOptions, _signal: AbortSignal): Promise<number> {
  throw new UsageError('the terminal UI is not available in this build yet; use the headless commands (mesh --help)')
}
