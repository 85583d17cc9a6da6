import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/*
 * The compute process's memory cap (OpenComputeDeviceOptions.maxMemoryMiB).
 *
 * Everywhere: the JavaScript heap, by --max-old-space-size (a chunk's
 * inputs and outputs are JS arrays, but ArrayBuffer contents are outside it).
 *
 * Linux, also native memory: RLIMIT_DATA, set by prlimit(1) once the device
 * has opened, to the private writable memory the process then holds plus the
 * cap. So the start-up is not counted (some 0.6 GiB with Mesa's llvmpipe
 * under Node 24: a 0.5 GiB region V8 maps writable and barely touches,
 * thread stacks, which grow with the cores, Dawn and the driver), and what a
 * chunk adds is: its arrays, Dawn's buffers and staging copies, a software
 * driver's memory, compiled shaders (llvmpipe: some 30 MiB for a first
 * 256x256 matmul; SwiftShader: some 300 MiB for each shader it compiles, and
 * it allocates more than it touches, so it needs a cap of GiBs).
 * RLIMIT_DATA counts writable private mappings whether touched or not, so it
 * is stricter than resident memory; it does not count reservations
 * (PROT_NONE), which is why it leaves V8 and Dawn working where RLIMIT_AS,
 * counting every reserved byte, broke them. Not capped: a real GPU's own
 * memory, shared mappings (a driver's mapped device memory), file pages.
 * A cgroup's memory.max would cap resident memory exactly, but needs a
 * writable cgroup (root, or systemd's delegation), which a volunteer's
 * process rarely has; it is not used.
 *
 * macOS (RLIMIT_DATA is not enforced for mmap) and Windows (only a job
 * object would do): the JavaScript heap only.
 *
 * Over the cap, an allocation fails: in Dawn, as a clean out-of-memory error;
 * in V8, as a fatal error that ends the process. Either way the run rejects
 * with MemoryCapError and the next run gets a fresh process.
 */

/** A chunk needed more memory than the compute process's cap allows; the process was replaced. */
export class MemoryCapError extends Error {
  override name = 'MemoryCapError'
}

/** What the cap of a compute process covers, as applied. */
export interface MemoryCap {
  /** The cap asked for (maxMemoryMiB). */
  readonly mib: number
  /** The JavaScript heap's cap (--max-old-space-size), MiB. */
  readonly jsHeapMiB: number
  /** The RLIMIT_DATA set (bytes): what the process held once its device opened, plus the cap; absent where native memory is not capped. */
  readonly dataLimitBytes?: number
  /** What is and is not capped here, in a sentence. */
  readonly note: string
}

const MiB = 1024 * 1024

/** In the compute process, once its device is open: caps native memory where this platform can, and says what is capped. */
export function applyMemoryCap (mib: number, pid = process.pid): MemoryCap {
  const jsOnly = (why: string): MemoryCap => ({ mib, jsHeapMiB: mib, note: `JavaScript heap capped at ${mib} MiB; native memory not capped (${why})` })
  if (process.platform !== 'linux') return jsOnly(`no per-process limit for it on ${process.platform}`)
  const held = privateWritableBytes(pid)
  if (held == null) return jsOnly('/proc/self/status unreadable')
  const limit = held + mib * MiB
  const set = spawnSync('prlimit', ['--pid', String(pid), `--data=${limit}:${limit}`], { encoding: 'utf8' })
  if (set.error != null || set.status !== 0) {
    const why = set.error != null ? `prlimit (util-linux) did not run: ${set.error.message}` : `prlimit failed: ${set.stderr.trim().split('\n')[0]}`
    return jsOnly(why)
  }
  return {
    mib,
    jsHeapMiB: mib,
    dataLimitBytes: limit,
    note: `JavaScript heap and native memory capped at ${mib} MiB beyond the ${Math.round(held / MiB)} MiB the process held with its device open (RLIMIT_DATA ${Math.round(limit / MiB)} MiB); GPU memory of a real GPU not capped`
  }
}

/** VmData: the private writable memory RLIMIT_DATA counts. */
export function privateWritableBytes (pid: number | 'self' = 'self'): number | undefined {
  try {
    const match = /^VmData:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match != null ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

/** Whether an error thrown in the compute process is an allocation that failed (the cap, when one is set). */
export function isAllocationFailure (err: unknown): boolean {
  const message = String((err as { message?: unknown } | undefined)?.message ?? err)
  // RangeError 'Array buffer allocation failed', DataCloneError 'Data cannot be cloned, out of memory.' (the reply), Dawn's out-of-memory scope.
  return /allocation failed|failed to allocate|out of memory/i.test(message)
}

/**
 * The line of a dead compute process's output that says it ran out of
 * memory, if one does: V8's 'FATAL ERROR: ... out of memory', Node's
 * 'RangeError: Failed to allocate memory' (reading a chunk off the IPC
 * channel), C++'s bad_alloc.
 */
export function outOfMemoryLine (output: string): string | undefined {
  return output.split('\n').map(line => line.trim())
    .find(line => /out of memory|allocation failed|failed to allocate|bad_alloc|cannot allocate memory/i.test(line) && !line.includes(' mesh: compute process '))
}

export function memoryCapMessage (cap: MemoryCap, detail: string): string {
  const what = cap.dataLimitBytes != null ? `${cap.mib} MiB beyond what opening its device took` : `${cap.mib} MiB of JavaScript heap`
  return `the chunk needs more memory than the compute process's cap allows (${what}; ${detail})`
}
