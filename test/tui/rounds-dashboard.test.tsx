import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ReactElement } from 'react'

// Colour support is decided when chalk loads: force it on, so that only the
// theme can keep escape codes out of the rounds panel.
process.env.FORCE_COLOR = '3'
const { render } = await import('ink-testing-library')
const { DashboardScreen } = await import('../../src/tui/screens/dashboard-screen.tsx')
const { ThemeContext } = await import('../../src/tui/theme.tsx')
const { ownStats } = await import('./support/fixture-port.ts')
const { roundsStats, trainingRounds } = await import('./support/rounds-fixture.ts')

const ESC = '\u001B'
const BRAILLE = /[\u2801-\u28FF]/
const LEGEND = /^ +⠒ loss, left {3}─ accuracy, right$/m

/** The dashboard body of a 100x30 terminal (the frame takes 3 lines), of a 100x24 one, and of a short 100x19 one. */
const NORMAL = 27
const MEDIUM = 21
const SHORT = 16

function frameOf (screen: ReactElement, color = false): string {
  const { lastFrame, unmount } = render(<ThemeContext.Provider value={{ color }}>{screen}</ThemeContext.Provider>)
  const frame = lastFrame() ?? ''
  unmount()
  return frame
}

function dashboard (stats: Parameters<typeof DashboardScreen>[0]['stats'], height: number, color = false): string[] {
  return frameOf(<DashboardScreen stats={stats} width={100} height={height} />, color).split('\n')
}

function panelAt (lines: readonly string[]): number {
  const at = lines.findIndex(l => l.startsWith('Rounds '))
  assert.ok(at >= 0, `no rounds panel in:\n${lines.join('\n')}`)
  return at
}

/** Lines of the plot: its rows, the x axis and the legend. */
function plotLines (lines: readonly string[]): string[] {
  return lines.filter(l => /^ *\S* [┤│└]/.test(l) || LEGEND.test(l))
}

test('rounds panel: the round and its chunks, the last round figures, its change and drops, then the plot by round', () => {
  const lines = dashboard(roundsStats(trainingRounds(3)), NORMAL)
  const frame = lines.join('\n')
  const at = panelAt(lines)
  assert.match(lines[at - 1]!, /41%\s+10\/24 chunks$/, 'the panel follows the progress bar')
  assert.equal(lines[at], 'Rounds      round 4 of 10 · 12/16 chunks this round · quorum 75%')
  assert.equal(lines[at + 1], 'Round 3     loss 0.412 · accuracy 93.3% · test loss 0.5')
  assert.equal(lines[at + 2], '            change 0.0123 (stop below 0.001) · dropped 2 (5 in all)')
  // Each on its own scale: loss falls from 1.01 to 0.412 (left, braille), accuracy rises from 83.3% to 93.3% (right, box lines).
  assert.match(lines[at + 3]!, /^ 1\.01 ┤⠉.*─├ 93\.3%$/)
  assert.match(lines[at + 8]!, /^0\.412 ┤─.*⣀├ 83\.3%$/)
  assert.match(lines[at + 9]!, /^ {6}└1─+ round ─+3┘$/)
  assert.match(lines[at + 10]!, LEGEND)
  assert.match(lines[at + 11]!, /^██████████▒▒▒·+$/, 'the chunk grid follows the plot')
  assert.equal(lines.length, NORMAL, `fills its height and no more:\n${frame}`)
  assert.match(frame, /Volunteers \(2 active\)/)
  assert.match(frame, /^Events$/m)
})

test('rounds panel on a shorter terminal: the plot shrinks, then goes first; the panel text stays', () => {
  const medium = dashboard(roundsStats(trainingRounds(3)), MEDIUM)
  assert.equal(plotLines(medium).length, 4, `two plot rows, the axis and the legend:\n${medium.join('\n')}`)
  assert.equal(medium.length, MEDIUM)
  const short = dashboard(roundsStats(trainingRounds(3)), SHORT)
  const frame = short.join('\n')
  assert.deepEqual(plotLines(short), [], `no plot:\n${frame}`)
  assert.doesNotMatch(frame, BRAILLE)
  const at = panelAt(short)
  assert.equal(short[at + 1], 'Round 3     loss 0.412 · accuracy 93.3% · test loss 0.5')
  assert.match(short[at + 2]!, /^ {12}change 0\.0123/)
  assert.match(short[at + 3]!, /^██████████/, 'the chunk grid keeps its row')
  assert.ok(short.length <= SHORT, `fits its height:\n${frame}`)
  assert.match(frame, /^Events$/m)
})

