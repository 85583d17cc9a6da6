import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { countLoops, guardLoops } from '../../src/compute/wgsl/loop-guard.ts'
import { significant, tokenize, WgslSyntaxError } from '../../src/compute/wgsl/tokens.ts'
import { selectComputeDevice } from '../../src/compute/device/select.ts'
import { GpuComputeDevice } from '../../src/compute/device/gpu-device.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import { withHeader, ON_CUT, OUTPUT_LENGTH, onSwiftShader, runProgram, swiftShaderMissing } from './support/loop-programs.ts'

const CUT = 'cut();'
const g = (code: string): string => guardLoops(code, CUT)
const check = (n: number, cond: string): string => ` if (!(${cond})) { mesh_exit_${n} = true; break; }`
const open = (n: number): string => `{ var mesh_exit_${n}: bool = false; `
const close = (n: number): string => ` if (!mesh_exit_${n}) { ${CUT} } }`
const brk = (n: number): string => `{ mesh_exit_${n} = true; break; }`

describe('tokenize', () => {
  test('gives the source back and knows comments, numbers and punctuation', () => {
    const code = 'fn f(a: f32) -> f32 { /* a /* nested */ for { */ var x = 1.5e-3f + 0x1.fp-2h + .5 + 1e3 + 0x1Fu + 2i; // loop {\n x += a; i++; return x && y >>= z; }'
    const tokens = tokenize(code)
    assert.equal(tokens.map(t => t.text).join(''), code)
    const sig = significant(tokens).map(t => t.text)
    assert.deepEqual(sig.slice(0, 9), ['fn', 'f', '(', 'a', ':', 'f32', ')', '->', 'f32'])
    for (const n of ['1.5e-3f', '0x1.fp-2h', '.5', '1e3', '0x1Fu', '2i']) assert.ok(sig.includes(n), n)
    for (const p of ['+=', '++', '&&', '>>=']) assert.ok(sig.includes(p), p)
    assert.ok(!sig.includes('for') && !sig.includes('loop'))
    assert.deepEqual(tokens.filter(t => t.kind === 'comment').map(t => t.text), ['/* a /* nested */ for { */', '// loop {'])
    assert.equal(tokens.find(t => t.text === 'x' && t.line === 2)?.line, 2)
  })

  test('Unicode identifiers, _ and line numbers across \\r\\n', () => {
    const tokens = significant(tokenize('let αβ_1 = _x;\r\n_ = loopα;'))
    assert.deepEqual(tokens.filter(t => t.kind === 'ident').map(t => [t.text, t.line]), [['let', 1], ['αβ_1', 1], ['_x', 1], ['_', 2], ['loopα', 2]])
  })

  test('rejects unknown characters and unclosed comments', () => {
    assert.throws(() => tokenize('var x = 1 # 2;'), WgslSyntaxError)
    assert.throws(() => tokenize('/* a /* b */'), /block comment is never closed/)
  })
})

