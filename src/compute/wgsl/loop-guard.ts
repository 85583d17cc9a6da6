import { significant, tokenize, WgslSyntaxError, type Token } from './tokens.ts'

/**
 * Rewrites every loop of a WGSL module so that a loop that ends WITHOUT one
 * of its own exits runs the statement `onCut` right after it.
 *
 * A loop's own exits are its condition becoming false (`for`, `while`), a
 * `break` that belongs to it (not one in a nested loop, nor one in a
 * `switch`, which leaves the switch) and the `break if` of its `continuing`.
 * `return` leaves the function and needs nothing. Some drivers stop loops
 * after a fixed iteration budget and let the shader go on as if the loop had
 * ended (Mesa's llvmpipe: about 65,535 iterations per invocation, shared by
 * all its loops); such a stop takes none of those exits, so `onCut` runs:
 * the cut is detected exactly, whatever the driver counts.
 *
 * Per loop N, with a fresh function-scope flag:
 *
 *     { var mesh_exit_N: bool = false; LOOP if (!mesh_exit_N) { onCut } }
 *
 * and within LOOP:
 *
 * - `for (init; cond; update) {` → `for (init; ; update) { if (!(cond)) { mesh_exit_N = true; break; }`
 *   (a `for` without a condition keeps none); `continue` still runs the
 *   update, then the check at the top of the body;
 * - `while cond {` → `loop { if (!(cond)) { mesh_exit_N = true; break; }`;
 * - `break if e;` (last statement of `continuing`) → `mesh_exit_N = (e); break if mesh_exit_N;`;
 * - each `break;` of the loop → `{ mesh_exit_N = true; break; }`.
 *
 * A loop with no own exit at all (`loop { ... return x; ... }`) can only be
 * left by `return`, so reaching its end means it was cut; WGSL would call
 * the code after it unreachable (and a compiler may drop it). Such a loop
 * gets an exit that never fires, `if (mesh_exit_N) { break; }` at the top
 * of its body, and is followed by `onCut` and a return (`return;`, or
 * `return T();` with T the function's return type; none in a `continuing`,
 * where WGSL allows no return):
 *
 *     { var mesh_exit_N: bool = false; loop { if (mesh_exit_N) { break; } ... } onCut return T(); }
 *
 * Control flow is unchanged (every added branch sits where the loop already
 * branched, on the same condition), so WGSL's uniformity analysis accepts the
 * result wherever it accepted the input: a `workgroupBarrier()` in a loop with
 * a uniform bound still compiles. The flag is only read after the loop, by an
 * `if` holding `onCut`, which should be a plain store.
 *
 * Nothing inserted has a line break, so when `onCut` has none, every line of
 * the input keeps its number (only a multi-line `for` condition moves to the
 * body's first line). The rewrite is deterministic: loops are numbered in
 * source order. The flag's prefix gets extra underscores when the module
 * already has identifiers starting with `mesh_exit_`.
 *
 * Throws WgslSyntaxError for unbalanced braces, a `for` without its `(...)`
 * header, a loop without a body, text that does not tokenize as WGSL.
 */
