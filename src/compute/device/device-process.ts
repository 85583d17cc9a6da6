import type { ComputeDevice } from '../device.ts'
import { listWebGpuAdapters, selectComputeDevice } from './select.ts'
import { toErrorMessage, type FromDeviceProcess, type ToDeviceProcess } from './device-protocol.ts'
import { applyMemoryCap, isAllocationFailure, MemoryCapError, memoryCapMessage, type MemoryCap } from './memory-cap.ts'

/**
 * The child-process side of ProcessComputeDevice: owns the real device and
 * the shared inputs it has been sent, and answers each request. The parent
 * sends one request at a time, so a kill for a deadline stops only that run.
 */
const shared = new Map<number, Float32Array>()
let device: ComputeDevice | undefined
let memoryCap: MemoryCap | undefined

// The IPC channel closes when the parent dies, however it dies: an orphan
// must not keep holding the GPU. (A chunk on the CPU reference holds the
// event loop, so the exit then waits for that chunk to end.)
process.on('disconnect', () => { process.exit() })

process.on('message', (message: ToDeviceProcess) => {
  void handle(message)
})

function reply (message: FromDeviceProcess): void {
  // A failed send means the parent is gone; 'disconnect' ends this process.
  process.send?.(message, undefined, undefined, () => {})
}

async function handle (message: ToDeviceProcess): Promise<void> {
  switch (message.type) {
    case 'open':
      try {
        device = await selectComputeDevice(message.prefer, message.gpu)
        // Capped from here on: what opening the device took is not the chunks'.
        if (message.maxMemoryMiB != null) memoryCap = applyMemoryCap(message.maxMemoryMiB)
        reply({ type: 'opened', id: message.id, info: device.info, ...(memoryCap != null ? { memoryCap } : {}) })
      } catch (err) {
        reply({ type: 'failed', id: message.id, error: toErrorMessage(err) })
      }
      return
    case 'run':
      try {
        const inputs = Object.fromEntries(Object.entries(message.shared).map(([name, input]) => {
          if (input.data != null) shared.set(input.ref, input.data)
          const data = shared.get(input.ref)
          if (data == null) throw new Error(`shared input ${name} (ref ${input.ref}) was never sent`)
          return [name, { rows: input.rows, cols: input.cols, data }]
        }))
        const data = await device!.run({ kernel: message.kernel, params: message.params, range: message.range, rows: message.rows, rowCols: message.rowCols, shared: inputs, round: message.round ?? 0 })
        reply({ type: 'done', id: message.id, data })
      } catch (err) {
        // At its native cap, the next allocation anywhere (V8's own) may be fatal: the parent replaces this process.
        const capped = memoryCap?.dataLimitBytes != null && isAllocationFailure(err)
        const error = capped ? new MemoryCapError(memoryCapMessage(memoryCap!, String((err as Error).message).split('\n')[0]!)) : err
        reply({ type: 'failed', id: message.id, error: toErrorMessage(error) })
      }
      return
    case 'adapters':
      try {
        reply({ type: 'adapters', id: message.id, list: await listWebGpuAdapters() })
      } catch (err) {
        reply({ type: 'failed', id: message.id, error: toErrorMessage(err) })
      }
      return
    case 'validate':
      try {
        await device!.validateKernel(message.kernelId, message.params, message.inputs)
        reply({ type: 'done', id: message.id })
      } catch (err) {
        reply({ type: 'failed', id: message.id, error: toErrorMessage(err) })
      }
      return
    case 'release':
      for (const ref of message.refs) shared.delete(ref)
      return
    case 'destroy':
      await device?.destroy()
      process.exit(0)
  }
}
