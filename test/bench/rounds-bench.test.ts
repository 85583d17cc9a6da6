import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, summaryOf } from './bench-process.ts'

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

test('given --quick --json --only rounds, the rounds figures are there and finite, the k-means runs on 1 and 4 volunteers export the same centroids as the CPU reference, and FedAvg is scored beside centralised training', { timeout: 200_000 }, async () => {
  const run = await bench(['--quick', '--json', '--only', 'rounds'], 180_000)
  assert.equal(run.code, 0, run.stderr.slice(-2000))
  const s = summaryOf(run)
  assert.deepEqual(s.benchmarks, ['rounds'])
  for (const key of ['roundsPerMinute1', 'roundsPerMinute4', 'roundsSpeedup4', 'roundsComputeMsPerRound1', 'roundsComputeMsPerRound4']) {
    assert.ok(finite(s[key]) && s[key] > 0, `${key} = ${s[key]}`)
  }
  assert.ok(Math.abs(s.roundsSpeedup4 - s.roundsPerMinute4 / s.roundsPerMinute1) < 1e-9, 'the speed-up is the ratio of the two rates')
  for (const key of ['roundTransitionMedianMs', 'roundTransitionMaxMs', 'roundTransitionWriteMs', 'roundTransitionCloseMs', 'roundTransitionLeaseMs', 'roundDrainMs', 'roundStartMs', 'roundBarrierIdleMs', 'roundsVolunteersDoneAfterMs']) {
    assert.ok(finite(s[key]) && s[key] >= 0, `${key} = ${s[key]}`)
  }
  assert.ok(s.roundTransitionMaxMs >= s.roundTransitionMedianMs)
  // Every round but the last of each project (two k-means runs, one FedAvg) leads into another.
  assert.equal(s.roundTransitions, 2 * (s.roundsKmeans.rounds - 1) + (s.fedavg.rounds - 1))
  assert.deepEqual(Object.keys(s.roundTransitionByProject).sort(), ['kmeans-1', 'kmeans-4', 'train'])

  // The same chunks fold in the same order whoever computed them, and the kernel's CPU reference agrees to fp32 rounding.
  assert.equal(s.roundsKmeansRunsMaxDiff, 0)
  assert.ok(finite(s.roundsKmeansCpuMaxDiff) && s.roundsKmeansCpuMaxDiff < 1e-3, `CPU reference off by ${s.roundsKmeansCpuMaxDiff}`)

  for (const key of ['fedavgAccuracy', 'centralisedAccuracy']) assert.ok(finite(s[key]) && s[key] > 0.5 && s[key] <= 1, `${key} = ${s[key]}`)
  assert.ok(Math.abs(s.fedavgAccuracyGap - (s.fedavgAccuracy - s.centralisedAccuracy)) < 1e-9)
  assert.equal(s.fedavg.epochs, s.fedavg.rounds * s.fedavg.localEpochs)
  console.log(`rounds bench: ${s.roundsPerMinute1.toFixed(0)} and ${s.roundsPerMinute4.toFixed(0)} rounds/min (x${s.roundsSpeedup4.toFixed(2)}), ` +
    `transition ${s.roundTransitionMedianMs.toFixed(1)} ms (max ${s.roundTransitionMaxMs.toFixed(1)}), FedAvg gap ${s.fedavgAccuracyGap.toFixed(4)} in ${s.seconds.toFixed(1)} s`)
})