test('the plot needs two closed rounds; before the first closes the panel is one line', () => {
  const one = dashboard(roundsStats(trainingRounds(1)), NORMAL)
  assert.deepEqual(plotLines(one), [], one.join('\n'))
  const at = panelAt(one)
  assert.equal(one[at], 'Rounds      round 2 of 10 · 12/16 chunks this round · quorum 75%')
  assert.equal(one[at + 1], 'Round 1     loss 0.412 · accuracy 93.3% · test loss 0.5')
  assert.equal(one[at + 2], '            change 0.0123 (stop below 0.001) · dropped 2 (2 in all)')
  const none = dashboard(roundsStats(trainingRounds(0)), NORMAL)
  const first = panelAt(none)
  assert.equal(none[first], 'Rounds      round 1 of 10 · 12/16 chunks this round · quorum 75%')
  assert.match(none[first + 1]!, /^██████████/, 'no round figures yet')
  assert.deepEqual(plotLines(none), [])
  // Two closed rounds are enough for a trend.
  assert.equal(plotLines(dashboard(roundsStats(trainingRounds(2)), NORMAL)).length, 8)
})

test('once over: converged, every round run, or failed; no current round', () => {
  const converged = dashboard(roundsStats(trainingRounds(7, { converged: true }), 'done'), NORMAL)
  assert.equal(converged[panelAt(converged)], 'Rounds      converged after 7 rounds')
  assert.equal(converged[panelAt(converged) + 1], 'Round 7     loss 0.412 · accuracy 93.3% · test loss 0.5')
  assert.match(converged.join('\n'), /└1─+ round ─+7┘/)
  const ran = dashboard(roundsStats(trainingRounds(10), 'done'), NORMAL)
  assert.equal(ran[panelAt(ran)], 'Rounds      all 10 rounds done')
  const failed = dashboard({ ...roundsStats(trainingRounds(3), 'failed'), failure: 'round 3 lost its quorum' }, NORMAL)
  assert.equal(failed[panelAt(failed)], 'Rounds      stopped in round 4 of 10')
})

test('any figures the kernel reports: k-means inertia alone is plotted alone; with no figures the state change is', () => {
  const base = trainingRounds(3)
  const kmeans = { ...base, untilChange: undefined, closed: base.closed.map((r, i) => ({ ...r, figures: { inertia: 20_000 - i * 3_827.2 } })) }
  const lines = dashboard(roundsStats(kmeans), NORMAL)
  const at = panelAt(lines)
  assert.equal(lines[at + 1], 'Round 3     inertia 12346')
  assert.equal(lines[at + 2], '            change 0.0123 · dropped 2 (5 in all)')
  assert.match(lines[at + 3]!, /^20000 ┤⠉.*\S$/, 'one series: no right axis')
  assert.match(lines[at + 8]!, /^12346 ┤.*⣀$/)
  assert.match(lines[at + 10]!, /^ +⠒ inertia$/)
  const bare = { ...base, closed: base.closed.map(r => ({ ...r, figures: {} })) }
  const plain = dashboard(roundsStats(bare), NORMAL)
  const p = panelAt(plain)
  assert.equal(plain[p + 1], 'Round 3     change 0.0123 (stop below 0.001) · dropped 2 (5 in all)')
  assert.match(plain[p + 2]!, /^0\.0492 ┤⠉/, 'the change, from 0.0492 down to 0.0123')
  assert.match(plain.join('\n'), /^ +⠒ change$/m)
})

test('a project without rounds looks as before: no panel, and its lines go to the events', () => {
  const plain = dashboard(ownStats(), MEDIUM)
  const frame = plain.join('\n')
  assert.doesNotMatch(frame, /^Rounds|^Round \d/m)
  assert.doesNotMatch(frame, BRAILLE)
  assert.deepEqual(plotLines(plain), [])
  assert.match(plain[2]!, /^██████████▒▒▒·+$/, 'the chunk grid right under the progress bar')
  const events = (lines: string[]): number => lines.slice(lines.indexOf('Events') + 1).length
  assert.equal(events(plain), 5, `every event shown:\n${frame}`)
  assert.ok(events(dashboard(roundsStats(trainingRounds(3)), MEDIUM)) < 5, 'a rounds project takes its panel out of the events')
})

test('no-colour mode: the same text and plot, not one escape code; with colour the plot is styled', () => {
  const stats = roundsStats(trainingRounds(4))
  const plain = dashboard(stats, NORMAL).join('\n')
  assert.ok(!plain.includes(ESC), 'escape codes with colour off')
  assert.match(plain, LEGEND, 'the two series differ in glyphs, not only in colour')
  const colored = dashboard(stats, NORMAL, true).join('\n')
  const unstyled = (line: string): string => line.replace(/\u001B\[[0-9;]*m/g, '').trimEnd()
  const legend = colored.split('\n').find(l => LEGEND.test(unstyled(l)))
  assert.ok(legend?.includes(ESC), 'the plot is not styled although colour is forced on')
  // Styled text may end in padding that plain text drops; the words and glyphs are the same.
  assert.deepEqual(colored.split('\n').map(unstyled), plain.split('\n').map(l => l.trimEnd()))
})
