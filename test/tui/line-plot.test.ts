import { test } from 'node:test'
import assert from 'node:assert/strict'
import { placeOnSlots, plotLines } from '../../src/tui/components/line-plot.tsx'

const BRAILLE_BASE = 0x2800
/** Braille dot bits of a cell's top dot row and its bottom one (either dot column). */
const TOP_DOTS = 0x01 | 0x08
const BOTTOM_DOTS = 0x40 | 0x80

/** The plot area of each row: what lies between the left axis and the right one (or the line's end). */
function areas (lines: readonly string[], rows: number): string[] {
  return lines.slice(0, rows).map(line => {
    const chars = [...line]
    const left = chars.findIndex(c => c === '┤' || c === '│')
    const right = chars.findIndex((c, i) => i > left && (c === '├' || c === '│'))
    return chars.slice(left + 1, right === -1 ? undefined : right).join('')
  })
}

function dots (cell: string | undefined): number {
  const code = cell?.codePointAt(0) ?? 0
  return code > BRAILLE_BASE && code <= BRAILLE_BASE + 0xFF ? code - BRAILLE_BASE : 0
}

/** Columns of a plot area that hold anything. */
function drawn (area: string): number[] {
  return [...area].flatMap((c, i) => c !== ' ' ? [i] : [])
}

test('a rising series: its min at the bottom left, its max at the top right, both printed on its axis', () => {
  const lines = plotLines([{ label: 'accuracy', values: [1, 2, 3, 4, 5, 6, 7, 8] }], 30, 6, { xLabel: 'round' })
  assert.equal(lines.length, 6)
  const rows = areas(lines, 4)
  assert.ok(rows.every(area => [...area].length === 27), JSON.stringify(rows))
  assert.ok(dots([...rows[3]!][0]) & BOTTOM_DOTS, `the first value on the bottom dot row:\n${lines.join('\n')}`)
  assert.ok(dots([...rows[0]!].at(-1)) & TOP_DOTS, `the last value on the top dot row:\n${lines.join('\n')}`)
  assert.ok(drawn(rows[0]!).every(c => c > 13), 'nothing high in the first half')
  assert.ok(drawn(rows[3]!).every(c => c < 13), 'nothing low in the second half')
  assert.match(lines[0]!, /^8 ┤/)
  assert.match(lines[3]!, /^1 ┤/)
  assert.match(lines[4]!, /^ {2}└1─+ round ─+8$/)
  assert.equal(lines[5], '   ⠒ accuracy')
})

test('two series: each on its own scale, the first in braille on the left axis, the second in box lines on the right', () => {
  const pct = (v: number): string => `${(v * 100).toFixed(1)}%`
  const loss = [2.3, 1.6, 1.1, 0.8, 0.62, 0.5, 0.45, 0.41]
  const accuracy = [0.31, 0.52, 0.66, 0.77, 0.84, 0.89, 0.92, 0.933]
  const lines = plotLines([{ label: 'loss', values: loss }, { label: 'accuracy', values: accuracy, format: pct }], 60, 8)
  assert.ok(lines.slice(0, 6).every(l => [...l].length === 60), lines.join('\n'))
  assert.match(lines[0]!, /^ 2\.3 ┤⠑.*─├ 93\.3%$/)
  assert.match(lines[5]!, /^0\.41 ┤[─╯].*⣀├ 31\.0%$/)
  const rows = areas(lines, 6)
  // The accuracy, scaled to 31%..93.3% and not to the loss's range, still spans every row.
  assert.ok(rows.every(area => /[─╭╮╯╰│]/.test(area)), lines.join('\n'))
  assert.equal(lines[7], '      ⠒ loss, left   ─ accuracy, right')
})

test('more rounds than columns: resampled to the width, the last round kept', () => {
  const spike = [...Array<number>(199).fill(0), 1]
  const lines = plotLines([{ label: 'loss', values: spike }], 14, 5)
  const rows = areas(lines, 3)
  assert.ok(rows.every(area => [...area].length === 11), lines.join('\n'))
  assert.deepEqual(drawn(rows[0]!), [10], `only the last value reaches the top:\n${lines.join('\n')}`)
  assert.match(lines[3]!, /└1─+200$/)
  const placed = placeOnSlots(Array.from({ length: 100 }, (_, i) => i), 10)
  assert.equal(placed.length, 10)
  assert.equal(placed[0], 0)
  assert.equal(placed[9], 99)
  // Fewer values than slots: each on its slot, straight lines between.
  assert.deepEqual(placeOnSlots([0, 10], 5), [0, 2.5, 5, 7.5, 10])
})

test('one point, all-equal values: drawn in the middle, without dividing by zero', () => {
  const one = plotLines([{ label: 'loss', values: [0.5] }], 30, 6)
  assert.equal(one.length, 6)
  const marks = areas(one, 4).map(drawn)
  assert.deepEqual(marks, [[], [0], [], []], `one mark, in the first column, mid-height:\n${one.join('\n')}`)
  assert.ok(dots([...areas(one, 4)[1]!][0]) & BOTTOM_DOTS, 'on the dot row just over the middle')
  assert.match(one[4]!, /└1─+$/, 'one round on the x axis')
  // Two single points share that cell; the second series' dash is drawn over the first.
  const two = plotLines([{ label: 'loss', values: [0.5] }, { label: 'accuracy', values: [0.9] }], 30, 6)
  assert.deepEqual(areas(two, 4).map(drawn), [[], [0], [], []], two.join('\n'))
  assert.match(two[0]!, /^0\.5 ┤ +├ 0\.9$/)
  const flat = plotLines([{ label: 'inertia', values: [3, 3, 3, 3] }], 20, 6)
  const flatRows = areas(flat, 4)
  assert.deepEqual(flatRows.map(area => drawn(area).length > 0), [false, true, false, false], flat.join('\n'))
  assert.equal(drawn(flatRows[1]!).length, 17, 'a level line across the plot')
  assert.match(flat[0]!, /^3 ┤/)
  assert.match(flat[3]!, /^3 ┤/)
})

test('NaN leaves a gap and does not move the scale; a series of only NaN draws nothing', () => {
  const lines = plotLines([{ label: 'loss', values: [1, Number.NaN, Number.NaN, 4] }], 22, 6)
  const rows = areas(lines, 4)
  assert.match(lines[0]!, /^4 ┤/)
  assert.match(lines[3]!, /^1 ┤/)
  const columns = [...new Set(rows.flatMap(drawn))].sort((a, b) => a - b)
  assert.deepEqual(columns, [0, 18], `only the two numbers, at the ends:\n${lines.join('\n')}`)
  const none = plotLines([{ label: 'loss', values: [Number.NaN, Number.NaN] }, { label: 'accuracy', values: [0.5, Number.NaN, 0.7] }], 30, 5)
  assert.match(none[0]!, /^-- ┤/)
  assert.ok(areas(none, 3).every(area => !/[\u2801-\u28FF]/.test(area)), none.join('\n'))
  assert.ok(areas(none, 3).some(area => area.includes('─')), 'the other series still shows')
})

test('no room: nothing rather than a broken plot', () => {
  assert.deepEqual(plotLines([{ label: 'loss', values: [1, 2] }], 30, 3), [])
  assert.deepEqual(plotLines([{ label: 'loss', values: [1, 2] }], 4, 6), [])
  assert.deepEqual(plotLines([], 30, 6), [])
})
