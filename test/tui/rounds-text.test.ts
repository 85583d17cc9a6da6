import { test } from 'node:test'
import assert from 'node:assert/strict'
import { roundsStatusText } from '../../src/cli/rounds-text.ts'
import { formatFigureName, formatFigureValue, formatRoundNumber } from '../../src/node/round-figures-text.ts'
import { trainingRounds } from './support/rounds-fixture.ts'

test('mesh status: a round in progress, with the last round figures', () => {
  assert.equal(
    roundsStatusText('proj-rnd', trainingRounds(3)),
    'proj-rnd round 4 of 10 · 12/16 chunks · change 0.0123 (stop below 0.001) · 5 dropped · loss 0.412 · accuracy 93.3% · test loss 0.5'
  )
  // Before the first round closes there is no change, drop or figure to tell.
  assert.equal(roundsStatusText('proj-rnd', trainingRounds(0, { chunksDone: 0 })), 'proj-rnd round 1 of 10 · 0/16 chunks')
  const kmeans = trainingRounds(2, { untilChange: undefined })
  const quiet = { ...kmeans, closed: kmeans.closed.map(r => ({ ...r, dropped: 0, figures: { inertia: 12_345.6 } })) }
  assert.equal(roundsStatusText('km', quiet), 'km round 3 of 10 · 12/16 chunks · change 0.0123 · inertia 12346')
})

test('mesh status: after the end, converged, every round run, or stopped; no current round', () => {
  assert.equal(
    roundsStatusText('proj-rnd', trainingRounds(7, { converged: true }), 'done'),
    'proj-rnd converged after 7 rounds · change 0.0123 (stop below 0.001) · 5 dropped · loss 0.412 · accuracy 93.3% · test loss 0.5'
  )
  assert.match(roundsStatusText('p', trainingRounds(1, { round: 1, of: 1 }), 'done'), /^p all 1 round done · change/)
  assert.match(roundsStatusText('p', trainingRounds(3), 'failed'), /^p stopped in round 4 of 10 · change/)
})

test('figures read the same everywhere: three significant figures, accuracies as percentages, names as words', () => {
  assert.deepEqual(
    [0.41234, 0.0123, 0.001, 0.000123456, 93.333, 12_345.6, 0, -2.5, Number.NaN, Number.POSITIVE_INFINITY].map(formatRoundNumber),
    ['0.412', '0.0123', '0.001', '0.000123', '93.3', '12346', '0', '-2.5', 'NaN', '∞']
  )
  assert.equal(formatFigureValue('accuracy', 0.93333), '93.3%')
  assert.equal(formatFigureValue('testAccuracy', 0.5), '50.0%')
  assert.equal(formatFigureValue('accuracy', Number.NaN), 'NaN')
  assert.equal(formatFigureValue('loss', 0.93333), '0.933')
  assert.equal(formatFigureName('testLoss'), 'test loss')
  assert.equal(formatFigureName('inertia'), 'inertia')
})