describe('guardLoops on text', () => {
  test('for with init, condition and update', () => {
    assert.equal(g('for (var i = 0u; i < n; i++) { s += i; }'),
      `${open(0)}for (var i = 0u;; i++) {${check(0, ' i < n')} s += i; }${close(0)}`)
  })

  test('for without a condition keeps none; without init or update', () => {
    assert.equal(g('for (var i = 0u; ; i++) { if (i > 3u) { break; } }'),
      `${open(0)}for (var i = 0u; ; i++) { if (i > 3u) { ${brk(0)} } }${close(0)}`)
    assert.equal(g('for (;;) { break; }'), `${open(0)}for (;;) { ${brk(0)} }${close(0)}`)
    assert.equal(g('for (; i < n;) { i++; }'), `${open(0)}for (;;) {${check(0, ' i < n')} i++; }${close(0)}`)
    assert.equal(g('for (var i = 0; i < f(a, b[min(c, 2)]); i += 1) {}'),
      `${open(0)}for (var i = 0;; i += 1) {${check(0, ' i < f(a, b[min(c, 2)])')}}${close(0)}`)
  })

  test('while with and without parentheses becomes loop', () => {
    assert.equal(g('while (i < n) { i++; }'), `${open(0)}loop {${check(0, ' (i < n) ')} i++; }${close(0)}`)
    assert.equal(g('while i < n && ok { i++; }'), `${open(0)}loop {${check(0, ' i < n && ok ')} i++; }${close(0)}`)
  })

  test('loop with continuing and break if', () => {
    assert.equal(g('loop { i++; continuing { s += i; break if i >= n; } }'),
      `${open(0)}loop { i++; continuing { s += i; mesh_exit_0 = ( i >= n); break if mesh_exit_0; } }${close(0)}`)
  })

  test('break inside if is the loop\'s; break inside switch is left alone', () => {
    const code = 'loop { switch i { case 0u: { break; } default: { if x { break; } } } if y { break; } }'
    assert.equal(g(code),
      `${open(0)}loop { switch i { case 0u: { break; } default: { if x { break; } } } if y { ${brk(0)} } }${close(0)}`)
    // A loop inside a switch case: its break is its own.
    assert.equal(g('switch i { default: { loop { break; } break; } }'),
      `switch i { default: { ${open(0)}loop { ${brk(0)} }${close(0)} break; } }`)
  })

  test('nested loops: each break goes to its own loop, flags numbered in source order', () => {
    const code = 'for (var a = 0u; a < n; a++) { for (var b = 0u; b < n; b++) { if b == a { break; } } if a == 3u { break; } }'
    assert.equal(g(code),
      `${open(0)}for (var a = 0u;; a++) {${check(0, ' a < n')} ${open(1)}for (var b = 0u;; b++) {${check(1, ' b < n')} if b == a { ${brk(1)} } }${close(1)} if a == 3u { ${brk(0)} } }${close(0)}`)
    // A loop in the continuing block of another.
    assert.equal(g('loop { continuing { loop { break; } break if x; } }'),
      `${open(0)}loop { continuing { ${open(1)}loop { ${brk(1)} }${close(1)} mesh_exit_0 = ( x); break if mesh_exit_0; } }${close(0)}`)
  })

  test('comments and identifiers that contain loop words are not loops', () => {
    const code = 'fn f() {\n  // for (;;) { break; }\n  /* while x { /* loop { */ } */\n  let format = loopy + for_each + whiley + breaks + continuing_x;\n}\n'
    assert.equal(countLoops(code), 0)
    assert.equal(g(code), code)
  })

  test('loops in several functions, return left alone', () => {
    const code = 'fn a() -> u32 { loop { if x { return 1u; } } }\nfn b() { while c { } }\n@compute @workgroup_size(1) fn main() { for (;;) { break; } }'
    assert.equal(countLoops(code), 3)
    assert.equal(g(code), `fn a() -> u32 { ${open(0)}loop { if (mesh_exit_0) { break; } if x { return 1u; } } ${CUT} return u32(); } }\n` +
      `fn b() { ${open(1)}loop {${check(1, ' c ')} }${close(1)} }\n` +
      `@compute @workgroup_size(1) fn main() { ${open(2)}for (;;) { ${brk(2)} }${close(2)} }`)
  })

  test('a loop only return leaves: a never-taken exit, then the flag and a return', () => {
    assert.equal(g('fn f(n: u32) -> @location(0) vec2<f32> { var i = 0u; loop { if i > n { return vec2f(1.0); } i++; } }'),
      `fn f(n: u32) -> @location(0) vec2<f32> { var i = 0u; ${open(0)}loop { if (mesh_exit_0) { break; } if i > n { return vec2f(1.0); } i++; } ${CUT} return vec2<f32>(); } }`)
    assert.equal(g('fn f() { for (;;) { switch x { default: { break; } } return; } }'),
      `fn f() { ${open(0)}for (;;) { if (mesh_exit_0) { break; } switch x { default: { break; } } return; } ${CUT} return; } }`)
    // No return in a continuing block: only the flag.
    assert.equal(g('fn f() { loop { continuing { loop { } break if x; } } }'),
      `fn f() { ${open(0)}loop { continuing { ${open(1)}loop { if (mesh_exit_1) { break; } } ${CUT} } mesh_exit_0 = ( x); break if mesh_exit_0; } }${close(0)} }`)
  })

  test('attributes before a loop stay on the loop', () => {
    assert.equal(g('@diagnostic(off, derivative_uniformity) loop { break; }'),
      `${open(0)}@diagnostic(off, derivative_uniformity) loop { ${brk(0)} }${close(0)}`)
  })

  test('lines keep their numbers, the rewrite is deterministic, the flag avoids the module\'s names', () => {
    const code = 'fn f() {\n  for (var i = 0; i < 3; i++) {\n    if i == 1 { break; }\n  }\n  while x {\n  }\n}\n'
    assert.equal(g(code).split('\n').length, code.split('\n').length)
    assert.equal(g(code), g(code))
    const taken = 'fn f() { var mesh_exit_0 = 1; loop { break; } }'
    assert.equal(g(taken), `fn f() { var mesh_exit_0 = 1; { var mesh_exit__0: bool = false; loop { { mesh_exit__0 = true; break; } } if (!mesh_exit__0) { ${CUT} } } }`)
  })

  test('unbalanced braces and broken loop headers throw clear errors', () => {
    assert.throws(() => g('fn f() { loop { break; }'), /unbalanced braces: the '\{' of line 1 is never closed/)
    assert.throws(() => g('fn f() { }\n}'), /WGSL line 2: unbalanced braces: '\}' closes no '\{'/)
    assert.throws(() => g('fn f() { for i < 3 { } }'), /'for' without its '\(' header/)
    assert.throws(() => g('fn f() { for (var i = 0; i < 3) { } }'), /two ';'/)
    assert.throws(() => g('fn f() { loop; }'), /'loop' without its '\{' body/)
  })
})

