import type { GpuDispatch, GpuProgramSource } from '../gpu-program.ts'
import { guardLoops } from '../wgsl/loop-guard.ts'

/** Floats after the output that hold the guard's flag: one vec4 element, whatever the output's element type. */
export const LOOP_FLAG_FLOATS = 4

/**
 * The dispatch as it runs on a device that cuts loops: its program with
 * every loop guarded, so a loop that ends without one of its own exits
 * writes a flag into one extra output element. Programs that do not name
 * their output cannot be guarded and run as they are.
 */
export function guardedDispatch (dispatch: GpuDispatch): GpuDispatch | undefined {
  const output = dispatch.program.output
  if (output == null) return undefined
  const { variable, element } = output
  const program: GpuProgramSource = {
    ...dispatch.program,
    key: `${dispatch.program.key}#loop-guard`,
    code: guardLoops(dispatch.program.code, `${variable}[arrayLength(&${variable}) - 1u] = ${element}(1.0);`)
  }
  return { ...dispatch, program, outputLength: dispatch.outputLength + LOOP_FLAG_FLOATS }
}

/** True when the guarded run's flag is raised. */
export function loopCutFlagged (output: Float32Array, outputLength: number): boolean {
  for (let i = outputLength; i < output.length; i++) if (output[i] !== 0) return true
  return false
}

/** The single-invocation dispatch the loop probes run (their layout: a vec4<u32> uniform, one unused input, the output). */
export function probeDispatch (program: GpuProgramSource, uniforms: Uint32Array, outputLength: number): GpuDispatch {
  return { program, uniforms, inputs: [{ data: new Float32Array(4), immutable: false }], outputLength, workgroups: [1, 1, 1] }
}