export function guardLoops (code: string, onCut: string): string {
  const tokens = significant(tokenize(code))
  const flag = flagPrefix(tokens)
  /** Contexts of open braces, innermost last. */
  const stack: Frame[] = []
  /** The context the `{` at a token index opens (a function, loop, switch or continuing body). */
  const opens = new Map<number, Frame>()
  const edits: Edit[] = []
  const edit = (start: number, end: number, text: string): Edit => {
    const e = { start, end, text, seq: edits.length }
    edits.push(e)
    return e
  }
  /** The frame of a loop whose body opens at token `body`, with `exits` own exits so far. */
  const loopFrame = (name: string, body: number, exits: number, line: number): Frame => {
    const fn = innermost(stack, ['function'])
    return {
      kind: 'loop',
      name,
      line,
      exits,
      bodyStart: edit(tokens[body]!.end, tokens[body]!.end, ''),
      inContinuing: innermost(stack, ['continuing']) != null,
      returns: fn?.kind === 'function' ? fn.returns : undefined
    }
  }
  let loops = 0

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.kind === 'punct') {
      if (token.text === '{') {
        stack.push(opens.get(i) ?? { kind: 'block', line: token.line })
      } else if (token.text === '}') {
        const frame = stack.pop()
        if (frame == null) throw new WgslSyntaxError("unbalanced braces: '}' closes no '{'", token.line)
        if (frame.kind === 'loop') {
          if (frame.exits > 0) {
            edit(token.end, token.end, ` if (!${frame.name}) { ${onCut} } }`)
          } else {
            // Only `return` leaves this loop: whatever reaches its end was cut. An exit
            // that never fires keeps the code after the loop reachable (and compiled);
            // after the flag, a return (none can be in a continuing) stops the function.
            frame.bodyStart.text = ` if (${frame.name}) { break; }`
            const ret = frame.inContinuing ? '' : frame.returns == null ? ' return;' : ` return ${frame.returns}();`
            edit(token.end, token.end, ` ${onCut}${ret} }`)
          }
        }
      }
      continue
    }
    if (token.kind !== 'ident') continue
    switch (token.text) {
      case 'for': {
        const name = `${flag}${loops++}`
        edit(statementStart(tokens, i), statementStart(tokens, i), `{ var ${name}: bool = false; `)
        const open = tokens[i + 1]
        if (open?.text !== '(') throw new WgslSyntaxError("'for' without its '(' header", token.line)
        const { close, semicolons } = forHeader(tokens, i + 1)
        const [first, second] = semicolons
        const cond = code.slice(first.end, second.start)
        const body = bodyBrace(tokens, close + 1, 'for', token.line)
        const hasCond = !isTrivia(cond)
        if (hasCond) {
          edit(first.end, second.start, '')
          edit(tokens[body]!.end, tokens[body]!.end, ` if (!(${cond})) { ${name} = true; break; }`)
        }
        opens.set(body, loopFrame(name, body, hasCond ? 1 : 0, token.line))
        i = body - 1
        break
      }
      case 'while': {
        const name = `${flag}${loops++}`
        edit(statementStart(tokens, i), statementStart(tokens, i), `{ var ${name}: bool = false; `)
        const stop = whileConditionEnd(tokens, i + 1, token.line)
        const cond = code.slice(token.end, tokens[stop]!.start)
        if (stop === i + 1) throw new WgslSyntaxError("'while' without a condition", token.line)
        edit(token.start, tokens[stop]!.start, 'loop ')
        const body = bodyBrace(tokens, stop, 'while', token.line)
        edit(tokens[body]!.end, tokens[body]!.end, ` if (!(${cond})) { ${name} = true; break; }`)
        opens.set(body, loopFrame(name, body, 1, token.line))
        i = body - 1
        break
      }
      case 'loop': {
        const name = `${flag}${loops++}`
        edit(statementStart(tokens, i), statementStart(tokens, i), `{ var ${name}: bool = false; `)
        const body = bodyBrace(tokens, i + 1, 'loop', token.line)
        opens.set(body, loopFrame(name, body, 0, token.line))
        i = body - 1
        break
      }
      case 'fn': {
        if (stack.length === 0) {
          const fn = functionHeader(code, tokens, i)
          if (fn != null) opens.set(fn.body, { kind: 'function', returns: fn.returns, line: token.line })
        }
        break
      }
      case 'continuing': {
        opens.set(bodyBrace(tokens, i + 1, 'continuing', token.line), { kind: 'continuing', line: token.line })
        break
      }
      case 'switch': {
        let j = i + 1
        while (j < tokens.length && tokens[j]!.text !== '{') {
          if (tokens[j]!.text === ';' || tokens[j]!.text === '}') break
          j++
        }
        if (tokens[j]?.text !== '{') throw new WgslSyntaxError("'switch' without its '{' body", token.line)
        opens.set(j, { kind: 'switch', line: token.line })
        break
      }
      case 'break': {
        const next = tokens[i + 1]
        if (next?.kind === 'ident' && next.text === 'if') {
          const loop = innermost(stack, ['loop'])
          const semi = statementEnd(tokens, i + 2, token.line)
          if (loop?.kind !== 'loop') break
          const e = code.slice(next.end, tokens[semi]!.start)
          edit(token.start, tokens[semi]!.end, `${loop.name} = (${e}); break if ${loop.name};`)
          loop.exits++
          i = semi
        } else if (next?.text === ';') {
          const owner = innermost(stack, ['loop', 'switch'])
          if (owner?.kind !== 'loop') break
          edit(token.start, next.end, `{ ${owner.name} = true; break; }`)
          owner.exits++
          i = i + 1
        }
        break
      }
    }
  }
  if (stack.length > 0) {
    throw new WgslSyntaxError(`unbalanced braces: the '{' of line ${stack[stack.length - 1]!.line} is never closed`, stack[stack.length - 1]!.line)
  }
  return applyEdits(code, edits)
}

/** How many loops (`for`, `while`, `loop`) the module has. */
export function countLoops (code: string): number {
  return significant(tokenize(code)).filter(t => t.kind === 'ident' && (t.text === 'for' || t.text === 'while' || t.text === 'loop')).length
}

type Frame =
  | {
    readonly kind: 'loop'
    readonly name: string
    readonly line: number
    /** Own exits seen so far: a condition, breaks, a break if. */
    exits: number
    /** The (empty until the loop closes) insertion after the body's `{`. */
    readonly bodyStart: Edit
    readonly inContinuing: boolean
    /** The return type of the function the loop is in; undefined when none. */
    readonly returns: string | undefined
  }
  | { readonly kind: 'function', readonly returns: string | undefined, readonly line: number }
  | { readonly kind: 'switch' | 'continuing' | 'block', readonly line: number }

interface Edit {
  readonly start: number
  readonly end: number
  text: string
  /** Order of creation: insertions at one offset go in that order. */
  readonly seq: number
}

/** `mesh_exit_`, with more underscores until no identifier of the module starts with it. */
function flagPrefix (tokens: readonly Token[]): string {
  let prefix = 'mesh_exit_'
  while (tokens.some(t => t.kind === 'ident' && t.text.startsWith(prefix))) prefix += '_'
  return prefix
}