/** Kernels under any budget: their guarded runs must equal their plain runs and never flag. */
const kernels: Array<{ name: string, body: string, uniforms: number[] }> = [
  {
    name: 'continue in for',
    uniforms: [100, 0, 0, 0],
    body: `@compute @workgroup_size(1) fn main() {
  var s = 0u;
  for (var i = 0u; i < u.x; i++) { if (i % 3u == 0u) { continue; } s += i; }
  out[0] = f32(s);
}`
  },
  {
    name: 'break in switch in loop, break in loop',
    uniforms: [40, 0, 0, 0],
    body: `@compute @workgroup_size(1) fn main() {
  var s = 0u;
  var i = 0u;
  loop {
    if (i >= u.x) { break; }
    switch i % 4u {
      case 0u: { if (i > 8u) { break; } s += 1u; }
      case 1u: { s += 10u; }
      default: { s += 100u; }
    }
    i++;
  }
  out[0] = f32(s);
  out[1] = f32(i);
}`
  },
  {
    name: 'continuing with break if, continue',
    uniforms: [33, 0, 0, 0],
    body: `@compute @workgroup_size(1) fn main() {
  var s = 0u;
  var i = 0u;
  loop {
    if (i % 2u == 0u) { s += i; continue; }
    s += 1u;
    continuing { i++; break if i >= u.x; }
  }
  out[0] = f32(s);
}`
  },
  {
    name: 'nested for with early breaks',
    uniforms: [30, 20, 0, 0],
    body: `@compute @workgroup_size(1) fn main() {
  var s = 0u;
  for (var a = 0u; a < u.x; a++) {
    for (var b = 0u; b < u.y; b++) { if (b > a) { break; } s += a * b; }
    if (s > 50000u) { break; }
  }
  out[0] = f32(s);
}`
  },
  {
    name: 'while with and without parentheses, loop with return in a helper',
    uniforms: [1000, 7, 0, 0],
    body: `fn find(n: u32) -> u32 {
  var i = 0u;
  loop { if (i * i >= n) { return i; } i++; }
}
@compute @workgroup_size(1) fn main() {
  var x = u.x;
  var steps = 0u;
  while (x > 1u) { if (x % 2u == 0u) { x /= 2u; } else { x = 3u * x + 1u; } steps++; }
  var y = u.y;
  while y < 100u && steps > 0u { y += 3u; }
  out[0] = f32(steps);
  out[1] = f32(y);
  out[2] = f32(find(u.x));
}`
  },
  {
    name: 'workgroupBarrier in loops with uniform bounds',
    uniforms: [16, 5, 0, 0],
    body: `var<workgroup> tile: array<u32, 64>;
@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) l: u32) {
  var s = 0u;
  for (var r = 0u; r < u.x; r++) {
    tile[l] = r + l;
    workgroupBarrier();
    s += tile[(l + 1u) % 64u];
    workgroupBarrier();
  }
  var k = 0u;
  loop {
    workgroupBarrier();
    continuing { k++; break if k >= u.y; }
  }
  while (k < 2u * u.y) { storageBarrier(); k++; }
  if (l == 0u) { out[0] = f32(s); out[1] = f32(k); }
}`
  }
]

const flagAt = OUTPUT_LENGTH - 1
const counting = (bound: string): string => `@compute @workgroup_size(1) fn main() {
  var acc = 0.0;
  for (var k = 0u; k < ${bound}; k++) { acc += 1.0; }
  out[0] = acc;
}`
const nestedCounting = `@compute @workgroup_size(1) fn main() {
  var acc = 0.0;
  for (var a = 0u; a < u.x; a++) { for (var k = 0u; k < u.y; k++) { acc += 1.0; } }
  out[0] = acc;
}`
const sequenceCounting = `@compute @workgroup_size(1) fn main() {
  var acc = 0.0;
  for (var k = 0u; k < u.x; k++) { acc += 1.0; }
  var w = 0u;
  loop { acc += 1.0; w++; if (w >= u.y) { break; } }
  out[0] = acc;
}`

const returnOnly = `fn search(n: u32) -> f32 {
  var i = 0u;
  loop { if (i >= n) { return f32(i); } i++; }
}
@compute @workgroup_size(1) fn main() { out[0] = search(u.x); }`

