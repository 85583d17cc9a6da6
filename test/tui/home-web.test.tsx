import { test } from 'node:test'
import assert from 'node:assert/strict'
import { qrLines } from '../../src/cli/qr-text.ts'
import { startApp } from './support/running-app.tsx'

/**
 * A UI started with `--web` (issue 14): the home screen names the page's
 * URL, the one another machine opens, and shows its QR code where the
 * terminal has room for it, dropping the QR (not the URL, nor the lists'
 * line budget) on a small one.
 */

const urls = ['https://10.0.0.5:8080/', 'http://127.0.0.1:8080/']
const qr = qrLines(urls[0]!)

/** The frame's lines holding the QR's lines, in order, one a line; undefined when some are missing. */
function qrRows (frame: string): number[] | undefined {
  const lines = frame.split('\n')
  const rows = qr.map(part => lines.findIndex(line => line.includes(part)))
  return rows.every((row, i) => row >= 0 && (i === 0 || row === rows[i - 1]! + 1)) ? rows : undefined
}

async function homeAt (columns: number, rows: number, webPageUrls = urls, webPageFingerprint?: string): Promise<string> {
  const app = await startApp({ webPageUrls, ...(webPageFingerprint != null ? { webPageFingerprint } : {}) }, columns, rows)
  try {
    // The peers arrive with the projects; once both show, the frame is complete.
    return await app.see('carol')
  } finally {
    app.ui.unmount()
  }
}

test('given a wide terminal, home shows the page URL and its QR code beside the lists', async () => {
  const frame = await homeAt(120, 32)
  assert.match(frame, /Volunteer from a browser: https:\/\/10\.0\.0\.5:8080\/$/m)
  const rows = qrRows(frame)
  assert.ok(rows != null, `the whole QR code, one line after another:\n${frame}`)
  const lines = frame.split('\n')
  // Beside: the lists' rows carry the QR at their right end.
  assert.ok(rows.some(row => lines[row]!.includes('mm-own')), `the QR beside the projects:\n${frame}`)
  assert.ok(rows.every((row, i) => lines[row]!.endsWith(qr[i]!)), 'at the right end of the lines')
  assert.match(frame, /Peers \(2 connected\)/)
  assert.equal(lines.length, 32, 'the frame keeps to the terminal height')
})

test('given a tall but narrow terminal, the QR code goes below the URL, the lists under it', async () => {
  const frame = await homeAt(80, 44)
  const rows = qrRows(frame)
  assert.ok(rows != null, `the whole QR code:\n${frame}`)
  const lines = frame.split('\n')
  assert.ok(lines.findIndex(line => line.includes('Volunteer from a browser:')) < rows[0]!, 'the URL first')
  assert.ok(lines.findIndex(line => line.includes('mm-own')) > rows.at(-1)!, 'the projects after the QR')
  assert.match(frame, /Peers \(2 connected\)/)
  assert.equal(lines.length, 44)
})

test('given an 80x24 terminal, home keeps the URL line and drops the QR code', async () => {
  const frame = await homeAt(80, 24)
  assert.match(frame, /Volunteer from a browser: https:\/\/10\.0\.0\.5:8080\//)
  assert.doesNotMatch(frame, /[▀▄]/, `no QR code:\n${frame}`)
  assert.match(frame, /mm-own/)
  assert.match(frame, /Peers \(2 connected\)/)
  assert.equal(frame.split('\n').length, 24)
})

test('given a peer that serves no page, home has neither line', async () => {
  const frame = await homeAt(120, 32, [])
  assert.doesNotMatch(frame, /Volunteer from a browser/)
  assert.doesNotMatch(frame, /[▀▄]/)
})

test('given the peer\'s own certificate, the URL line shows the ends of its fingerprint to compare with the browser\'s warning', async () => {
  const fingerprint = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':')
  const frame = await homeAt(120, 32, urls, fingerprint)
  const bytes = fingerprint.split(':')
  assert.ok(frame.includes(`Volunteer from a browser: https://10.0.0.5:8080/  certificate ${bytes.slice(0, 4).join(':')}…${bytes.slice(-4).join(':')}`), frame)
  assert.ok(qrRows(frame) != null, 'the QR code still fits')
})
