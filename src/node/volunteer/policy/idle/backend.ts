/**
 * One way of knowing how long this machine's user has not touched keyboard
 * or mouse. `probe()` says whether it works here and what it found or lacks,
 * in words for `mesh volunteer` and the volunteer screen; `idleMs()` throws
 * when a reading fails. Each backend keeps its parsing apart from running
 * commands, so the parsers are tested on recorded outputs.
 */
export interface IdleBackend {
  readonly name: string
  probe (): Promise<{ readonly works: boolean, readonly detail: string }>
  idleMs (): Promise<number>
  /** Lets go of what it holds open (devices, a helper process). */
  close? (): void
}

/** How a backend runs a tool: runCommand, or a recording in tests. */
export type Runner = (file: string, args: readonly string[]) => Promise<string>