/** Blankspace and comments only. */
function isTrivia (text: string): boolean {
  return tokenize(text).every(t => t.kind === 'space' || t.kind === 'comment')
}

/** The innermost open context of one of `kinds`. */
function innermost (stack: readonly Frame[], kinds: ReadonlyArray<Frame['kind']>): Frame | undefined {
  for (let i = stack.length - 1; i >= 0; i--) if (kinds.includes(stack[i]!.kind)) return stack[i]
  return undefined
}

/**
 * Where the statement of the keyword at `i` starts: before the attributes
 * that precede it (`@diagnostic(...) for ...`), so they stay on the loop.
 */
function statementStart (tokens: readonly Token[], i: number): number {
  let start = i
  for (;;) {
    let j = start - 1
    if (tokens[j]?.text === ')') {
      let depth = 0
      for (; j >= 0; j--) {
        if (tokens[j]!.text === ')') depth++
        else if (tokens[j]!.text === '(' && --depth === 0) break
      }
      j--
    }
    if (tokens[j]?.kind === 'ident' && tokens[j - 1]?.text === '@') start = j - 1
    else return tokens[start]!.start
  }
}

/** The `)` closing a `for` header opened at `open`, and the header's two top-level `;`. */
function forHeader (tokens: readonly Token[], open: number): { close: number, semicolons: [Token, Token] } {
  const semicolons: Token[] = []
  let depth = 0
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j]!.text
    if (t === '(' || t === '[') depth++
    else if (t === ')' || t === ']') {
      if (--depth === 0) {
        if (semicolons.length !== 2) throw new WgslSyntaxError("a 'for' header needs two ';'", tokens[open]!.line)
        return { close: j, semicolons: [semicolons[0]!, semicolons[1]!] }
      }
    } else if (t === ';' && depth === 1) semicolons.push(tokens[j]!)
    else if (t === '{' || t === '}') break
  }
  throw new WgslSyntaxError("a 'for' header's '(' is never closed", tokens[open]!.line)
}

/** The body's `{` of the function declared at `fn`, and its return type (attributes left out). */
function functionHeader (code: string, tokens: readonly Token[], fn: number): { body: number, returns: string | undefined } | undefined {
  let j = fn + 2
  if (tokens[j]?.text !== '(') return undefined
  let depth = 0
  for (; j < tokens.length; j++) {
    if (tokens[j]!.text === '(') depth++
    else if (tokens[j]!.text === ')' && --depth === 0) break
  }
  j++
  let returns: string | undefined
  let body = j
  if (tokens[j]?.text === '->') {
    const type = skipAttributes(tokens, j + 1)
    body = type
    while (body < tokens.length && tokens[body]!.text !== '{' && tokens[body]!.text !== ';') body++
    if (body > type && body < tokens.length) returns = code.slice(tokens[type]!.start, tokens[body]!.start).trim()
  }
  return tokens[body]?.text === '{' ? { body, returns } : undefined
}

/** The token index of the `{` opening a body, after any attributes, from `j`. */
function bodyBrace (tokens: readonly Token[], j: number, what: string, line: number): number {
  j = skipAttributes(tokens, j)
  if (tokens[j]?.text !== '{') throw new WgslSyntaxError(`'${what}' without its '{' body`, line)
  return j
}

function skipAttributes (tokens: readonly Token[], j: number): number {
  while (tokens[j]?.text === '@' && tokens[j + 1]?.kind === 'ident') {
    j += 2
    if (tokens[j]?.text === '(') {
      let depth = 0
      for (; j < tokens.length; j++) {
        if (tokens[j]!.text === '(') depth++
        else if (tokens[j]!.text === ')' && --depth === 0) break
      }
      j++
    }
  }
  return j
}

/** The index of the token ending a `while` condition: its body's `{` or the body's first attribute. */
function whileConditionEnd (tokens: readonly Token[], j: number, line: number): number {
  let depth = 0
  for (; j < tokens.length; j++) {
    const t = tokens[j]!.text
    if (t === '(' || t === '[') depth++
    else if (t === ')' || t === ']') depth--
    else if (depth === 0 && (t === '{' || t === '@')) return j
    else if (t === ';' || t === '}' || t === '{') break
  }
  throw new WgslSyntaxError("'while' without its '{' body", line)
}

/** The index of the `;` ending the statement whose expression starts at `j`. */
function statementEnd (tokens: readonly Token[], j: number, line: number): number {
  for (; j < tokens.length; j++) {
    const t = tokens[j]!.text
    if (t === ';') return j
    if (t === '{' || t === '}') break
  }
  throw new WgslSyntaxError("'break if' without its ';'", line)
}

function applyEdits (code: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.seq - b.seq)
  let out = ''
  let pos = 0
  for (const e of sorted) {
    if (e.start < pos) throw new Error('internal error: overlapping WGSL edits')
    out += code.slice(pos, e.start) + e.text
    pos = e.end
  }
  return out + code.slice(pos)
}
