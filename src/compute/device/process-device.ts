import { fork, type ChildProcess } from 'node:child_process'
import { appendFileSync, closeSync, fstatSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChunkWork, InputShape } from '../kernel.ts'
import type { ComputeDevice, ComputeDeviceInfo, OpenComputeDeviceOptions, RunOptions } from '../device.ts'
import { DeviceLostError, DeviceUnavailableError, KernelTimeoutError } from '../errors.ts'
import { InputError } from '../../errors.ts'
import { fromErrorMessage, type FromDeviceProcess, type SharedInputMessage, type ToDeviceProcess } from './device-protocol.ts'
import type { AdapterList } from './adapters.ts'
import { MemoryCapError, memoryCapMessage, outOfMemoryLine, type MemoryCap } from './memory-cap.ts'

/** Shared inputs the child keeps (a project's B, say); the least recently used beyond this are released. */
const MAX_SHARED_INPUTS = 4
/** How long a child may take to open its device before it is killed. */
const OPEN_TIMEOUT_MS = 60_000
/** How long destroy() waits for the child to release its device and exit before killing it. */
const DESTROY_TIMEOUT_MS = 5_000
/** The wait before restarting a crashed child; it doubles per crash in a row, up to the max, and a successful run resets it. */
const RESTART_BACKOFF_MS = 500
const MAX_RESTART_BACKOFF_MS = 30_000

const ENTRY = fileURLToPath(new URL('./device-process-entry.mjs', import.meta.url))

export type ProcessDeviceOptions = Pick<OpenComputeDeviceOptions, 'prefer' | 'gpu' | 'env' | 'logFile' | 'maxMemoryMiB'>

type Request = Extract<ToDeviceProcess, { readonly id: number }>

interface RequestLimits {
  readonly signal?: AbortSignal
  readonly timeout?: { readonly ms: number, readonly error: () => Error }
}

function lostError (reason: string, cause?: unknown): DeviceLostError {
  return new DeviceLostError(`the compute device is lost: ${reason}`, cause != null ? { cause } : undefined)
}

/**
 * A compute device running in a child process: a long chunk (seconds on the
 * CPU reference or Mesa's software adapter) never stalls the peer's event
 * loop; a chunk past its deadline, or one no longer wanted, is stopped by
 * killing the process (nothing stops a shader inside the driver); a crashed
 * process or a lost device is replaced by a fresh one for the next run; and
 * Dawn's native output goes to a log file, never to the terminal. Runs are
 * sent one at a time. The chunk's rows are copied for every run; a shared
 * input is sent once per array object (per child) and must not change
 * afterwards.
 */
export class ProcessComputeDevice implements ComputeDevice {
  private child: DeviceChild | undefined
  private starting: Promise<DeviceChild> | undefined
  private lastInfo: ComputeDeviceInfo
  private readonly sharedRefs = new WeakMap<Float32Array, number>()
  private nextRef = 1
  private nextId = 1
  /** Settles when the request before the newest one is done: requests queue on it. */
  private queue: Promise<void> = Promise.resolve()
  /** Crashes since the last successful request; the back-off before a restart grows with them. */
  private crashes = 0
  private restartAt = 0
  private backoffMs: number | undefined
  private wakeRestart: (() => void) | undefined
  private destroyed: Promise<void> | undefined

  static async open (options: ProcessDeviceOptions = {}): Promise<ProcessComputeDevice> {
    return new ProcessComputeDevice(options, await DeviceChild.start(options))
  }

  /** The adapters WebGPU offers, listed in a child process of its own (Dawn's output goes where the device's would). */
  static async listAdapters (options: Pick<ProcessDeviceOptions, 'env' | 'logFile'> = {}): Promise<AdapterList> {
    return await DeviceChild.listAdapters(options)
  }

  private constructor (private readonly options: ProcessDeviceOptions, child: DeviceChild) {
    this.child = child
    this.lastInfo = child.info
  }

  /** The device the latest child opened. */
  get info (): ComputeDeviceInfo {
    return this.lastInfo
  }

  /** The wait before the latest restart of a crashed child (ms); undefined before the first. */
  get restartBackoffMs (): number | undefined {
    return this.backoffMs
  }

