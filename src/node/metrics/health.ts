import type { ChunkState, HealthStats } from '../types.ts'
import type { ResponseSample } from './records.ts'

export interface ResponseTimes {
  readonly meanMs: number
  /** Nearest-rank 95th percentile. */
  readonly p95Ms: number
}

export interface HealthInputs {
  readonly peersConnected: number
  readonly projectsKnown: number
  readonly connections: number
  /** States of every chunk of this peer's own projects. */
  readonly chunkStates: readonly ChunkState[]
  readonly responseSamples: readonly ResponseSample[]
}

/** Nearest-rank percentile (p in (0, 1]) of unsorted samples; 0 without samples. */
export function percentile (samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil(p * sorted.length))
  return sorted[rank - 1]
}

export function responseTimes (samples: readonly ResponseSample[]): ResponseTimes {
  if (samples.length === 0) return { meanMs: 0, p95Ms: 0 }
  const sum = samples.reduce((a, b) => a + b, 0)
  return { meanMs: sum / samples.length, p95Ms: percentile(samples, 0.95) }
}

export function healthStats (inputs: HealthInputs): HealthStats {
  let queued = 0
  let inFlight = 0
  let done = 0
  for (const state of inputs.chunkStates) {
    if (state === 'queued') queued++
    else if (state === 'leased' || state === 'verifying') inFlight++
    else if (state === 'verified') done++
  }
  const { meanMs, p95Ms } = responseTimes(inputs.responseSamples)
  return {
    peersConnected: inputs.peersConnected,
    projectsKnown: inputs.projectsKnown,
    chunksQueued: queued,
    chunksInFlight: inFlight,
    chunksDone: done,
    meanResponseMs: meanMs,
    p95ResponseMs: p95Ms,
    connections: inputs.connections
  }
}
