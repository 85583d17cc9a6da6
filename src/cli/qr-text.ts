import { renderUnicodeCompact } from 'uqr'
import { isLoopback } from '../web/server/page-server.ts'

/**
 * A QR code of `text` for a terminal, one string per line, two modules a
 * character (█ ▀ ▄ and space, so a code of n modules is about n/2 lines).
 * Light modules are the block characters: on the usual dark terminal the
 * code reads dark on light, as a camera expects, and the one-module light
 * border is its quiet zone. Used by `started` and the UI's home screen.
 */
export function qrLines (text: string): string[] {
  // boostEcc: more error correction where it fits in the same size, for free.
  return renderUnicodeCompact(text, { boostEcc: true }).split('\n')
}

/** The page URL worth a QR code: the first another machine can open (not loopback), else the first. */
export function urlToShare (urls: readonly string[]): string | undefined {
  return urls.find(url => !isLoopback(new URL(url).hostname.replace(/^\[(.*)\]$/, '$1'))) ?? urls[0]
}