  /** The child process's id; undefined while none runs (after a crash or a kill, until the next request starts one). */
  get pid (): number | undefined {
    return this.child?.pid
  }

  async run (work: ChunkWork, options: RunOptions = {}): Promise<Float32Array> {
    const { timeoutMs, signal } = options
    const answer = await this.exclusive(signal, async child => {
      const shared: Record<string, SharedInputMessage> = {}
      for (const [name, input] of Object.entries(work.shared)) {
        const ref = this.refOf(input.data)
        const held = child.holds.includes(ref)
        child.touch(ref)
        shared[name] = { ref, rows: input.rows, cols: input.cols, ...(held ? {} : { data: input.data }) }
      }
      const message: Request = { type: 'run', id: this.nextId++, kernel: work.kernel, params: work.params, range: work.range, rows: work.rows, rowCols: work.rowCols, shared, round: work.round ?? 0 }
      const timeout = timeoutMs != null ? { ms: timeoutMs, error: () => new KernelTimeoutError(timeoutMs) } : undefined
      return await this.ask(child, message, { signal, timeout })
    })
    return (answer.type === 'done' ? answer.data : undefined)!
  }

  async validateKernel (kernelId: string, params: unknown, inputs: readonly InputShape[]): Promise<void> {
    await this.exclusive(undefined, async child => await this.ask(child, { type: 'validate', id: this.nextId++, kernelId, params, inputs }))
  }

  async destroy (): Promise<void> {
    this.destroyed ??= (async () => {
      this.wakeRestart?.()
      await this.starting?.catch(() => {})
      await this.child?.destroy()
    })()
    await this.destroyed
  }

  /** Runs one request on a live child once the requests before it are done. */
  private async exclusive<T> (signal: AbortSignal | undefined, use: (child: DeviceChild) => Promise<T>): Promise<T> {
    signal?.throwIfAborted()
    if (this.destroyed != null) throw lostError('the device was destroyed')
    const previous = this.queue
    let release!: () => void
    const mine = new Promise<void>(resolve => { release = resolve })
    // The next request waits for the one before this one too, should this one leave the queue early.
    this.queue = previous.then(async () => { await mine })
    try {
      await untilAborted(previous, signal)
      return await use(await this.liveChild(signal))
    } finally {
      release()
    }
  }

  private async ask (child: DeviceChild, message: Request, limits: RequestLimits = {}): Promise<FromDeviceProcess> {
    const answer = await child.request(message, limits)
    if (answer.type === 'failed') {
      const err = fromErrorMessage(answer.error)
      // The GPU device of that process is gone, or it is at its memory cap: so is the process, and the next request gets a new one.
      if (err instanceof DeviceLostError || err instanceof MemoryCapError) await child.kill(err.message, true)
      throw err
    }
    this.crashes = 0
    return answer
  }

  private async liveChild (signal: AbortSignal | undefined): Promise<DeviceChild> {
    const current = this.child
    if (current != null && current.endReason == null) return current
    if (current != null) {
      this.child = undefined
      if (current.crashed) this.backOff(current.endedAt)
    }
    await this.backOffWait(signal)
    if (this.destroyed != null) throw lostError('the device was destroyed')
    this.starting = DeviceChild.start(this.options).then(child => {
      this.child = child
      this.lastInfo = child.info
      return child
    })
    try {
      const child = await this.starting
      if (this.destroyed != null) throw lostError('the device was destroyed')
      return child
    } catch (err: any) {
      if (err instanceof DeviceLostError) throw err
      this.backOff(Date.now())
      throw lostError(`reopening it failed: ${String(err?.message ?? err)}`, err)
    } finally {
      this.starting = undefined
    }
  }

  /** Waits out the back-off; destroy() ends the wait early, the signal aborts it. */
  private async backOffWait (signal: AbortSignal | undefined): Promise<void> {
    const ms = this.restartAt - Date.now()
    if (ms <= 0) return
    let timer: NodeJS.Timeout | undefined
    try {
      await untilAborted(new Promise<void>(resolve => {
        this.wakeRestart = resolve
        timer = setTimeout(resolve, ms)
      }), signal)
    } finally {
      clearTimeout(timer)
      this.wakeRestart = undefined
    }
  }

