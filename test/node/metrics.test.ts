import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  computeProjectStats, efficiency, etaSeconds, firstLeaseAt, healthStats, historyEntry, leaderboard, percentile,
  progress, responseTimes, speedup, throughput, throughputHistory, volunteerRows, wallTime,
  type ChunkRecord, type ProjectRecords, type Receipt
} from '../../src/node/metrics.ts'
import type { ProjectSummary } from '../../src/node/types.ts'

const T0 = 1_700_000_000_000
const GFLOP = 1e9

/** Given: 6 chunks of 2 GFLOP; 4 verified by two volunteers, 1 leased, 1 queued. */
const chunks: ChunkRecord[] = [
  { index: 0, state: 'verified', attempts: 1, leasedAt: T0, verifiedAt: T0 + 2_000, volunteer: 'A', computeMs: 1_500, transferMs: 500, bytesMoved: 1_000, flops: 2 * GFLOP },
  { index: 1, state: 'verified', attempts: 1, leasedAt: T0, verifiedAt: T0 + 2_500, volunteer: 'B', computeMs: 2_000, transferMs: 500, bytesMoved: 1_000, flops: 2 * GFLOP },
  { index: 2, state: 'verified', attempts: 2, leasedAt: T0 + 2_000, verifiedAt: T0 + 3_500, volunteer: 'A', computeMs: 1_000, transferMs: 500, bytesMoved: 1_000, flops: 2 * GFLOP },
  { index: 3, state: 'verified', attempts: 1, leasedAt: T0 + 2_500, verifiedAt: T0 + 4_500, volunteer: 'B', computeMs: 1_500, transferMs: 500, bytesMoved: 1_000, flops: 2 * GFLOP },
  { index: 4, state: 'leased', attempts: 1, leasedAt: T0 + 3_500, volunteer: 'A', flops: 2 * GFLOP },
  { index: 5, state: 'queued', attempts: 0, flops: 2 * GFLOP }
]

const project: ProjectSummary = {
  id: 'p1', name: 'demo', description: '', owner: 'R', kernel: 'matmul', dims: '6x4 · 4x4',
  chunks: { done: 4, total: 6 }, volunteers: 2, own: true, status: 'running',
  verification: { redundancy: 1, spotCheck: 0 }, createdAt: T0 - 1_000, lastHeard: T0
}

test('progress counts verified chunks', () => {
  assert.deepEqual(progress(chunks), { done: 4, total: 6, ratio: 4 / 6 })
  assert.deepEqual(progress([]), { done: 0, total: 0, ratio: 1 })
})

test('throughput over a trailing window, shortened to the time since work started', () => {
  // Window (T0+1000, T0+5000]: chunks verified at +2000, +2500, +3500, +4500 -> 4 in 4 s.
  assert.deepEqual(throughput(chunks, T0, T0 + 5_000, 4_000), { chunksPerSec: 1, gflops: 2 })
  // Work started 5 s ago, window 10 s: span is 5 s -> 4 chunks / 5 s, 8 GFLOP / 5 s.
  assert.deepEqual(throughput(chunks, T0, T0 + 5_000, 10_000), { chunksPerSec: 0.8, gflops: 1.6 })
  // Window (T0+3000, T0+5000]: +3500, +4500 -> 2 chunks in 2 s.
  assert.deepEqual(throughput(chunks, T0, T0 + 5_000, 2_000), { chunksPerSec: 1, gflops: 2 })
  assert.deepEqual(throughput(chunks, undefined, T0), { chunksPerSec: 0, gflops: 0 })
})

test('ETA is remaining chunks over the rate; unknown without a rate', () => {
  assert.equal(etaSeconds(2, 0.8), 2.5)
  assert.equal(etaSeconds(0, 0), 0)
  assert.equal(etaSeconds(3, 0), undefined)
})

test('throughput history has one sample per whole second, newest last', () => {
  // Seconds [T0, T0+1000) ... [T0+4000, T0+5000): verified at +2000, +2500 | +3500 | +4500.
  assert.deepEqual(throughputHistory(chunks, T0, T0 + 5_000), [0, 0, 2, 1, 1])
  assert.deepEqual(throughputHistory(chunks, T0, T0 + 5_000, 3), [2, 1, 1])
  // A partial second since the start still gets its sample.
  assert.deepEqual(throughputHistory(chunks, T0, T0 + 2_600), [0, 0, 2])
})

