import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, summaryOf } from './bench-process.ts'

/** Black-Scholes for the example's default call (S0 = K = 100, r = 5%, sigma = 20%, T = 1), as test/examples checks it by quadrature. */
const BLACK_SCHOLES = 10.450583572185565

const inRatioRange = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 1.5

test('given --quick --json --only computeBound,meshVsLocal, both general-kernel figures are ratios with their references, and the Monte Carlo price is within 4 standard errors of Black-Scholes', { timeout: 200_000 }, async () => {
  const run = await bench(['--quick', '--json', '--only', 'computeBound,meshVsLocal'], 180_000)
  assert.equal(run.code, 0, run.stderr.slice(-2000))
  const s = summaryOf(run)
  assert.deepEqual(s.benchmarks, ['computeBound', 'meshVsLocal'])
  for (const key of ['computeBoundEfficiency', 'meshVsLocal', 'meshVsLocalDeviceBusy']) assert.ok(inRatioRange(s[key]), `${key} = ${s[key]}`)
  for (const key of ['computeBoundWallMs', 'computeBoundComputeMs', 'computeBoundChunkMs', 'meshVsLocalMeshMs', 'meshVsLocalLocalMs', 'meshVsLocalMeshComputeMs']) {
    assert.ok(typeof s[key] === 'number' && Number.isFinite(s[key]) && s[key] > 0, `${key} = ${s[key]}`)
  }
  // The figures are the ratios of the figures reported beside them.
  assert.ok(Math.abs(s.computeBoundEfficiency - s.computeBoundComputeMs / (s.computeBoundVolunteers * s.computeBoundWallMs)) < 1e-9)
  assert.ok(Math.abs(s.meshVsLocal - s.meshVsLocalLocalMs / s.meshVsLocalMeshMs) < 1e-9)
  assert.equal(s.computeBoundVolunteers, 4)
  assert.equal(s.meshVsLocalPasses.length, 2)

  assert.ok(Math.abs(s.computeBoundBlackScholes - BLACK_SCHOLES) < 1e-9, `make-inputs.mjs's Black-Scholes ${s.computeBoundBlackScholes}`)
  // The export is fp32 (JSON prints the shortest decimal that reads back as that float).
  assert.equal(Math.fround(s.computeBoundPaths), Math.fround(s.computeBoundChunks * s.computeBoundItemsPerChunk * 256))
  for (const [price, se] of [[s.computeBoundPrice, s.computeBoundStdError], [s.meshVsLocalPrice, s.meshVsLocalStdError]] as Array<[number, number]>) {
    assert.ok(se > 0 && se < 0.01, `standard error ${se}`)
    assert.ok(Math.abs(price - BLACK_SCHOLES) <= 4 * se, `price ${price} ± ${se} vs Black-Scholes ${BLACK_SCHOLES}`)
  }
  console.log(`wgsl bench: compute-bound efficiency ${s.computeBoundEfficiency.toFixed(3)}, mesh vs local ${s.meshVsLocal.toFixed(3)}, ` +
    `price ${s.computeBoundPrice.toFixed(4)} ± ${s.computeBoundStdError.toFixed(4)} in ${s.seconds.toFixed(1)} s`)
})