  private backOff (from: number): void {
    this.crashes++
    this.backoffMs = Math.min(RESTART_BACKOFF_MS * 2 ** (this.crashes - 1), MAX_RESTART_BACKOFF_MS)
    this.restartAt = from + this.backoffMs
  }

  private refOf (data: Float32Array): number {
    let ref = this.sharedRefs.get(data)
    if (ref == null) {
      ref = this.nextRef++
      this.sharedRefs.set(data, ref)
    }
    return ref
  }
}

/** Resolves with the promise, or rejects with the signal's reason once it aborts. */
async function untilAborted<T> (promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal == null) return await promise
  signal.throwIfAborted()
  let onAbort = (): void => {}
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

/** One child process and the device it opened. */
class DeviceChild {
  /** Refs of the shared inputs this child holds, least recently used first. */
  readonly holds: number[] = []
  /** Why the child is gone or going; undefined while it lives. */
  endReason: string | undefined
  /** Whether it ended by itself (exit, signal, lost device) rather than by a kill this side chose. */
  crashed = false
  endedAt = 0
  readonly exited: Promise<void>
  info!: ComputeDeviceInfo
  private readonly process: ChildProcess
  /** What the process's memory cap covers, once its device is open; undefined without a cap. */
  private memoryCap: MemoryCap | undefined
  private waiting: { readonly id: number, resolve: (answer: FromDeviceProcess) => void, reject: (err: Error) => void } | undefined

  /** Starts a child and opens its device; throws what opening threw (DeviceUnavailableError, InputError for a bad MESH_GPU or gpu). */
  static async start (options: ProcessDeviceOptions): Promise<DeviceChild> {
    const child = new DeviceChild(forkDeviceProcess(options), options.logFile)
    try {
      const open: Request = { type: 'open', id: 0, prefer: options.prefer, ...(options.gpu != null ? { gpu: options.gpu } : {}), ...(options.maxMemoryMiB != null ? { maxMemoryMiB: options.maxMemoryMiB } : {}) }
      const answer = await child.request(open, {
        timeout: { ms: OPEN_TIMEOUT_MS, error: () => new DeviceUnavailableError(`the compute process opened no device within ${OPEN_TIMEOUT_MS / 1000} s`) }
      })
      if (answer.type === 'failed') throw fromErrorMessage(answer.error)
      if (answer.type !== 'opened') throw new Error(`the compute process answered '${answer.type}' to 'open'`)
      child.memoryCap = answer.memoryCap
      child.info = answer.memoryCap != null ? { ...answer.info, memoryCap: answer.memoryCap } : answer.info
      return child
    } catch (err: any) {
      await child.kill(`opening the device failed: ${String(err?.message ?? err)}`)
      if (err instanceof DeviceLostError) throw new DeviceUnavailableError(`the compute process ended while opening a device (${err.message})`)
      throw err
    }
  }

  /** Starts a child that lists the adapters WebGPU offers, and ends it. */
  static async listAdapters (options: Pick<ProcessDeviceOptions, 'env' | 'logFile'>): Promise<AdapterList> {
    const child = new DeviceChild(forkDeviceProcess(options), options.logFile)
    try {
      const answer = await child.request({ type: 'adapters', id: 0 }, {
        timeout: { ms: OPEN_TIMEOUT_MS, error: () => new DeviceUnavailableError(`the compute process listed no adapters within ${OPEN_TIMEOUT_MS / 1000} s`) }
      })
      if (answer.type === 'failed') throw fromErrorMessage(answer.error)
      if (answer.type !== 'adapters') throw new Error(`the compute process answered '${answer.type}' to 'adapters'`)
      return answer.list
    } finally {
      await child.kill('the adapters are listed')
    }
  }

