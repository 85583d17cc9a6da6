import type { ComputeDeviceInfo } from '../device.ts'
import type { ChunkRange, InputShape } from '../kernel.ts'
import type { DevicePreference } from './select.ts'
import { ChunkTooLargeError, DeviceLostError, DeviceUnavailableError, KernelUnsupportedError, WgslCompileError } from '../errors.ts'
import { KernelInputError } from '../kernel.ts'
import { InputError } from '../../errors.ts'

/** A shared input the worker already holds (by ref) or receives now (with data). */
export interface SharedInputMessage {
  readonly ref: number
  readonly rows: number
  readonly cols: number
  readonly data?: Float32Array
}

export type ToWorker =
  | { readonly type: 'open', readonly prefer: DevicePreference | undefined }
  | { readonly type: 'run', readonly id: number, readonly kernel: string, readonly params: unknown, readonly range: ChunkRange, readonly rows: Float32Array, readonly rowCols: number, readonly shared: Record<string, SharedInputMessage> }
  | { readonly type: 'validate', readonly id: number, readonly kernelId: string, readonly params: unknown, readonly inputs: readonly InputShape[] }
  | { readonly type: 'release', readonly refs: number[] }
  | { readonly type: 'destroy' }

export type FromWorker =
  | { readonly type: 'opened', readonly info: ComputeDeviceInfo }
  | { readonly type: 'done', readonly id: number, readonly data?: Float32Array }
  | { readonly type: 'failed', readonly id: number, readonly error: ErrorMessage }
  | { readonly type: 'destroyed' }

export interface ErrorMessage {
  readonly name: string
  readonly message: string
  readonly line?: number
  readonly column?: number
}

export function toErrorMessage (err: any): ErrorMessage {
  return { name: String(err?.name ?? 'Error'), message: String(err?.message ?? err), line: err?.line, column: err?.column }
}

/** Rebuilds an error thrown in the worker as the same class, so callers can tell input errors from failures. */
export function fromErrorMessage (error: ErrorMessage): Error {
  switch (error.name) {
    case 'WgslCompileError': return new WgslCompileError(error.message, error.line ?? 0, error.column ?? 0)
    case 'ChunkTooLargeError': return new ChunkTooLargeError(error.message)
    case 'KernelInputError': return new KernelInputError(error.message)
    case 'KernelUnsupportedError': return new KernelUnsupportedError(error.message)
    case 'DeviceLostError': return new DeviceLostError(error.message)
    case 'DeviceUnavailableError': return new DeviceUnavailableError(error.message)
    case 'AbortError': return new DOMException(error.message, 'AbortError')
    default: {
      const rebuilt = error.name.endsWith('InputError') || error.name === 'DataFileError' ? new InputError(error.message) : new Error(error.message)
      if (error.name !== rebuilt.name) Object.defineProperty(rebuilt, 'name', { value: error.name })
      return rebuilt
    }
  }
}
