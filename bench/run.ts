/**
 * The mesh's benchmarks (issue 6), each measured next to its reference in
 * the same run so a noisy machine still gives comparable ratios.
 *
 *   npm run bench [-- --quick] [--json] [--only dispatch,reassign,scaling,transfer,store,matmul,endToEnd,computeBound,meshVsLocal,rounds,nat]
 *
 * Progress goes to stderr. Without --json, stdout gets a table; with --json,
 * stdout's last line is one JSON object with every figure. Timings never
 * fail the run: only a benchmark that cannot run does (exit 1).
 */
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { benchComputeBound } from './compute-bound.ts'
import { benchDispatch } from './dispatch.ts'
import { benchEndToEnd } from './end-to-end.ts'
import { benchMatmul } from './matmul-figures.ts'
import { benchMeshVsLocal } from './mesh-vs-local.ts'
import { benchReassign } from './reassign.ts'
import { benchRounds } from './rounds.ts'
import { benchScaling } from './scaling.ts'
import { benchStoreWrites } from './store-writes.ts'
import { benchTransfer, benchTransferOnLink } from './transfer.ts'
import { benchNat } from './nat.ts'
import { printTable } from './lib/report.ts'
import { nowMs } from './lib/stats.ts'

const MiB = 1024 * 1024
const GIGABIT_ETHERNET_MBIT = 1000
const MONTE_CARLO_ITEMS_PER_CHUNK = 262_144

/** Each benchmark with its quick and full sizes. */
const BENCHMARKS: Record<string, (quick: boolean) => Promise<object>> = {
  dispatch: async quick => await benchDispatch(quick ? { iterations: 1000, warmup: 100 } : { iterations: 5000, warmup: 500 }),
  reassign: async quick => await benchReassign({ kills: quick ? 3 : 7, others: 3, chunkMs: 50 }),
  scaling: async quick => await benchScaling({ volunteers: [1, 2, 4, 8, 16], chunkMs: 50, chunks: quick ? 128 : 320, repeats: quick ? 2 : 3 }),
  transfer: async quick => ({
    ...await benchTransfer(quick ? { bytes: 64 * MiB, repeats: 2 } : { bytes: 256 * MiB, repeats: 3 }),
    ...await benchTransferOnLink({ bytes: quick ? 32 * MiB : 128 * MiB, repeats: 2 }, GIGABIT_ETHERNET_MBIT)
  }),
  store: async quick => await benchStoreWrites({ results: quick ? 20_000 : 100_000, submitters: 256, warmup: 20_000, passes: 3 }),
  matmul: async quick => await benchMatmul({ size: quick ? 1024 : 2048, gpuSize: 4096, cublas: !quick }),
  endToEnd: async quick => await benchEndToEnd({ volunteers: 4, size: quick ? 1024 : 2048, gpuSize: 4096, chunks: quick ? 16 : 32 }),
  // 2^18 items of 256 paths: about 120 ms a chunk on llvmpipe alone (longer where volunteers share its cores).
  computeBound: async quick => await benchComputeBound({ volunteers: 4, chunks: quick ? 32 : 64, itemsPerChunk: MONTE_CARLO_ITEMS_PER_CHUNK }),
  meshVsLocal: async quick => await benchMeshVsLocal({ chunks: quick ? 32 : 64, itemsPerChunk: MONTE_CARLO_ITEMS_PER_CHUNK, repeats: quick ? 2 : 3 }),
  // Full size: 80,000 points x 32 dims, k 64 is about 300 ms of compute a round on llvmpipe alone, in 8 chunks.
  rounds: async quick => await benchRounds({
    volunteers: 4,
    kmeans: quick ? { points: 24_000, dims: 16, k: 32, rounds: 8, chunksPerRound: 8 } : { points: 80_000, dims: 32, k: 64, rounds: 10, chunksPerRound: 8 },
    train: { points: 4000, testRows: 1000, features: 12, classes: 4, spread: 0.8, rounds: quick ? 4 : 10, localEpochs: 2, batch: 32, lr: 0.1, rowsPerChunk: 500 }
  }),
  // Two labs behind NATs in network namespaces (root only: skipped with a message elsewhere).
  nat: async quick => await benchNat({ tries: quick ? 3 : 7, size: 256, chunks: quick ? 8 : 16 })
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' }
  }
})

const names = values.only == null ? Object.keys(BENCHMARKS) : values.only.split(',').map(name => name.trim()).filter(name => name !== '')
const unknown = names.filter(name => BENCHMARKS[name] == null)
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')} (available: ${Object.keys(BENCHMARKS).join(', ')})`)
  process.exit(2)
}

const started = nowMs()
const figures: Record<string, unknown> = {}
for (const name of names) {
  console.error(`bench: ${name}${values.quick ? ' (quick)' : ''}`)
  const begun = nowMs()
  Object.assign(figures, await BENCHMARKS[name](values.quick))
  console.error(`bench: ${name} took ${((nowMs() - begun) / 1000).toFixed(1)} s`)
}
const summary = {
  ...figures,
  ...(typeof figures.dispatchP50Ms === 'number' ? { dispatchOverTcp: figures.dispatchP50Ms / (figures.tcpRoundTripP50Ms as number) } : {}),
  quick: values.quick,
  benchmarks: names,
  seconds: (nowMs() - started) / 1000,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` }
}
if (values.json) {
  process.stdout.write(JSON.stringify(summary) + '\n')
} else {
  printTable(summary)
}
// Lingering handles of stopped peers (timers, sockets closing) must not hold the result back.
process.exit(0)
