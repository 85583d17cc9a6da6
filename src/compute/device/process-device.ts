import { Worker } from 'node:worker_threads'
import type { ChunkWork, InputShape } from '../kernel.ts'
import type { ComputeDevice, ComputeDeviceInfo, RunOptions } from '../device.ts'
import { DeviceLostError } from '../errors.ts'
import type { DevicePreference } from './select.ts'
import { fromErrorMessage, type FromWorker, type SharedInputMessage, type ToWorker } from './worker-protocol.ts'

/** Shared inputs the worker keeps (a project's B, say); the least recently used beyond this are released. */
const MAX_SHARED_INPUTS = 4

/**
 * Devices of one process are torn down one at a time: Dawn's native teardown
 * in two worker threads at once crashes the process (seen: segfaults when
 * several peers of one process stopped together).
 */
let teardowns: Promise<void> = Promise.resolve()

interface Pending {
  resolve (data: Float32Array | undefined): void
  reject (err: Error): void
}

/**
 * A compute device running in a worker thread, so a long chunk (seconds on
 * the CPU reference or Mesa's software adapter) never stalls the peer's event
 * loop: libp2p keep-alives, lease heartbeats and the UI go on meanwhile. The
 * chunk's rows are copied to the worker for every run; a shared input is
 * sent once per array object and must not change afterwards.
 */
export class WorkerComputeDevice implements ComputeDevice {
  private readonly pending = new Map<number, Pending>()
  private readonly sharedRefs = new WeakMap<Float32Array, number>()
  /** Refs the worker holds, least recently used first. */
  private readonly workerHolds: number[] = []
  private nextId = 1
  private nextRef = 1
  private lostReason: string | undefined
  private destroyed: Promise<void> | undefined

  static async open (prefer?: DevicePreference): Promise<WorkerComputeDevice> {
    // Native code reads the process environment, which a worker cannot change.
    if (process.platform === 'linux' && (process.env.EGL_PLATFORM ?? '') === '') process.env.EGL_PLATFORM = 'surfaceless'
    const worker = new Worker(new URL('./device-worker-entry.mjs', import.meta.url))
    const info = await new Promise<ComputeDeviceInfo>((resolve, reject) => {
      const onMessage = (message: FromWorker): void => {
        worker.off('error', onError)
        worker.off('message', onMessage)
        if (message.type === 'opened') resolve(message.info)
        else if (message.type === 'failed') reject(fromErrorMessage(message.error))
      }
      const onError = (err: Error): void => { reject(err) }
      worker.on('message', onMessage)
      worker.once('error', onError)
      worker.postMessage({ type: 'open', prefer } satisfies ToWorker)
    }).catch(async (err) => {
      await worker.terminate()
      throw err
    })
    return new WorkerComputeDevice(worker, info)
  }

  private constructor (private readonly worker: Worker, readonly info: ComputeDeviceInfo) {
    worker.on('message', (message: FromWorker) => { this.settle(message) })
    worker.on('error', (err) => { this.lose(`the compute worker failed: ${err.message}`) })
    worker.on('exit', (code) => { this.lose(`the compute worker exited (code ${code})`) })
    // An idle device must not keep the process alive (a test that forgets destroy() still ends).
    // After the listeners: adding a message listener refs the worker again.
    worker.unref()
  }

  async run (work: ChunkWork, options: RunOptions = {}): Promise<Float32Array> {
    options.signal?.throwIfAborted()
    const shared: Record<string, SharedInputMessage> = {}
    for (const [name, input] of Object.entries(work.shared)) {
      const ref = this.refOf(input.data)
      const held = this.workerHolds.includes(ref)
      this.touch(ref)
      shared[name] = { ref, rows: input.rows, cols: input.cols, ...(held ? {} : { data: input.data }) }
    }
    const result = this.request(id => ({ type: 'run', id, kernel: work.kernel, params: work.params, range: work.range, rows: work.rows, rowCols: work.rowCols, shared }), options.signal)
    return (await result)!
  }

  async validateKernel (kernelId: string, params: unknown, inputs: readonly InputShape[]): Promise<void> {
    await this.request(id => ({ type: 'validate', id, kernelId, params, inputs }))
  }

  async destroy (): Promise<void> {
    this.destroyed ??= teardowns = teardowns.catch(() => {}).then(async () => {
      if (this.lostReason == null) {
        const done = new Promise<void>(resolve => {
          const onMessage = (message: FromWorker): void => {
            if (message.type === 'destroyed') resolve()
          }
          this.worker.on('message', onMessage)
          this.worker.once('exit', () => { resolve() })
        })
        this.worker.ref()
        this.worker.postMessage({ type: 'destroy' } satisfies ToWorker)
        await done
      }
      this.lose('the device was destroyed')
      await this.worker.terminate()
    })
    await this.destroyed
  }

  private async request (message: (id: number) => ToWorker, signal?: AbortSignal): Promise<Float32Array | undefined> {
    if (this.lostReason != null) throw new DeviceLostError(`the compute device is lost: ${this.lostReason}`)
    const id = this.nextId++
    const answer = new Promise<Float32Array | undefined>((resolve, reject) => { this.pending.set(id, { resolve, reject }) })
    this.worker.ref()
    this.worker.postMessage(message(id))
    if (signal == null) return await answer
    // An aborted caller stops waiting; the worker finishes the chunk and its answer is dropped.
    let onAbort = (): void => {}
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => {
        this.pending.delete(id)
        this.unrefWhenIdle()
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      return await Promise.race([answer, aborted])
    } finally {
      // The listener would otherwise keep this answer (a chunk's whole output) alive as long as the signal lives.
      signal.removeEventListener('abort', onAbort)
    }
  }

  private settle (message: FromWorker): void {
    if (message.type !== 'done' && message.type !== 'failed') return
    const pending = this.pending.get(message.id)
    if (pending == null) return
    this.pending.delete(message.id)
    this.unrefWhenIdle()
    if (message.type === 'done') pending.resolve(message.data)
    else pending.reject(fromErrorMessage(message.error))
  }

  private unrefWhenIdle (): void {
    if (this.pending.size === 0) this.worker.unref()
  }

  private lose (reason: string): void {
    this.lostReason ??= reason
    for (const pending of this.pending.values()) pending.reject(new DeviceLostError(`the compute device is lost: ${this.lostReason}`))
    this.pending.clear()
  }

  private refOf (data: Float32Array): number {
    let ref = this.sharedRefs.get(data)
    if (ref == null) {
      ref = this.nextRef++
      this.sharedRefs.set(data, ref)
    }
    return ref
  }

  /** Marks a ref as most recently used and tells the worker to drop the oldest beyond the cap. */
  private touch (ref: number): void {
    const at = this.workerHolds.indexOf(ref)
    if (at >= 0) this.workerHolds.splice(at, 1)
    this.workerHolds.push(ref)
    const released = this.workerHolds.splice(0, Math.max(0, this.workerHolds.length - MAX_SHARED_INPUTS))
    if (released.length > 0) this.worker.postMessage({ type: 'release', refs: released } satisfies ToWorker)
  }
}