test('speed-up is verified compute time over wall time, with the contributing volunteers', () => {
  // 1500 + 2000 + 1000 + 1500 = 6000 ms computed in 5000 ms of wall time by A and B.
  assert.deepEqual(speedup(chunks, 5_000), { factor: 1.2, volunteers: 2, computeMs: 6_000, wallMs: 5_000 })
  assert.equal(speedup(chunks, 0).factor, 0)
  assert.equal(wallTime(T0, undefined, T0 + 5_000), 5_000)
  assert.equal(wallTime(T0, T0 + 4_000, T0 + 9_000), 4_000)
  assert.equal(wallTime(undefined, undefined, T0), 0)
})

test('efficiency is compute over compute plus transfer, with bytes moved', () => {
  assert.deepEqual(efficiency(chunks), { computeMs: 6_000, transferMs: 2_000, bytesMoved: 4_000, ratio: 0.75 })
  assert.equal(efficiency([]).ratio, 0)
})

test('health: chunk counts by state, mean and nearest-rank p95 response time', () => {
  const samples = Array.from({ length: 20 }, (_, i) => (i + 1) * 10) // 10..200 ms
  assert.deepEqual(responseTimes(samples), { meanMs: 105, p95Ms: 190 })
  assert.equal(percentile([5], 0.95), 5)
  assert.equal(percentile([30, 10, 20], 0.5), 20)
  assert.deepEqual(responseTimes([]), { meanMs: 0, p95Ms: 0 })
  assert.deepEqual(healthStats({
    peersConnected: 3,
    projectsKnown: 2,
    connections: 4,
    chunkStates: ['queued', 'queued', 'leased', 'verifying', 'verified', 'failed'],
    responseSamples: [10, 20, 60]
  }), {
    peersConnected: 3, projectsKnown: 2, chunksQueued: 2, chunksInFlight: 2, chunksDone: 1,
    meanResponseMs: 30, p95ResponseMs: 60, connections: 4
  })
})

test('leaderboard ranks by verified FLOPs, dedupes receipts, gives three badges and keeps ten', () => {
  const receipt = (volunteer: string, chunk: number, gflop: number, projectId = 'p1'): Receipt =>
    ({ projectId, chunk, volunteer, flops: gflop * GFLOP, computeMs: 100 * gflop, issuedAt: T0 + chunk })
  const receipts: Receipt[] = [
    receipt('A', 0, 2), receipt('A', 1, 2), receipt('A', 1, 2), // duplicate counts once
    receipt('B', 2, 5),
    receipt('C', 3, 1), receipt('C', 0, 3, 'p2'),
    receipt('D', 4, 1)
  ]
  const names = new Map([['B', 'bea']])
  const board = leaderboard(receipts, { names })
  assert.deepEqual(board, [
    { rank: 1, peer: 'B', name: 'bea', flops: 5 * GFLOP, chunks: 1, computeMs: 500, badge: 'gold' },
    // A and C tie on 4 GFLOP; C has 2 chunks as well: the peer id breaks the tie.
    { rank: 2, peer: 'A', name: undefined, flops: 4 * GFLOP, chunks: 2, computeMs: 400, badge: 'silver' },
    { rank: 3, peer: 'C', name: undefined, flops: 4 * GFLOP, chunks: 2, computeMs: 400, badge: 'bronze' },
    { rank: 4, peer: 'D', name: undefined, flops: 1 * GFLOP, chunks: 1, computeMs: 100, badge: undefined }
  ])
  const many = Array.from({ length: 12 }, (_, i) => receipt(`v${String(i).padStart(2, '0')}`, i, 12 - i))
  const top = leaderboard(many)
  assert.equal(top.length, 10)
  assert.deepEqual(top.map(e => e.peer), ['v00', 'v01', 'v02', 'v03', 'v04', 'v05', 'v06', 'v07', 'v08', 'v09'])
})

