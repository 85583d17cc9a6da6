import type { Key } from 'ink'

const noKey: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false
}

/**
 * Ink hands over several characters read at once (fast typing, tmux
 * send-keys, paste) as one input string. Split it back into one key per
 * character, described the way Ink describes a single key, so "2⏎" opens
 * Publish and then presses enter there.
 */
export function splitKeys (input: string, key: Key): Array<[string, Key]> {
  const chars = [...input]
  if (chars.length <= 1) return [[input, key]]
  return chars.map(c => describe(c))
}

function describe (c: string): [string, Key] {
  if (c === '\r' || c === '\n') return ['', { ...noKey, return: true }]
  if (c === '\t') return ['', { ...noKey, tab: true }]
  if (c === '\u007F' || c === '\b') return ['', { ...noKey, backspace: true }]
  const code = c.codePointAt(0) ?? 0
  // Ctrl+letter arrives as 1..26.
  if (code >= 1 && code <= 26) return [String.fromCodePoint(code + 96), { ...noKey, ctrl: true }]
  return [c, { ...noKey, shift: /[A-Z]/.test(c) }]
}
