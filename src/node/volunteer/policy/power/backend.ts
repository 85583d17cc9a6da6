/** One way of knowing whether this machine runs on battery; as the idle backends, it says whether it works here. */
export interface PowerBackend {
  readonly name: string
  probe (): Promise<{ readonly works: boolean, readonly detail: string }>
  /** Throws when the state cannot be read. */
  onBattery (): Promise<boolean>
  /** How often it is worth asking; every poll when absent. */
  readonly pollMs?: number
  close? (): void
}

/** What a reader found: on battery or not, and what it saw, for the probe's detail. */
export interface PowerState {
  readonly onBattery: boolean
  readonly detail: string
}