describe('guarded programs on the device', () => {
  let device: ComputeDevice | undefined
  let gpu: GpuComputeDevice | undefined
  let llvmpipe = false
  before(async () => {
    device = await selectComputeDevice()
    if (device instanceof GpuComputeDevice) gpu = device
    llvmpipe = /llvmpipe/i.test(device.info.description)
  })
  after(async () => { await device?.destroy() })

  test('kernels under the budget: guarded equals plain, the guard never fires', async (t) => {
    if (gpu == null) { t.skip(`no GPU device (${device?.info.description ?? ''})`); return }
    for (const k of kernels) {
      const plain = await runProgram(gpu, k.name, withHeader(k.body), k.uniforms)
      const guarded = await runProgram(gpu, `${k.name}-guarded`, guardLoops(withHeader(k.body), ON_CUT), k.uniforms)
      assert.equal(guarded[flagAt], 0, `${k.name}: the guard fired`)
      assert.deepEqual(guarded, plain, k.name)
      assert.ok(plain.slice(0, 3).some(v => v !== 0), `${k.name} computed nothing`)
    }
  })

  test('llvmpipe: cut loops fire the guard, loops under the budget do not', async (t) => {
    if (gpu == null || !llvmpipe) { t.skip(`not llvmpipe (${device?.info.description ?? ''})`); return }
    const run = async (name: string, body: string, uniforms: number[]): Promise<number[]> =>
      await runProgram(gpu!, name, guardLoops(withHeader(body), ON_CUT), uniforms)
    const long = await run('count', counting('u.x'), [100_000, 0, 0, 0])
    assert.equal(long[flagAt], 1, `100,000 iterations: counted ${long[0]}, no flag`)
    assert.ok(long[0]! < 100_000)
    const under = await run('count', counting('u.x'), [60_000, 0, 0, 0])
    assert.deepEqual([under[0], under[flagAt]], [60_000, 0])
    const constant = await run('count-constant', counting('100000u'), [0, 0, 0, 0])
    assert.equal(constant[flagAt], 1, 'a constant bound of 100,000')
    const nested = await run('nested', nestedCounting, [300, 300, 0, 0])
    assert.equal(nested[flagAt], 1, `300 x 300: counted ${nested[0]}, no flag`)
    const sequence = await run('sequence', sequenceCounting, [40_000, 40_000, 0, 0])
    assert.equal(sequence[flagAt], 1, `40,000 + 40,000: counted ${sequence[0]}, no flag`)
    // Each alone is under the budget: they are cut because the driver counts them together.
    const first = await run('sequence', sequenceCounting, [40_000, 1, 0, 0])
    assert.deepEqual([first[0], first[flagAt]], [40_001, 0])
    // A loop that only return leaves.
    const cutSearch = await run('search', returnOnly, [100_000, 0, 0, 0])
    assert.equal(cutSearch[flagAt], 1, `a return-only loop of 100,000: got ${cutSearch[0]}, no flag`)
    const search = await run('search', returnOnly, [1000, 0, 0, 0])
    assert.deepEqual([search[0], search[flagAt]], [1000, 0])
  })

  test('SwiftShader: nothing fires and the counts are right', async (t) => {
    if (swiftShaderMissing != null) { t.skip(swiftShaderMissing); return }
    const programs = [
      { name: 'count', code: guardLoops(withHeader(counting('u.x')), ON_CUT), uniforms: [100_000, 0, 0, 0] },
      { name: 'nested', code: guardLoops(withHeader(nestedCounting), ON_CUT), uniforms: [300, 300, 0, 0] },
      { name: 'sequence', code: guardLoops(withHeader(sequenceCounting), ON_CUT), uniforms: [40_000, 40_000, 0, 0] },
      { name: 'search', code: guardLoops(withHeader(returnOnly), ON_CUT), uniforms: [100_000, 0, 0, 0] },
      ...kernels.flatMap(k => [
        { name: k.name, code: withHeader(k.body), uniforms: k.uniforms },
        { name: `${k.name}-guarded`, code: guardLoops(withHeader(k.body), ON_CUT), uniforms: k.uniforms }
      ])
    ]
    const { description, outputs } = await onSwiftShader<{ description: string, outputs: number[][] }>({ mode: 'run', programs })
    assert.match(description, /swiftshader/i)
    assert.deepEqual(outputs.slice(0, 4).map(o => [o[0], o[flagAt]]), [[100_000, 0], [90_000, 0], [80_000, 0], [100_000, 0]])
    kernels.forEach((k, i) => {
      const plain = outputs[4 + 2 * i]!
      const guarded = outputs[5 + 2 * i]!
      assert.equal(guarded[flagAt], 0, `${k.name}: the guard fired`)
      assert.deepEqual(guarded, plain, k.name)
    })
  })
})