test('volunteer rows tally verified and in-flight chunks and device GFLOPS', () => {
  const rows = volunteerRows(chunks, [{ peer: 'A', name: 'ann', status: 'active' }, { peer: 'C', status: 'lost' }])
  assert.deepEqual(rows, [
    // A: 4 GFLOP in 2.5 s of compute = 1.6 GFLOPS; B: 4 GFLOP in 3.5 s.
    { peer: 'A', name: 'ann', chunksVerified: 2, chunksInFlight: 1, gflops: 1.6, status: 'active' },
    { peer: 'B', name: undefined, chunksVerified: 2, chunksInFlight: 0, gflops: 4 * GFLOP / 3.5 / 1e9, status: 'idle' },
    { peer: 'C', name: undefined, chunksVerified: 0, chunksInFlight: 0, gflops: 0, status: 'lost' }
  ])
})

const records: ProjectRecords = {
  project,
  chunks,
  volunteers: [{ peer: 'A', status: 'active' }, { peer: 'B', status: 'active' }, { peer: 'X', status: 'banned' }],
  timeline: [{ at: T0, kind: 'published', text: 'published demo' }],
  mismatches: 1,
  spotChecks: 2
}

test('project stats while running: windowed rate, ETA, speed-up and verification counts', () => {
  const stats = computeProjectStats(records, T0 + 5_000)
  assert.equal(stats.progress, 4 / 6)
  assert.equal(stats.chunksPerSec, 0.8)
  assert.equal(stats.gflops, 1.6)
  assert.equal(stats.etaSeconds, 2.5)
  assert.equal(stats.speedup, 1.2)
  assert.equal(stats.activeVolunteers, 2)
  assert.equal(stats.contributors, 2)
  assert.equal(stats.wallMs, 5_000)
  assert.deepEqual(stats.chunkStates, ['verified', 'verified', 'verified', 'verified', 'leased', 'queued'])
  assert.deepEqual(stats.verification, { verified: 4, mismatches: 1, spotChecks: 2, bannedVolunteers: 1 })
  assert.deepEqual(stats.efficiency, { computeMs: 6_000, transferMs: 2_000, bytesMoved: 4_000, ratio: 0.75 })
  assert.deepEqual(stats.throughputHistory, [0, 0, 2, 1, 1])
  assert.equal(stats.timeline.length, 1)
})

test('project stats before any verified chunk have no ETA; after finishing they stop at the finish time', () => {
  const fresh = computeProjectStats({ ...records, chunks: chunks.map(c => ({ ...c, state: 'queued' as const })) }, T0 + 1_000)
  assert.equal(fresh.etaSeconds, undefined)
  assert.equal(fresh.speedup, 0)
  const finished = computeProjectStats({ ...records, finishedAt: T0 + 4_000 }, T0 + 60_000)
  assert.equal(finished.wallMs, 4_000)
  // Whole-run average: 3 chunks verified before +4000 in 4 s.
  assert.equal(finished.chunksPerSec, 0.75)
  assert.equal(finished.speedup, 1.5)
})

test('history entry of a finished project', () => {
  const entry = historyEntry({ ...records, startedAt: T0, finishedAt: T0 + 8_000 })
  assert.deepEqual(entry, {
    projectId: 'p1', name: 'demo', kernel: 'matmul', dims: '6x4 · 4x4', volunteers: 2, durationMs: 8_000,
    chunks: 6, gflops: 1, efficiency: 0.75, speedup: 0.75, finishedAt: T0 + 8_000, status: 'done'
  })
  assert.equal(historyEntry({ ...records, finishedAt: T0 + 8_000, failure: 'chunk 5 failed 5 times' }).status, 'failed')
})

/**
 * Given redundancy 2: every chunk goes to two volunteers and is accepted once
 * both copies agree. A's copy was accepted for chunks 0 and 1, B's agreed;
 * chunk 2 has A's copy back and waits for a second one; chunk 3 is out to
 * both; chunk 4 has A's copy back and is out to B; chunk 5 is queued.
 */
