/**
 * A WGSL tokenizer: enough of the WGSL lexical grammar to rewrite programs
 * safely (src/compute/wgsl/loop-guard.ts). Every character of the source
 * belongs to exactly one token, so joining the tokens' text gives the
 * source back unchanged.
 */

export type TokenKind = 'space' | 'comment' | 'ident' | 'number' | 'punct'

export interface Token {
  readonly kind: TokenKind
  readonly text: string
  /** Offset of the first character in the source. */
  readonly start: number
  /** Offset just past the last character. */
  readonly end: number
  /** 1-based line of the first character. */
  readonly line: number
}

/** WGSL blankspace (WGSL section "Blankspace and Line Breaks"). */
const BLANK = /[\t\n\v\f\r \u0085\u200e\u200f\u2028\u2029]+/y
/** Line breaks end a line comment. */
const LINE_BREAK = /[\n\v\f\r\u0085\u2028\u2029]/
const IDENT = /[\p{XID_Start}_]\p{XID_Continue}*/uy

/**
 * Numeric literals, longest form first: hexadecimal floats (with a `.` or a
 * `p` exponent), hexadecimal integers, decimal floats, decimal integers; with
 * their `i`/`u`/`f`/`h` suffixes.
 */
const NUMBERS = [
  /0[xX](?:[0-9a-fA-F]*\.[0-9a-fA-F]+|[0-9a-fA-F]+\.[0-9a-fA-F]*)(?:[pP][+-]?[0-9]+[fh]?)?/y,
  /0[xX][0-9a-fA-F]+[pP][+-]?[0-9]+[fh]?/y,
  /0[xX][0-9a-fA-F]+[iu]?/y,
  /(?:[0-9]*\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][+-]?[0-9]+)?[fh]?/y,
  /[0-9]+[eE][+-]?[0-9]+[fh]?/y,
  /[0-9]+[iufh]?/y
]

/** Punctuation, longest first so `>>=` wins over `>>` and `>`. */
const PUNCT = [
  '>>=', '<<=',
  '->', '&&', '||', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '==', '!=', '<=', '>=', '<<', '>>',
  '&', '|', '^', '~', '!', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', '{', '}', ',', ';', ':', '.', '@'
]

/** Thrown for text that is not WGSL at the lexical level (an unknown character, an unclosed comment). */
export class WgslSyntaxError extends Error {
  constructor (message: string, readonly line: number) {
    super(`WGSL line ${line}: ${message}`)
    this.name = 'WgslSyntaxError'
  }
}

export function tokenize (code: string): Token[] {
  const tokens: Token[] = []
  let pos = 0
  let line = 1
  const push = (kind: TokenKind, end: number): void => {
    const text = code.slice(pos, end)
    tokens.push({ kind, text, start: pos, end, line })
    line += countLines(text)
    pos = end
  }
  const sticky = (re: RegExp): number | undefined => {
    re.lastIndex = pos
    return re.exec(code) != null ? re.lastIndex : undefined
  }
  while (pos < code.length) {
    const blank = sticky(BLANK)
    if (blank != null) { push('space', blank); continue }
    if (code.startsWith('//', pos)) {
      let end = pos + 2
      while (end < code.length && !LINE_BREAK.test(code[end]!)) end++
      push('comment', end)
      continue
    }
    if (code.startsWith('/*', pos)) { push('comment', blockCommentEnd(code, pos, line)); continue }
    const ch = code[pos]!
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(code[pos + 1] ?? ''))) {
      let end: number | undefined
      for (const re of NUMBERS) if ((end = sticky(re)) != null) break
      push('number', end!)
      continue
    }
    const ident = sticky(IDENT)
    if (ident != null) { push('ident', ident); continue }
    const punct = PUNCT.find(p => code.startsWith(p, pos))
    if (punct != null) { push('punct', pos + punct.length); continue }
    throw new WgslSyntaxError(`unexpected character ${JSON.stringify(String.fromCodePoint(code.codePointAt(pos)!))}`, line)
  }
  return tokens
}

/** Tokens that are neither blankspace nor comments. */
export function significant (tokens: readonly Token[]): Token[] {
  return tokens.filter(t => t.kind !== 'space' && t.kind !== 'comment')
}

/** Block comments nest in WGSL: `/* a /* b *\/ c *\/` is one comment. */
function blockCommentEnd (code: string, start: number, line: number): number {
  let depth = 0
  let pos = start
  while (pos < code.length) {
    if (code.startsWith('/*', pos)) { depth++; pos += 2; continue }
    if (code.startsWith('*/', pos)) {
      depth--
      pos += 2
      if (depth === 0) return pos
      continue
    }
    pos++
  }
  throw new WgslSyntaxError('block comment is never closed', line)
}

/** Line breaks in `text`, `\r\n` counting once. */
function countLines (text: string): number {
  let lines = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\r' && text[i + 1] === '\n') continue
    if (LINE_BREAK.test(c)) lines++
  }
  return lines
}
