import { nowMs, percentile } from './stats.ts'

/**
 * A rounds project's round ends, from the peers' own events. On the
 * researcher: when each round closed (its record's closedAt, taken as the
 * last chunk is verified), when that chunk's verified write landed
 * (chunk:verified: the chunk and the checkpoint go in one batch), when
 * round:closed went out (after the new state is stored as a blob), and when
 * the next round's first chunk was leased. On the volunteers: when the
 * round's last chunk finished computing, and when the next round's first
 * chunk started computing (its new state fetched).
 */

/** One round's end, up to the next round's first compute. */
export interface RoundTransition {
  readonly round: number
  /** closedAt to the round's last chunk:verified: the batch with the checkpoint (Date.now() resolution, 1 ms). */
  readonly writeMs: number
  /** chunk:verified to round:closed: the state blob stored and the round's leases ended. */
  readonly closeMs: number
  /** round:closed to the next round's first chunk:leased: a volunteer's lease request answered with the new round. */
  readonly leaseMs: number
  /** The three together: the round's close to the next round's first lease. */
  readonly totalMs: number
  /** The round's last chunk computed on a volunteer to its last chunk:verified: hand-ins still queued, verification, the write. */
  readonly drainMs: number
  /** The next round's first lease to a volunteer starting to compute it: the new state fetched as a blob. */
  readonly startMs: number
  /** The round's last compute to the next round's first: how long the round barrier left every device idle. */
  readonly idleMs: number
}

export interface TransitionFigures {
  readonly medianMs: number
  readonly maxMs: number
  readonly writeMedianMs: number
  readonly writeMaxMs: number
  readonly closeMedianMs: number
  readonly leaseMedianMs: number
  readonly leaseMaxMs: number
  readonly drainMedianMs: number
  readonly startMedianMs: number
  readonly idleMedianMs: number
  readonly transitions: number
}

interface Stamp {
  /** Date.now(), comparable with a round record's closedAt. */
  readonly wall: number
  /** nowMs(): sub-millisecond, for everything measured against another event of this process. */
  readonly mono: number
}

const stamp = (): Stamp => ({ wall: Date.now(), mono: nowMs() })

interface Listening {
  readonly target: EventTarget
  readonly name: string
  readonly listener: (evt: any) => void
}

export class RoundTimeline {
  private lastVerified?: Stamp
  private readonly closed = new Map<number, { closedAt: number, verified: Stamp, event: Stamp }>()
  private readonly firstLease = new Map<number, Stamp>()
  private readonly lastComputed = new Map<number, Stamp>()
  private readonly firstCompute = new Map<number, Stamp>()
  private readonly listening: Listening[] = []

  /** `perRound`: the manifest's chunk count (chunk i of round r has index r x perRound + i). */
  constructor (researcher: EventTarget, volunteers: readonly EventTarget[], projectId: string, perRound: number) {
    const on = (target: EventTarget, name: string, handler: (detail: any) => void): void => {
      const listener = (evt: any): void => { if (evt.detail?.projectId === projectId) handler(evt.detail) }
      target.addEventListener(name, listener)
      this.listening.push({ target, name, listener })
    }
    on(researcher, 'chunk:verified', () => { this.lastVerified = stamp() })
    on(researcher, 'round:closed', detail => {
      const now = stamp()
      // A round closed on a quorum's timer has no verified chunk of its own: its close starts at the event.
      this.closed.set(detail.round, { closedAt: detail.closedAt, verified: this.lastVerified ?? now, event: now })
    })
    on(researcher, 'chunk:leased', detail => {
      if (typeof detail.round === 'number' && !this.firstLease.has(detail.round)) this.firstLease.set(detail.round, stamp())
    })
    const roundOf = (chunk: number): number => Math.floor(chunk / perRound)
    for (const volunteer of volunteers) {
      on(volunteer, 'work:chunk-computed', detail => {
        const round = roundOf(detail.chunk)
        // A backup copy that finishes after its round closed held up nothing.
        if (!this.closed.has(round)) this.lastComputed.set(round, stamp())
      })
      on(volunteer, 'work:status', detail => {
        if (detail.state !== 'computing' || typeof detail.currentChunk !== 'number') return
        const round = roundOf(detail.currentChunk)
        if (!this.firstCompute.has(round)) this.firstCompute.set(round, stamp())
      })
    }
  }

  stop (): void {
    for (const { target, name, listener } of this.listening.splice(0)) target.removeEventListener(name, listener)
  }

  /** Every closed round followed by a leased and computed round, in round order. */
  transitions (): RoundTransition[] {
    const out: RoundTransition[] = []
    for (const [round, end] of [...this.closed.entries()].sort(([a], [b]) => a - b)) {
      const lease = this.firstLease.get(round + 1)
      const compute = this.firstCompute.get(round + 1)
      const computed = this.lastComputed.get(round)
      if (lease == null || compute == null || computed == null) continue
      const writeMs = Math.max(0, end.verified.wall - end.closedAt)
      const closeMs = end.event.mono - end.verified.mono
      const leaseMs = lease.mono - end.event.mono
      out.push({
        round,
        writeMs,
        closeMs,
        leaseMs,
        totalMs: writeMs + closeMs + leaseMs,
        drainMs: end.verified.mono - computed.mono,
        startMs: compute.mono - lease.mono,
        idleMs: compute.mono - computed.mono
      })
    }
    return out
  }
}

export function summariseTransitions (list: readonly RoundTransition[]): TransitionFigures {
  const of = (key: keyof RoundTransition): number[] => list.map(t => t[key])
  const median = (key: keyof RoundTransition): number => percentile(of(key), 50)
  return {
    medianMs: median('totalMs'),
    maxMs: Math.max(...of('totalMs')),
    writeMedianMs: median('writeMs'),
    writeMaxMs: Math.max(...of('writeMs')),
    closeMedianMs: median('closeMs'),
    leaseMedianMs: median('leaseMs'),
    leaseMaxMs: Math.max(...of('leaseMs')),
    drainMedianMs: median('drainMs'),
    startMedianMs: median('startMs'),
    idleMedianMs: median('idleMs'),
    transitions: list.length
  }
}
