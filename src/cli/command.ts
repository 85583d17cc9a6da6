import type { ParseArgsOptionsConfig } from 'node:util'
import type { GlobalOptions } from './global-options.ts'

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>

export interface CommandContext {
  readonly options: OptionValues
  readonly positionals: string[]
  readonly global: GlobalOptions
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  readonly signal: AbortSignal
  readonly out: Output
}

export interface Output {
  /** One JSON object per line on stdout (for --json). */
  json(value: unknown): void
  /** Human-readable line on stdout. */
  line(text: string): void
  /** Diagnostics on stderr; never mixed into --json stdout. */
  info(text: string): void
}

export interface Command {
  readonly name: string
  readonly summary: string
  /** Usage lines after `mesh <name>`, shown by --help. */
  readonly usage: string
  readonly options: ParseArgsOptionsConfig
  /** Longer help: one line per option. */
  readonly help?: string
  /** Whether the command accepts positional arguments (else they are a usage error). */
  readonly positionals?: { min: number, max: number, names: string }
  run(ctx: CommandContext): Promise<number | void>
}
