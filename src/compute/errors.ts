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