  private constructor (private readonly forked: ForkedProcess, private readonly logFile: string | undefined) {
    const process = this.process = forked.process
    let failure: string | undefined
    this.exited = new Promise(resolve => {
      process.once('exit', (code, signal) => {
        const how = failure ?? (signal != null ? `the compute process was killed by ${signal}` : `the compute process exited with code ${code}`)
        if (this.endReason == null) this.end(how, true, this.deathError(how))
        resolve()
      })
      process.on('error', (err) => {
        failure ??= `the compute process failed: ${err.message}`
        // A process that never started emits no 'exit'. One that did is killed, and ends at its 'exit':
        // a write to a process dying of its memory cap fails first, and its output says why it died.
        if (process.pid == null) {
          this.end(failure, true)
          resolve()
        } else {
          process.kill('SIGKILL')
        }
      })
    })
    process.on('message', (answer: FromDeviceProcess) => {
      const waiting = this.waiting
      if (waiting?.id !== answer.id) return
      this.waiting = undefined
      waiting.resolve(answer)
    })
    this.holdParentAlive(false)
  }

  get pid (): number | undefined {
    return this.endReason == null ? this.process.pid : undefined
  }

  /** Sends one request and waits for its answer; past the timeout or once the signal aborts, kills the process and throws. */
  async request (message: Request, limits: RequestLimits = {}): Promise<FromDeviceProcess> {
    if (this.endReason != null) throw lostError(this.endReason)
    const answer = new Promise<FromDeviceProcess>((resolve, reject) => { this.waiting = { id: message.id, resolve, reject } })
    const { signal, timeout } = limits
    let stopped: { reason: string, error: unknown } | undefined
    let timer: NodeJS.Timeout | undefined
    let onAbort = (): void => {}
    const stop = new Promise<never>((_resolve, reject) => {
      const halt = (reason: string, error: unknown): void => {
        stopped = { reason, error }
        reject(error)
      }
      if (timeout != null) timer = setTimeout(() => { halt(`the request exceeded its time limit of ${timeout.ms} ms`, timeout.error()) }, timeout.ms)
      if (signal != null) {
        onAbort = () => { halt('the request was aborted', signal.reason) }
        signal.addEventListener('abort', onAbort, { once: true })
      }
    })
    this.holdParentAlive(true)
    try {
      this.process.send(message)
      return await Promise.race([answer, stop])
    } catch (err) {
      if (stopped != null) await this.kill(stopped.reason)
      throw err
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      this.waiting = undefined
      this.holdParentAlive(false)
    }
  }

  /** Marks a ref as most recently used and tells the child to drop the oldest beyond the cap. */
  touch (ref: number): void {
    const at = this.holds.indexOf(ref)
    if (at >= 0) this.holds.splice(at, 1)
    this.holds.push(ref)
    const released = this.holds.splice(0, Math.max(0, this.holds.length - MAX_SHARED_INPUTS))
    if (released.length > 0 && this.endReason == null) this.process.send({ type: 'release', refs: released } satisfies ToDeviceProcess)
  }

  /** Kills the process (SIGKILL) and returns once it is gone; a crash counts toward the restart back-off. */
  async kill (reason: string, crashed = false): Promise<void> {
    this.end(reason, crashed)
    // Held while it dies: an unreferenced child's exit would not keep an otherwise idle parent waiting for it.
    this.holdParentAlive(true)
    this.process.kill('SIGKILL')
    await this.exited
  }

  /** Asks the child to release its device and exit; kills it if it has not within DESTROY_TIMEOUT_MS. */
  async destroy (): Promise<void> {
    if (this.endReason == null) {
      this.end('the device was destroyed', false)
      this.holdParentAlive(true)
      this.process.send({ type: 'destroy' } satisfies ToDeviceProcess)
      let timer: NodeJS.Timeout | undefined
      await Promise.race([this.exited, new Promise(resolve => { timer = setTimeout(resolve, DESTROY_TIMEOUT_MS) })])
      clearTimeout(timer)
    }
    this.process.kill('SIGKILL')
    await this.exited
  }

  private end (reason: string, crashed: boolean, error: Error = lostError(reason)): void {
    if (this.endReason != null) return
    this.endReason = reason
    this.crashed = crashed
    this.endedAt = Date.now()
    this.waiting?.reject(error)
    this.waiting = undefined
    if (this.logFile != null) {
      try {
        appendFileSync(this.logFile, `${new Date().toISOString()} mesh: compute process ${this.process.pid ?? '(not started)'} ends: ${reason}\n`)
      } catch {}
    }
    if (this.forked.output?.temporary === true) rmSync(this.forked.output.path, { force: true })
  }

