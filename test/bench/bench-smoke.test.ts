import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, summaryOf } from './bench-process.ts'

test('given --quick --json --only dispatch,store,reassign, the last line of stdout is one JSON object with those figures and their references', async () => {
  const run = await bench(['--quick', '--json', '--only', 'dispatch,store,reassign'])
  assert.equal(run.code, 0, run.stderr.slice(-2000))
  const summary = summaryOf(run)
  for (const key of ['dispatchP50Ms', 'dispatchP99Ms', 'tcpRoundTripP50Ms', 'dispatchOverTcp', 'storeWritesPerSec', 'storeWritesSerialPerSec', 'storeResultsPerBatch', 'reassignMs', 'detectMs']) {
    assert.ok(typeof summary[key] === 'number' && Number.isFinite(summary[key]) && summary[key] > 0, `${key} = ${summary[key]}`)
  }
  assert.ok(summary.dispatchP99Ms >= summary.dispatchP50Ms)
  assert.equal(summary.reassignSamples.length, 3)
  assert.deepEqual(summary.benchmarks, ['dispatch', 'store', 'reassign'])
  assert.equal(summary.quick, true)
  assert.equal(summary.scalingEfficiency8, undefined, 'scaling was not asked for')
  console.log(`bench smoke: dispatch p50 ${summary.dispatchP50Ms.toFixed(3)} ms (TCP ${summary.tcpRoundTripP50Ms.toFixed(3)} ms), reassign ${summary.reassignMs.toFixed(1)} ms, store ${summary.storeWritesPerSec.toFixed(0)}/s in ${summary.seconds.toFixed(1)} s`)
})

test('given an unknown benchmark name, bench exits 2 naming the ones available', async () => {
  const run = await bench(['--only', 'dispatch,warp'])
  assert.equal(run.code, 2)
  assert.match(run.stderr, /unknown benchmark warp \(available: dispatch, reassign, scaling, transfer, store, matmul, endToEnd, computeBound, meshVsLocal, rounds[,)]/)
  assert.equal(run.stdout, '')
})
