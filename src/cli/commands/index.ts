import type { Command } from '../command.ts'

/**
 * Every headless command, in the order `mesh --help` lists them.
 * Each lives in its own file beside this one.
 */
export const commands: Command[] = [
]
