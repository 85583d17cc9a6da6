import { test } from 'node:test'
import assert from 'node:assert/strict'
import { qrLines, urlToShare } from '../../src/cli/qr-text.ts'

/**
 * The QR code `started` and the home screen show (src/cli/qr-text.ts).
 * Decoding a QR is a library of its own; instead the text is read back into
 * its modules, two a character, and checked for what makes it a QR code a
 * camera finds: square, a light border, and the finder patterns at three
 * corners (not the fourth).
 */

const url = 'http://10.0.0.5:8080/'

/** Each character is two modules, top and bottom; true: light (drawn as a block), false: dark (a space). */
const halves: Record<string, [boolean, boolean]> = { '█': [true, true], '▀': [true, false], '▄': [false, true], ' ': [false, false] }

/** The modules of the rendered code, border included: `width` rows of `width`. */
function modulesOf (lines: readonly string[]): boolean[][] {
  const width = lines[0]!.length
  const rows = lines.flatMap(line => [0, 1].map(half => [...line].map(char => halves[char]![half]!)))
  return rows.slice(0, width)
}

/** A finder pattern with its top-left module at (x, y): dark 7x7 ring, light ring, dark 3x3 centre. */
function isFinder (modules: boolean[][], x: number, y: number): boolean {
  for (let dy = 0; dy < 7; dy++) {
    for (let dx = 0; dx < 7; dx++) {
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3))
      const dark = ring !== 2
      if (modules[y + dy]![x + dx] === dark) return false
    }
  }
  return true
}

test('given a URL, the QR text is square in modules and made only of the half-block characters', () => {
  const lines = qrLines(url)
  const width = lines[0]!.length
  // A 21-character URL fits version 2: 25 modules, plus a one-module border on each side.
  assert.equal(width, 27)
  assert.equal(lines.length, Math.ceil(width / 2))
  assert.ok(lines.every(line => line.length === width), 'every line as wide as the first')
  assert.ok(lines.every(line => /^[█▀▄ ]+$/.test(line)), `only █ ▀ ▄ and space:\n${lines.join('\n')}`)
})

test('given the modules read back, the border is light and the finder patterns sit at three corners', () => {
  const modules = modulesOf(qrLines(url))
  const n = modules.length
  assert.ok(modules[0]!.every(Boolean) && modules[n - 1]!.every(Boolean), 'light top and bottom border')
  assert.ok(modules.every(row => row[0] === true && row[n - 1] === true), 'light left and right border')
  const inner = n - 2
  assert.ok(isFinder(modules, 1, 1), 'top left')
  assert.ok(isFinder(modules, 1 + inner - 7, 1), 'top right')
  assert.ok(isFinder(modules, 1, 1 + inner - 7), 'bottom left')
  assert.ok(!isFinder(modules, 1 + inner - 7, 1 + inner - 7), 'none at the bottom right')
})

test('given the same text, the same QR; given another, a different one', () => {
  assert.deepEqual(qrLines(url), qrLines(url))
  assert.notDeepEqual(qrLines(url), qrLines('http://10.0.0.6:8080/'))
  // A longer URL needs a larger code.
  assert.ok(qrLines(`http://[fd00:1234:5678:9abc:def0:1234:5678:9abc]:8080/`)[0]!.length > 27)
})

test('given page URLs, the one to share is the first another machine can open, else the first', () => {
  assert.equal(urlToShare(['http://10.0.0.5:8080/', 'http://127.0.0.1:8080/']), 'http://10.0.0.5:8080/')
  assert.equal(urlToShare(['http://127.0.0.1:8080/', 'http://[::1]:8080/', 'http://[fd00::5]:8080/']), 'http://[fd00::5]:8080/')
  assert.equal(urlToShare(['http://127.0.0.1:8080/']), 'http://127.0.0.1:8080/')
  assert.equal(urlToShare([]), undefined)
})
