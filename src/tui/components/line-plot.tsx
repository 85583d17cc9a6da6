import type { ReactNode } from 'react'
import { Box } from 'ink'
import { Styled, type Tone } from '../theme.tsx'

/**
 * A terminal line plot of one or two series over the same x (an iterative
 * project's rounds). Two series rarely share a scale (a loss and an
 * accuracy), so each is scaled to its own min..max: the first is drawn in
 * braille against the left axis, the second in box characters against the
 * right one, so they stay apart without colour. Where both fall in one
 * cell the second's character shows.
 */

export interface PlotSeries {
  readonly label: string
  readonly values: readonly number[]
  /** How its min and max read on its axis; three significant figures by default. */
  readonly format?: (value: number) => string
}

export interface PlotOptions {
  /** The x of the first value (1: rounds count from 1 on screen). */
  readonly xStart?: number
  /** What x is, written on the x axis when it fits. */
  readonly xLabel?: string
}

/** A run of text on a plot line; `series` says which series drew it (none: the frame, labels). */
export interface PlotSegment {
  readonly text: string
  readonly series?: number
}

const AXIS_LINES = 2
/** Braille dot bits by dot column (left, right) and dot row from the top of the cell. */
const BRAILLE_BITS = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]] as const
const LEGEND_GLYPHS = ['⠒', '─'] as const

function defaultFormat (value: number): string {
  return String(Number(value.toPrecision(3)))
}

/** A loop, not Math.min(...values): a project may run 100,000 rounds, more arguments than a call takes. */
function finiteRange (values: readonly number[]): { min: number, max: number } | undefined {
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    if (v < min) min = v
    if (v > max) max = v
  }
  return min <= max ? { min, max } : undefined
}

/**
 * The values at `slots` evenly spaced x positions, the first and the last
 * value always among them: with more values than slots an even pick of
 * them, else each value on its nearest slot with straight lines between.
 * NaN and infinities leave a gap (undefined).
 */
export function placeOnSlots (values: readonly number[], slots: number): Array<number | undefined> {
  const out = Array<number | undefined>(Math.max(0, slots)).fill(undefined)
  const finite = (v: number | undefined): number | undefined => v != null && Number.isFinite(v) ? v : undefined
  const n = values.length
  if (n === 0 || slots <= 0) return out
  if (n === 1 || slots === 1) {
    out[0] = finite(values[n - 1])
    return out
  }
  if (n > slots) return out.map((_, s) => finite(values[Math.round(s * (n - 1) / (slots - 1))]))
  const slotOf = (i: number): number => Math.round(i * (slots - 1) / (n - 1))
  for (let i = 0; i < n; i++) {
    const at = slotOf(i)
    const here = finite(values[i])
    out[at] = here
    const before = i > 0 ? finite(values[i - 1]) : undefined
    if (before == null || here == null) continue
    const from = slotOf(i - 1)
    for (let s = from + 1; s < at; s++) out[s] = before + (here - before) * (s - from) / (at - from)
  }
  return out
}

/** Where a value sits among `levels` levels, 0 at the bottom; all-equal values sit in the middle. */
function level (value: number, range: { min: number, max: number }, levels: number): number {
  const ratio = range.max > range.min ? (value - range.min) / (range.max - range.min) : 0.5
  return Math.round(ratio * (levels - 1))
}

interface Cell { text: string, series?: number }

function drawBraille (grid: Cell[][], values: readonly number[], range: { min: number, max: number }, series: number): void {
  const rows = grid.length
  const cols = grid[0]!.length
  const bits = grid.map(row => row.map(() => 0))
  const dot = (x: number, y: number): void => {
    const row = rows - 1 - Math.floor(y / 4)
    const col = Math.floor(x / 2)
    bits[row]![col]! |= BRAILLE_BITS[x % 2]![3 - (y % 4)]!
  }
  const samples = placeOnSlots(values, cols * 2)
  let previous: number | undefined
  samples.forEach((value, x) => {
    const y = value != null ? level(value, range, rows * 4) : undefined
    if (y != null) {
      // Join a steep step with a vertical run of dots, so the line reads as one.
      const step = previous != null ? Math.sign(y - previous) : 0
      for (let between = previous != null ? previous + step : y; between !== y; between += step) dot(x, between)
      dot(x, y)
    }
    previous = y
  })
  bits.forEach((row, r) => row.forEach((b, c) => {
    if (b !== 0) grid[r]![c] = { text: String.fromCodePoint(0x2800 + b), series }
  }))
}

/** Box characters as in a step chart: each column goes from one value's level to the next's. */
function drawBox (grid: Cell[][], values: readonly number[], range: { min: number, max: number }, series: number): void {
  const rows = grid.length
  const cols = grid[0]!.length
  const put = (col: number, y: number, text: string): void => { grid[rows - 1 - y]![col] = { text, series } }
  const y = (v: number | undefined): number | undefined => v != null ? level(v, range, rows) : undefined
  if (values.length === 1) {
    const only = y(placeOnSlots(values, 1)[0])
    if (only != null) put(0, only, '─')
    return
  }
  const samples = placeOnSlots(values, cols + 1).map(y)
  for (let col = 0; col < cols; col++) {
    const from = samples[col]
    const to = samples[col + 1]
    if (from == null || to == null) {
      // A value with no neighbour still shows, as a dash of its own.
      const alone = from ?? (col === cols - 1 ? to : undefined)
      if (alone != null) put(col, alone, '─')
      continue
    }
    if (from === to) {
      put(col, from, '─')
      continue
    }
    const up = to > from
    put(col, from, up ? '╯' : '╮')
    put(col, to, up ? '╭' : '╰')
    for (let between = Math.min(from, to) + 1; between < Math.max(from, to); between++) put(col, between, '│')
  }
}

