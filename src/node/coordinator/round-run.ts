import { aggregateRound, aggregatedCols, stateChange, sumExtras, type RoundsParams } from '../../compute/rounds.ts'
import type { Kernel, SharedMatrix } from '../../compute/kernel.ts'
import { sha256Hex } from '../../store/blob-store.ts'
import { bytesOf } from './floats.ts'
import { roundSummaryOf, type RoundRecord } from './round-records.ts'
import type { RoundsProgress } from '../types.ts'

/** A round folded into the next state, ready to be written (see round-records.ts) and then entered. */
export interface ClosingRound {
  readonly record: RoundRecord
  readonly state: Float32Array
  readonly stateBytes: Uint8Array
}

export interface RoundStart {
  /** The round to compute now (0-based). */
  readonly round: number
  /** The state it reads, and that state's blob hash. */
  readonly state: Float32Array
  readonly stateHash: string
  readonly closed: readonly RoundRecord[]
}

/**
 * Where an iterative project is (DESIGN.md section 4, "Rounds"): the round
 * being computed, the state its chunks read, the verified rows collected so
 * far, and the closed rounds. Chunk i of round r has the project-wide index
 * r * perRound + i, so chunk records, results and receipts of every round
 * keep distinct keys.
 */
export class RoundRun {
  round: number
  state: Float32Array
  stateHash: string
  /** Verified rows of the current round, by index within the round. */
  readonly outputs = new Map<number, Float32Array>()
  readonly closed: RoundRecord[]
  /** When the current round first had its quorum of verified chunks (quorum < 1 only). */
  quorumSince?: number
  /** A close of the current round is under way (its checkpoint being written). */
  closing = false
  /** When this process first leased a chunk of the project: its wall time spans every round. */
  startedAt?: number
  /** Compute, transfer and bytes of the rounds this process closed (their chunks are gone from memory): the figures span every round. */
  readonly closedWork = { computeMs: 0, transferMs: 0, bytesMoved: 0 }

  constructor (
    readonly plan: RoundsParams,
    readonly perRound: number,
    readonly stateShape: { readonly rows: number, readonly cols: number },
    readonly extraCols: number,
    start: RoundStart
  ) {
    this.round = start.round
    this.state = start.state
    this.stateHash = start.stateHash
    this.closed = [...start.closed]
  }

  /** Project-wide index of the current round's first chunk. */
  get base (): number {
    return this.round * this.perRound
  }

  /** True once the last closed round ended the project. */
  get over (): boolean {
    return this.closed.at(-1)?.final === true
  }

  /** Verified chunks the current round needs before the rest may be dropped. */
  get quorumChunks (): number {
    return Math.ceil(this.plan.quorum * this.perRound - 1e-9)
  }

  /**
   * Folds the current round's verified rows (and `last`, the row being
   * verified now, when given) into the next state, in chunk order; the
   * kernel adds its figures. Changes nothing: `enter` moves on once written.
   */
  close (kernel: Kernel, params: unknown, researcherInputs: Readonly<Record<string, SharedMatrix>>, at: number, last?: { readonly local: number, readonly row: Float32Array }): ClosingRound {
    const rowsByLocal = new Map(this.outputs)
    if (last != null) rowsByLocal.set(last.local, last.row)
    const rows = [...rowsByLocal.entries()].sort(([a], [b]) => a - b).map(([, row]) => row)
    const { rows: stateRows, cols: stateCols } = this.stateShape
    const state = aggregateRound(this.plan.aggregate, this.state, stateRows, stateCols, rows)
    const change = stateChange(this.state, state)
    const extras = sumExtras(rows, aggregatedCols(this.plan.aggregate, stateRows, stateCols), this.extraCols)
    const figures: Record<string, number> = {}
    for (const [name, value] of Object.entries(kernel.roundFigures?.(params, { round: this.round, previous: this.state, state, extras, researcherInputs }) ?? {})) {
      // JSON has no NaN or infinity: a figure that is not a number is left out rather than stored as null.
      if (Number.isFinite(value)) figures[name] = value
    }
    const converged = this.plan.untilChange != null && change < this.plan.untilChange
    const stateBytes = bytesOf(state)
    return {
      state,
      stateBytes,
      record: {
        round: this.round,
        change,
        chunks: rows.length,
        dropped: this.perRound - rows.length,
        closedAt: at,
        figures,
        stateHash: sha256Hex(stateBytes),
        final: converged || this.round + 1 >= this.plan.count,
        converged
      }
    }
  }

  /** The closed round is written: the next one reads its state. */
  enter (closing: ClosingRound): void {
    this.closed.push(closing.record)
    this.round = closing.record.round + 1
    this.state = closing.state
    this.stateHash = closing.record.stateHash
    this.outputs.clear()
    this.quorumSince = undefined
  }

  progress (chunksDone: number): RoundsProgress {
    return roundsProgress(this.plan, this.perRound, this.closed, chunksDone)
  }
}

/** Where a rounds project stands, from its closed rounds (the live coordinator's, or the store's). */
export function roundsProgress (plan: RoundsParams, perRound: number, closed: readonly RoundRecord[], chunksDone: number): RoundsProgress {
  const last = closed.at(-1)
  const over = last?.final === true
  return {
    round: last == null ? 0 : last.round + 1,
    of: plan.count,
    ...(plan.untilChange != null ? { untilChange: plan.untilChange } : {}),
    quorum: plan.quorum,
    ...(over && last.converged ? { converged: true } : {}),
    chunksDone: over ? perRound : chunksDone,
    chunksPerRound: perRound,
    closed: closed.map(roundSummaryOf)
  }
}