const replicated: ChunkRecord[] = [
  { index: 0, state: 'verified', attempts: 2, leasedAt: T0, verifiedAt: T0 + 2_000, volunteer: 'A', agreed: ['A', 'B'], computeMs: 1_000, transferMs: 500, bytesMoved: 2_000, flops: 2 * GFLOP },
  { index: 1, state: 'verified', attempts: 2, leasedAt: T0, verifiedAt: T0 + 3_000, volunteer: 'A', agreed: ['A', 'B'], computeMs: 1_000, transferMs: 500, bytesMoved: 2_000, flops: 2 * GFLOP },
  { index: 2, state: 'verifying', attempts: 1, leasedAt: T0 + 2_000, volunteer: 'A', holders: [], results: 1, replicas: 2, flops: 2 * GFLOP },
  { index: 3, state: 'leased', attempts: 2, leasedAt: T0 + 3_000, volunteer: 'B', holders: ['A', 'B'], results: 0, replicas: 2, flops: 2 * GFLOP },
  { index: 4, state: 'leased', attempts: 2, leasedAt: T0 + 3_500, volunteer: 'B', holders: ['B'], results: 1, replicas: 2, flops: 2 * GFLOP },
  { index: 5, state: 'queued', attempts: 0, holders: [], results: 0, replicas: 2, flops: 2 * GFLOP }
]

test('under redundancy every agreeing volunteer is credited with the chunk and every lease holder has it in flight', () => {
  const rows = volunteerRows(replicated, [])
  assert.deepEqual(rows.map(r => [r.peer, r.chunksVerified, r.chunksInFlight]), [['A', 2, 1], ['B', 2, 2]])
  // From the chunks alone only A's accepted copies have a compute time: 4 GFLOP in 2 s; B's speed is unknown.
  assert.equal(rows[0].gflops, 2)
  assert.equal(rows[1].gflops, 0)
  // The coordinator's tallies time every agreeing copy: B computed its 4 GFLOP in 4 s.
  const tallied = volunteerRows(replicated, [
    { peer: 'A', status: 'active', flops: 4 * GFLOP, computeMs: 2_000 },
    { peer: 'B', status: 'active', flops: 4 * GFLOP, computeMs: 4_000 }
  ])
  assert.deepEqual(tallied.map(r => [r.peer, r.chunksVerified, r.gflops]), [['A', 2, 2], ['B', 2, 1]])
  // A copy credited twice in a record counts once.
  assert.equal(volunteerRows([{ ...replicated[0], agreed: ['A', 'B', 'B'] }], []).find(r => r.peer === 'B')?.chunksVerified, 1)
})

test('under redundancy the contributors are every agreeing volunteer; a chunk counts its compute time once', () => {
  assert.deepEqual(speedup(replicated, 4_000), { factor: 0.5, volunteers: 2, computeMs: 2_000, wallMs: 4_000 })
  const stats = computeProjectStats({ ...records, chunks: replicated, volunteers: [] }, T0 + 4_000)
  assert.equal(stats.contributors, 2)
  assert.equal(stats.activeVolunteers, 2)
  assert.deepEqual(stats.verification, { verified: 2, mismatches: 1, spotChecks: 2, bannedVolunteers: 0 })
  // Only the chunk nobody holds or computed is queued.
  assert.deepEqual(stats.chunkStates, ['verified', 'verified', 'verifying', 'leased', 'leased', 'queued'])
  const health = healthStats({ peersConnected: 2, projectsKnown: 1, connections: 2, chunkStates: stats.chunkStates, responseSamples: [] })
  assert.deepEqual([health.chunksQueued, health.chunksInFlight, health.chunksDone], [1, 3, 2])
  assert.deepEqual(stats.volunteers.map(v => [v.peer, v.chunksVerified, v.chunksInFlight, v.status]), [['A', 2, 1, 'active'], ['B', 2, 2, 'active']])
})

test('a history entry under redundancy counts every agreeing volunteer', () => {
  assert.equal(historyEntry({ ...records, chunks: replicated.slice(0, 2), volunteers: [], startedAt: T0, finishedAt: T0 + 4_000 }).volunteers, 2)
})

test('work starts with the first lease of a chunk, not the lease of its second copy', () => {
  // Chunk 0 was leased first at T0 - 3000 to A and again at T0 to B for the second copy.
  const again: ChunkRecord[] = [{ ...replicated[0], firstLeasedAt: T0 - 3_000 }, ...replicated.slice(1)]
  assert.equal(firstLeaseAt(replicated), T0)
  assert.equal(firstLeaseAt(again), T0 - 3_000)
  assert.equal(computeProjectStats({ ...records, chunks: again, volunteers: [] }, T0 + 4_000).wallMs, 7_000)
})
