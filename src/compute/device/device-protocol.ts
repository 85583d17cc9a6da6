import type { ComputeDeviceInfo } from '../device.ts'
import type { ChunkRange, InputShape } from '../kernel.ts'
import type { DevicePreference } from './select.ts'
import type { AdapterList } from './adapters.ts'
import type { GpuChoice } from './gpu-choice.ts'
import { MemoryCapError, type MemoryCap } from './memory-cap.ts'
import { ChunkTooLargeError, DeviceLostError, DeviceUnavailableError, KernelUnsupportedError, LoopBudgetError, WgslCompileError } from '../errors.ts'
import { KernelInputError } from '../kernel.ts'
import { InputError } from '../../errors.ts'

/**
 * Messages between ProcessComputeDevice and its child process (device-process.ts),
 * sent over the IPC channel with structured clone, so Float32Arrays travel as such.
 * Every request carries an id; its answer ('opened', 'done' or 'failed') names it.
 */

/** A shared input the child already holds (by ref) or receives now (with data). */
export interface SharedInputMessage {
  readonly ref: number
  readonly rows: number
  readonly cols: number
  readonly data?: Float32Array
}

export type ToDeviceProcess =
  /** Open a device (the adapter `gpu` names, else by `prefer`), then cap the process's memory at maxMemoryMiB beyond it. */
  | { readonly type: 'open', readonly id: number, readonly prefer: DevicePreference | undefined, readonly gpu?: GpuChoice, readonly maxMemoryMiB?: number }
  /** List the adapters WebGPU offers; answered with 'adapters'. */
  | { readonly type: 'adapters', readonly id: number }
  | { readonly type: 'run', readonly id: number, readonly kernel: string, readonly params: unknown, readonly range: ChunkRange, readonly rows: Float32Array, readonly rowCols: number, readonly shared: Record<string, SharedInputMessage>, readonly round?: number }
  | { readonly type: 'validate', readonly id: number, readonly kernelId: string, readonly params: unknown, readonly inputs: readonly InputShape[] }
  | { readonly type: 'release', readonly refs: number[] }
  /** Release the device and exit; no answer. */
  | { readonly type: 'destroy' }

export type FromDeviceProcess =
  | { readonly type: 'opened', readonly id: number, readonly info: ComputeDeviceInfo, readonly memoryCap?: MemoryCap }
  | { readonly type: 'adapters', readonly id: number, readonly list: AdapterList }
  | { readonly type: 'done', readonly id: number, readonly data?: Float32Array }
  | { readonly type: 'failed', readonly id: number, readonly error: ErrorMessage }

export interface ErrorMessage {
  readonly name: string
  readonly message: string
  readonly line?: number
  readonly column?: number
  /** LoopBudgetError's budget. */
  readonly budget?: number
}

export function toErrorMessage (err: any): ErrorMessage {
  return { name: String(err?.name ?? 'Error'), message: String(err?.message ?? err), line: err?.line, column: err?.column, budget: err?.budget }
}

/** Rebuilds an error thrown in the child process as the same class, so callers can tell input errors from failures. */
export function fromErrorMessage (error: ErrorMessage): Error {
  switch (error.name) {
    case 'WgslCompileError': return new WgslCompileError(error.message, error.line ?? 0, error.column ?? 0)
    case 'ChunkTooLargeError': return new ChunkTooLargeError(error.message)
    case 'KernelInputError': return new KernelInputError(error.message)
    case 'KernelUnsupportedError': return new KernelUnsupportedError(error.message)
    case 'DeviceLostError': return new DeviceLostError(error.message)
    case 'DeviceUnavailableError': return new DeviceUnavailableError(error.message)
    case 'LoopBudgetError': return new LoopBudgetError(error.budget ?? 0, error.message)
    case 'MemoryCapError': return new MemoryCapError(error.message)
    case 'AbortError': return new DOMException(error.message, 'AbortError')
    default: {
      const rebuilt = error.name.endsWith('InputError') || error.name === 'DataFileError' ? new InputError(error.message) : new Error(error.message)
      if (error.name !== rebuilt.name) Object.defineProperty(rebuilt, 'name', { value: error.name })
      return rebuilt
    }
  }
}