  /**
   * Why a capped process died by itself, told from its own output: V8 and
   * Dawn print 'out of memory' / 'Allocation failed' as they end it.
   * Otherwise a lost device that says it ran under a cap.
   */
  private deathError (how: string): Error {
    const cap = this.memoryCap
    if (cap == null) return lostError(how)
    const line = this.forked.output != null ? outOfMemoryLine(readFrom(this.forked.output.path, this.forked.output.offset)) : undefined
    if (line != null) return new MemoryCapError(memoryCapMessage(cap, `${how}: ${line}`))
    return lostError(`${how} (it ran under a memory cap of ${cap.mib} MiB)`)
  }

  /** An idle device must not keep the parent alive (a test that forgets destroy() still ends); one at work must. */
  private holdParentAlive (hold: boolean): void {
    if (hold) {
      this.process.ref()
      this.process.channel?.ref()
    } else {
      this.process.unref()
      this.process.channel?.unref()
    }
  }
}

interface ForkedProcess {
  readonly process: ChildProcess
  /** Where its stdout and stderr go, from which offset; a temporary file is removed when the process ends. */
  readonly output?: { readonly path: string, readonly offset: number, readonly temporary: boolean }
}

let temporaryOutputs = 0

function forkDeviceProcess (options: ProcessDeviceOptions): ForkedProcess {
  const { maxMemoryMiB } = options
  if (maxMemoryMiB != null && !(Number.isInteger(maxMemoryMiB) && maxMemoryMiB > 0)) {
    throw new InputError(`maxMemoryMiB must be a positive whole number (got ${maxMemoryMiB})`)
  }
  // A capped process's output is read when it dies, to tell running out of memory from other deaths: without a log, a file of its own.
  const temporary = options.logFile == null && maxMemoryMiB != null
  const outputPath = temporary ? join(tmpdir(), `mesh-compute-${process.pid}-${++temporaryOutputs}.log`) : options.logFile
  const log = outputPath != null ? openSync(outputPath, temporary ? 'w' : 'a') : undefined
  try {
    const offset = log != null ? fstatSync(log).size : 0
    const output = log ?? 'ignore'
    const child = fork(ENTRY, [], {
      execPath: process.execPath,
      // Not the parent's flags (--test, --inspect, its loaders): the entry registers tsx itself.
      execArgv: maxMemoryMiB != null ? [`--max-old-space-size=${maxMemoryMiB}`] : [],
      // The GLES backend needs an EGL platform; without a display, Mesa's surfaceless one works.
      env: { ...process.env, ...(process.platform === 'linux' && (process.env.EGL_PLATFORM ?? '') === '' ? { EGL_PLATFORM: 'surfaceless' } : {}), ...options.env },
      stdio: ['ignore', output, output, 'ipc'],
      serialization: 'advanced'
    })
    if (log != null) writeSync(log, `${new Date().toISOString()} mesh: compute process ${child.pid ?? '(not started)'} starts (prefer: ${options.prefer ?? 'default'}${options.gpu != null ? `, gpu: ${options.gpu}` : ''}${maxMemoryMiB != null ? `, memory cap: ${maxMemoryMiB} MiB` : ''})\n`)
    return { process: child, ...(outputPath != null ? { output: { path: outputPath, offset, temporary } } : {}) }
  } finally {
    // The child has its own copy of the descriptor.
    if (log != null) closeSync(log)
  }
}

/** The last 64 KiB of a file from an offset ('' when unreadable). */
function readFrom (path: string, offset: number): string {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const size = fstatSync(fd).size
    const start = Math.max(offset, size - 64 * 1024)
    const buffer = Buffer.alloc(Math.max(0, size - start))
    readSync(fd, buffer, 0, buffer.length, start)
    return buffer.toString('utf8')
  } catch {
    return ''
  } finally {
    if (fd != null) closeSync(fd)
  }
}