/** The x axis: first and last x at its ends, and what x is in the middle, when they fit. */
function xAxis (cols: number, points: number, options: PlotOptions): string {
  const chars = Array<string>(cols).fill('─')
  const first = String(options.xStart ?? 1)
  const last = String((options.xStart ?? 1) + Math.max(0, points - 1))
  const write = (at: number, text: string): void => { [...text].forEach((c, i) => { chars[at + i] = c }) }
  if (first.length <= cols) write(0, first)
  if (points > 1 && first.length + last.length + 1 <= cols) write(cols - last.length, last)
  const label = options.xLabel != null ? ` ${options.xLabel} ` : ''
  if (label !== '' && first.length + last.length + label.length + 2 <= cols) write(Math.floor((cols - label.length) / 2), label)
  return chars.join('')
}

/**
 * The plot as lines of segments, exactly `height` lines of `width` columns
 * (the legend may be shorter): `height - 2` plot rows, the x axis, a legend.
 * Empty when it cannot fit (under 2 plot rows or columns) or has no series.
 */
export function plotSegments (series: readonly PlotSeries[], width: number, height: number, options: PlotOptions = {}): PlotSegment[][] {
  const shown = series.slice(0, 2)
  const rows = height - AXIS_LINES
  if (shown.length === 0 || rows < 2) return []
  const ranges = shown.map(s => finiteRange(s.values))
  const labels = shown.map((s, i) => {
    const range = ranges[i]
    const format = s.format ?? defaultFormat
    return range == null ? { top: '--', bottom: '--' } : { top: format(range.max), bottom: format(range.min) }
  })
  const labelWidth = labels.map(l => Math.max([...l.top].length, [...l.bottom].length))
  const two = shown.length === 2
  const leftWidth = labelWidth[0]! + 2
  const rightWidth = two ? labelWidth[1]! + 2 : 0
  const cols = width - leftWidth - rightWidth
  if (cols < 2) return []

  const grid: Cell[][] = Array.from({ length: rows }, () => Array.from({ length: cols }, () => ({ text: ' ' })))
  shown.forEach((s, i) => {
    const range = ranges[i]
    if (range == null) return
    if (i === 0) drawBraille(grid, s.values, range, i)
    else drawBox(grid, s.values, range, i)
  })

  const lines: PlotSegment[][] = grid.map((cells, r) => {
    const edge = r === 0 || r === rows - 1
    const pick = (l: { top: string, bottom: string }): string => r === 0 ? l.top : r === rows - 1 ? l.bottom : ''
    const line: PlotSegment[] = [{ text: `${pick(labels[0]!).padStart(labelWidth[0]!)} ${edge ? '┤' : '│'}` }]
    // Runs of cells drawn by the same series become one segment (one colour).
    for (const cell of cells) {
      const last = line[line.length - 1]!
      if (last.series === cell.series && line.length > 1) line[line.length - 1] = { ...last, text: last.text + cell.text }
      else line.push(cell.series != null ? { text: cell.text, series: cell.series } : { text: cell.text })
    }
    if (two) line.push({ text: `${edge ? '├' : '│'} ${pick(labels[1]!).padEnd(labelWidth[1]!)}` })
    return line
  })
  const points = Math.max(...shown.map(s => s.values.length))
  lines.push([{ text: `${' '.repeat(leftWidth - 1)}└${xAxis(cols, points, options)}${two ? '┘' : ''}` }])
  const legend: PlotSegment[] = [{ text: ' '.repeat(leftWidth) }]
  shown.forEach((s, i) => {
    if (i > 0) legend.push({ text: '   ' })
    legend.push({ text: `${LEGEND_GLYPHS[i]} ${s.label}`, series: i })
    if (two) legend.push({ text: i === 0 ? ', left' : ', right' })
  })
  lines.push(fitSegments(legend, width))
  return lines
}

/** Cuts a line of segments to `width` columns. */
function fitSegments (line: readonly PlotSegment[], width: number): PlotSegment[] {
  const out: PlotSegment[] = []
  let left = width
  for (const segment of line) {
    const chars = [...segment.text]
    if (left <= 0) break
    out.push({ ...segment, text: chars.slice(0, left).join('') })
    left -= chars.length
  }
  return out
}

/** The plot as text lines (see plotSegments). */
export function plotLines (series: readonly PlotSeries[], width: number, height: number, options: PlotOptions = {}): string[] {
  return plotSegments(series, width, height, options).map(line => line.map(s => s.text).join(''))
}

export interface LinePlotProps {
  readonly series: readonly PlotSeries[]
  readonly width: number
  /** Lines, axis and legend included. */
  readonly height: number
  readonly options?: PlotOptions
}

const seriesTones: readonly Tone[] = ['accent', 'info']

export function LinePlot ({ series, width, height, options }: LinePlotProps): ReactNode {
  const lines = plotSegments(series, width, height, options)
  return (
    <Box flexDirection='column' flexShrink={0}>
      {lines.map((line, i) => (
        <Styled key={i} wrap='truncate'>
          {line.map((segment, j) => (
            <Styled key={j} tone={segment.series != null ? seriesTones[segment.series] : 'muted'}>{segment.text}</Styled>
          ))}
        </Styled>
      ))}
    </Box>
  )
}
