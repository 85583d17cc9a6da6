/**
 * How this peer's NAT maps its TCP port, from the addresses that peers on
 * public addresses observed for it (identify's observed address) next to the
 * local port each of those connections left from (RFC 4787's terms).
 * Pure: reachability.ts collects the observations.
 */

/** One public peer's view of this peer's address, over a connection this peer dialed. */
export interface Observation {
  /** The observer's peer id. */
  readonly observer: string
  /** The observer's IP (observers on one IP count once). */
  readonly observerHost: string
  /** The address it saw this peer come from. */
  readonly observedHost: string
  readonly observedPort: number
  /** The local port the connection left from, when known. */
  readonly localPort?: number
  /** ms since epoch */
  readonly at: number
}

export type NatKind =
  /** No observation yet: no peer with a public address saw this peer. */
  | 'unknown'
  /** The observed address is one of this peer's own: no NAT on the way. */
  | 'none'
  /** Every destination sees the same external port, the local one (a port-preserving, endpoint-independent mapping). */
  | 'port-preserving'
  /** Every destination sees the same external port, another than the local one (endpoint-independent mapping). */
  | 'endpoint-independent'
  /** One observer saw another port than the local one: the NAT rewrites ports, probably per destination. */
  | 'port-changing'
  /** Destinations see different external ports for one local port (address- and port-dependent, "symmetric"). */
  | 'symmetric'

export interface NatBehaviour {
  readonly kind: NatKind
  /** The external addresses seen, `ip:port`, newest first. */
  readonly external: string[]
  /** How many distinct observer IPs the verdict rests on. */
  readonly observers: number
  /** Whether TCP hole punching can get through this NAT (undefined: not known). */
  readonly holePunching?: boolean
  /** The behaviour in words, one line. */
  readonly text: string
}

/**
 * The NAT's behaviour from the observations. `ownHosts` are this peer's
 * interface IPs: an observed IP among them means there is no NAT. Only
 * observations whose local port is known say anything about the mapping.
 */
export function classifyNat (observations: readonly Observation[], ownHosts: readonly string[]): NatBehaviour {
  const newest = [...observations].sort((a, b) => b.at - a.at)
  const external = [...new Set(newest.map(o => `${o.observedHost}:${o.observedPort}`))]
  const observers = new Set(newest.map(o => o.observerHost)).size
  if (newest.length === 0) {
    return { kind: 'unknown', external, observers, text: 'not known yet: no peer on a public address has seen this peer' }
  }
  if (newest.every(o => ownHosts.includes(o.observedHost))) {
    return { kind: 'none', external, observers, holePunching: true, text: 'no NAT: peers see this peer at its own address' }
  }
  const mapped = newest.filter(o => o.localPort != null && !ownHosts.includes(o.observedHost))
  if (mapped.length === 0) {
    return { kind: 'unknown', external, observers, text: 'not known: the local ports of the observed connections are not known' }
  }
  // For each local port: the external ports that distinct observers saw.
  const byLocal = new Map<number, Map<string, number>>()
  for (const o of mapped) {
    const seen = byLocal.get(o.localPort!) ?? new Map<string, number>()
    if (!seen.has(o.observerHost)) seen.set(o.observerHost, o.observedPort)
    byLocal.set(o.localPort!, seen)
  }
  const symmetric = [...byLocal.values()].some(seen => new Set(seen.values()).size > 1)
  const by = observers === 1 ? '1 observer' : `${observers} observers`
  if (symmetric) {
    return { kind: 'symmetric', external, observers, holePunching: false, text: `symmetric (address- and port-dependent mapping): each destination sees another port (${by}); hole punching cannot pass it` }
  }
  const preserved = mapped.every(o => o.observedPort === o.localPort)
  const independent = [...byLocal.values()].some(seen => seen.size > 1)
  if (preserved) {
    return independent
      ? { kind: 'port-preserving', external, observers, holePunching: true, text: `port-preserving, endpoint-independent mapping (${by}): hole punching can pass it` }
      : { kind: 'port-preserving', external, observers, holePunching: true, text: `port-preserving mapping (${by}; a second public peer would confirm it is endpoint-independent): hole punching can pass it` }
  }
  if (independent) {
    return { kind: 'endpoint-independent', external, observers, holePunching: true, text: `endpoint-independent mapping to another port (${by}): hole punching can pass it` }
  }
  return { kind: 'port-changing', external, observers, holePunching: false, text: `rewrites the port (${by}; probably per destination, as a symmetric NAT does): hole punching is unlikely to pass it` }
}
