import { parentPort } from 'node:worker_threads'
import type { ComputeDevice } from '../device.ts'
import { selectComputeDevice } from './select.ts'
import { toErrorMessage, type FromWorker, type ToWorker } from './worker-protocol.ts'

/**
 * The worker side of WorkerComputeDevice: owns the real device and the
 * shared inputs it has been sent, and answers one message at a time.
 */
const port = parentPort!
const shared = new Map<number, Float32Array>()
let device: ComputeDevice | undefined

function reply (message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer)
}

port.on('message', (message: ToWorker) => {
  void handle(message)
})

async function handle (message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'open':
      try {
        device = await selectComputeDevice(message.prefer)
        reply({ type: 'opened', info: device.info })
      } catch (err) {
        reply({ type: 'failed', id: -1, error: toErrorMessage(err) })
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
        const data = await device!.run({ kernel: message.kernel, params: message.params, range: message.range, rows: message.rows, rowCols: message.rowCols, shared: inputs })
        reply({ type: 'done', id: message.id, data }, [data.buffer as ArrayBuffer])
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
      shared.clear()
      reply({ type: 'destroyed' })
  }
}
