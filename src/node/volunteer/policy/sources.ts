/**
 * What the policy engine reads: each source answers a value or says why it
 * cannot (`unavailable`), so that the engine never has to guess. Sources are
 * injected, so tests drive the engine with fakes.
 */

export type IdleReading = { readonly idleMs: number } | { readonly unavailable: string }
export type PowerReading = { readonly onBattery: boolean } | { readonly unavailable: string }
/** Other processes' share of all cores, 0..100, excluding this process and the ones it excludes. */
export type CpuReading = { readonly percent: number } | { readonly unavailable: string }

export interface IdleSource {
  /** How long since the last keyboard or mouse input. */
  readIdle (): Promise<IdleReading>
}

export interface PowerSource {
  readPower (): Promise<PowerReading>
  /** How often it is worth asking (a PowerShell query is dear); the watcher's interval when absent. */
  readonly pollMs?: number
}

export interface CpuLoadSource {
  readCpu (): Promise<CpuReading>
}

/** Whether a platform backend works on this machine, and what it found or lacks, in words. */
export interface ProbeResult {
  readonly name: string
  readonly works: boolean
  readonly detail: string
}

/** The message of anything thrown, on one line. */
export function problemText (err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n')[0]!.trim()
}
