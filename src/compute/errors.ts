import { InputError } from '../errors.ts'

/** Researcher-written WGSL did not compile; line and column are in the researcher's own source. */
export class WgslCompileError extends InputError {
  override name = 'WgslCompileError'

  constructor (message: string, readonly line: number, readonly column: number) {
    super(message)
  }
}

/** A chunk's buffers or dispatch exceed what the device allows: use fewer rows per chunk. */
export class ChunkTooLargeError extends InputError {
  override name = 'ChunkTooLargeError'
}

/** No device of the kind asked for (MESH_GPU or `prefer`) could be opened. */
export class DeviceUnavailableError extends Error {
  override name = 'DeviceUnavailableError'
}

/** The GPU device was lost (driver reset, destroyed) while or before computing. */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError'
}

/** The kernel cannot run on this device (e.g. researcher WGSL on the CPU fallback). */
export class KernelUnsupportedError extends Error {
  override name = 'KernelUnsupportedError'
}

/**
 * The device cut a loop of the kernel short (Mesa's llvmpipe stops loops
 * after about 65,535 iterations an invocation): the output is wrong and is
 * never returned. The kernel needs a device without that budget.
 */
export class LoopBudgetError extends Error {
  override name = 'LoopBudgetError'

  constructor (readonly budget: number, message = `this device stops loops after ${budget.toLocaleString('en-US')} iterations; the project needs more`) {
    super(message)
  }
}

/** A run went past its time limit (RunOptions.timeoutMs); the process computing it was killed. */
export class KernelTimeoutError extends Error {
  override name = 'KernelTimeoutError'

  constructor (readonly timeoutMs: number) {
    super(`the kernel exceeded its time limit (${(timeoutMs / 1000).toFixed(1)} s)`)
  }
}
