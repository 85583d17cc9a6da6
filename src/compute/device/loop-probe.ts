import type { GpuProgramSource } from '../gpu-program.ts'

/** Per probe: the iteration count at which its loops were cut; null when they ran in full. */
export interface LoopBudgetProbe {
  /** One loop of SINGLE_ITERATIONS. */
  readonly single: number | null
  /** NESTED_SIDE x NESTED_SIDE iterations in two nested loops, counted together. */
  readonly nested: number | null
  /** Two loops of SEQUENCE_ITERATIONS one after the other, counted together. */
  readonly sequence: number | null
}

export const SINGLE_ITERATIONS = 1_000_000
export const NESTED_SIDE = 1000
export const SEQUENCE_ITERATIONS = 50_000

/**
 * Runs one probe program: a dispatch of ONE workgroup (the programs are
 * `@workgroup_size(1)`, so one invocation) with the binding layout of
 * GpuDispatch, which the programs declare as exactly
 *
 *     @group(0) @binding(0) var<uniform> u: vec4<u32>;
 *     @group(0) @binding(1) var<storage, read> dummy: array<f32>;   // one input of any length >= 1; unused
 *     @group(0) @binding(2) var<storage, read_write> out: array<f32>;
 *
 * `uniforms` (4 u32) go into `u`; the loop bounds come from there so that
 * no compiler can fold the loops away. The output must start zeroed (or
 * fully written: the programs write all of `out[0..outputLength)`).
 * Resolves to the output read back.
 */
export type LoopProbeRun = (program: GpuProgramSource, uniforms: Uint32Array, outputLength: number) => Promise<Float32Array>

const HEADER = `@group(0) @binding(0) var<uniform> u: vec4<u32>;
@group(0) @binding(1) var<storage, read> dummy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
`

/*
 * Each iteration adds `1u + (h & u.w)` to the count, where `h` steps a
 * linear congruential generator seeded from u.z and u.w is 0: the count is
 * exact, but no compiler can replace the loop by its closed form (u.w is
 * unknown when compiling, and the generator is no affine recurrence of the
 * loop counter). out[1] keeps `h` alive, out[2] uses `dummy` so the
 * pipeline's automatic layout has binding 1. Counts up to 2^24 are exact in f32.
 */
const STEP = 'h = h * 1664525u + 1013904223u; n = n + 1u + (h & u.w);'
const TAIL = `  out[0] = f32(n);
  out[1] = f32(h & 1u);
  out[2] = f32(arrayLength(&dummy));
}`

/** A one-invocation probe: a hash `h` and a count `n` around the loops given, written out by TAIL. */
function probeProgram (name: string, loops: string): GpuProgramSource {
  return {
    key: `mesh-loop-probe-${name}-v1`,
    entryPoint: 'main',
    code: `${HEADER}
@compute @workgroup_size(1)
fn main() {
  var h = u.z;
  var n = 0u;
${loops}
${TAIL}`
  }
}

// u.x = iterations.
const single = probeProgram('single', `  for (var k = 0u; k < u.x; k = k + 1u) { ${STEP} }`)

// u.x = outer iterations, u.y = inner iterations.
const nested = probeProgram('nested', `  for (var a = 0u; a < u.x; a = a + 1u) {
    for (var k = 0u; k < u.y; k = k + 1u) { ${STEP} }
  }`)

// u.x = iterations of the first loop, u.y = of the second (a `loop` with a break).
const sequence = probeProgram('sequence', `  for (var k = 0u; k < u.x; k = k + 1u) { ${STEP} }
  var w = 0u;
  loop {
    if (w >= u.y) { break; }
    ${STEP}
    w = w + 1u;
  }`)

/** The three probes' programs (tests and diagnostics). */
export const loopProbePrograms = { single, nested, sequence } as const

const SEED = 12345

/**
 * Measures whether the device cuts long loops (Mesa's llvmpipe stops them
 * after ~65,535 iterations per invocation, all loops together, and returns
 * as if nothing happened) by running three one-invocation programs through
 * `run` (see LoopProbeRun for the layout, uniforms and dispatch size):
 * one loop of 1,000,000 iterations, two nested loops of 1000 x 1000, two
 * loops in sequence of 50,000 each.
 *
 * `loopBudget` is the single loop's cut count; when only the nested or
 * in-sequence probe was cut, the smallest total counted there; null when
 * no probe was cut.
 */
export async function probeLoopBudget (run: LoopProbeRun): Promise<{ loopBudget: number | null, probe: LoopBudgetProbe }> {
  const count = async (program: GpuProgramSource, x: number, y: number, expected: number): Promise<number | null> => {
    const out = await run(program, new Uint32Array([x, y, SEED, 0]), 4)
    const n = out[0]!
    if (!Number.isFinite(n) || n < 0) throw new Error(`the loop probe ${program.key} returned ${n}`)
    return n < expected ? n : null
  }
  const probe: LoopBudgetProbe = {
    single: await count(single, SINGLE_ITERATIONS, 0, SINGLE_ITERATIONS),
    nested: await count(nested, NESTED_SIDE, NESTED_SIDE, NESTED_SIDE * NESTED_SIDE),
    sequence: await count(sequence, SEQUENCE_ITERATIONS, SEQUENCE_ITERATIONS, 2 * SEQUENCE_ITERATIONS)
  }
  const cuts = [probe.nested, probe.sequence].filter((n): n is number => n != null)
  const loopBudget = probe.single ?? (cuts.length > 0 ? Math.min(...cuts) : null)
  return { loopBudget, probe }
}
