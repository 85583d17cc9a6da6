import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { openComputeDevice, type ProcessComputeDevice } from '../../src/compute/device.ts'
import { InputError } from '../../src/errors.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import type { ChunkWork } from '../../src/compute/kernel.ts'
import { ChunkTooLargeError, DeviceLostError, KernelTimeoutError, WgslCompileError } from '../../src/compute/errors.ts'

const matmul = getKernel('matmul')
const support = join(import.meta.dirname, 'support')
let device: ProcessComputeDevice
before(async () => { device = await openComputeDevice({ loopFallback: false }) as ProcessComputeDevice })
after(async () => { await device.destroy() })

function work (m: number, k: number, n: number, seed: number, b = generateMatrix(k, n, seed + 1)): ChunkWork {
  return { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: m }, rows: generateMatrix(m, k, seed).data, rowCols: k, shared: { b } }
}

/** A chunk of several seconds on Mesa's software adapter, long enough to be killed mid-run. */
const longChunk = work(2048, 2048, 2048, 21)

function assertMatches (chunk: ChunkWork, result: Float32Array): void {
  const shapes = [{ name: 'a', rows: chunk.range.rowEnd, cols: chunk.rowCols }, { name: 'b', rows: chunk.shared.b!.rows, cols: chunk.shared.b!.cols }]
  assert.ok(matmul.compare({}, shapes, matmul.cpuReference(chunk), result).ok)
}

/** Whether a process is gone: no such pid, or a zombie nobody reaps (an orphan in a container without an init). */
function isGone (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z')
  } catch {
    return true
  }
}

async function waitUntil (condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (!condition()) {
    if (Date.now() > end) return false
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return true
}

/** Counts event-loop turns of this thread until the promise settles. */
async function turnsWhile<T> (promise: Promise<T>): Promise<{ value: T, turns: number }> {
  let done = false
  let turns = 0
  const settled = promise.finally(() => { done = true })
  while (!done) {
    await new Promise(resolve => setImmediate(resolve))
    turns++
  }
  return { value: await settled, turns }
}

test('the device runs in a child process and computes chunks as the device in this process does', async () => {
  assert.notEqual(device.info.backend, 'cpu')
  assert.ok(device.pid != null && device.pid !== process.pid)
  const chunk = work(70, 33, 45, 3)
  const result = await device.run(chunk)
  assertMatches(chunk, result)
  const inProcess = await openComputeDevice({ inWorker: false })
  try {
    assert.deepEqual(result, await inProcess.run(chunk))
  } finally {
    await inProcess.destroy()
  }
})

test('this thread keeps turning while a long chunk computes in the child', async () => {
  const cpu = await openComputeDevice({ prefer: 'cpu' })
  try {
    const chunk = work(256, 256, 256, 9)
    const { value, turns } = await turnsWhile(cpu.run(chunk))
    assert.deepEqual(value, matmul.cpuReference(chunk))
    assert.ok(turns >= 100, `only ${turns} event-loop turns during the chunk`)

    const inThread = await openComputeDevice({ prefer: 'cpu', inWorker: false })
    const blocked = await turnsWhile(inThread.run(chunk))
    assert.equal(blocked.turns, 1, 'the in-thread CPU device holds the loop for the whole chunk')
    await inThread.destroy()
  } finally {
    await cpu.destroy()
  }
})

test('shared inputs released from the child are sent again when used later', async () => {
  const bs = Array.from({ length: 6 }, (_, i) => generateMatrix(16, 8, 100 + i))
  for (const round of [0, 1]) {
    for (const [i, b] of bs.entries()) {
      const chunk = work(5, 16, 8, i + round * 10, b)
      assertMatches(chunk, await device.run(chunk))
    }
  }
})

test('errors cross the process boundary as their own classes', async () => {
  await assert.rejects(
    device.validateKernel('map', { wgsl: 'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {\n  return 1;\n}', outCols: 1 }, [{ name: 'data', rows: 1, cols: 1 }]),
    (err: any) => err instanceof WgslCompileError && err.line === 2)
  const k = 4096
  const rows = Math.floor(Math.min(device.info.limits.maxStorageBufferBindingSize, device.info.limits.maxBufferSize) / (k * 4)) + 1
  const tooBig: ChunkWork = { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: rows }, rows: new Float32Array(rows * k), rowCols: k, shared: { b: { rows: k, cols: 1, data: new Float32Array(k) } } }
  await assert.rejects(device.run(tooBig), ChunkTooLargeError)
})

test('a run past its time limit kills the child and rejects; the next run gets a fresh child', async () => {
  const pid = device.pid!
  await assert.rejects(device.run(work(512, 512, 512, 5), { timeoutMs: 1 }),
    (err: any) => err instanceof KernelTimeoutError && err.message === 'the kernel exceeded its time limit (0.0 s)')
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' })
  assert.equal(device.pid, undefined)
  const chunk = work(9, 7, 5, 6)
  assertMatches(chunk, await device.run(chunk, { timeoutMs: 60_000 }))
  assert.ok(device.pid != null && device.pid !== pid)
  assert.notEqual(device.info.backend, 'cpu')
})

test('a run aborted while computing kills the child and rejects with AbortError', async () => {
  const pid = device.pid!
  const controller = new AbortController()
  const running = device.run(longChunk, { signal: controller.signal })
  setTimeout(() => { controller.abort() }, 300)
  await assert.rejects(running, { name: 'AbortError' })
  assert.ok(isGone(pid))
  const chunk = work(9, 7, 5, 7)
  assertMatches(chunk, await device.run(chunk))
})

test('a child killed between runs is replaced, after a back-off, for the next run', async () => {
  const pid = device.pid!
  process.kill(pid, 'SIGKILL')
  assert.ok(await waitUntil(() => device.pid == null, 2000), 'the device saw its child die')
  const started = Date.now()
  const chunk = work(9, 7, 5, 8)
  assertMatches(chunk, await device.run(chunk))
  assert.ok(Date.now() - started >= 450, 'the restart waited for the back-off')
  assert.ok(device.pid != null && device.pid !== pid)
})

test('a child killed during a run fails that run with DeviceLostError; the next run succeeds', async () => {
  const pid = device.pid!
  const running = device.run(longChunk)
  setTimeout(() => { process.kill(pid, 'SIGKILL') }, 300)
  await assert.rejects(running, (err: any) => err instanceof DeviceLostError && /killed by SIGKILL/.test(err.message))
  const chunk = work(9, 7, 5, 9)
  assertMatches(chunk, await device.run(chunk))
  assert.ok(device.pid != null && device.pid !== pid)
})

test('the restart back-off doubles with crashes in a row and resets after a successful run', async () => {
  const cpu = await openComputeDevice({ prefer: 'cpu' }) as ProcessComputeDevice
  try {
    const killChild = async (): Promise<void> => {
      process.kill(cpu.pid!, 'SIGKILL')
      assert.ok(await waitUntil(() => cpu.pid == null, 2000))
    }
    const timed = async (chunk: ChunkWork): Promise<number> => {
      const started = Date.now()
      await cpu.run(chunk)
      return Date.now() - started
    }
    await killChild()
    // The first restart waits 0.5 s; its child is killed during the run, so the second waits 1 s.
    const running = cpu.run(work(512, 512, 512, 11))
    assert.ok(await waitUntil(() => cpu.pid != null, 5000))
    await new Promise(resolve => setTimeout(resolve, 100))
    process.kill(cpu.pid!, 'SIGKILL')
    await assert.rejects(running, DeviceLostError)
    assert.equal(cpu.restartBackoffMs, 500, 'the first restart waited 0.5 s')
    const second = await timed(work(3, 3, 3, 12))
    assert.equal(cpu.restartBackoffMs, 1000, 'the second restart in a row waits 1 s')
    assert.ok(second >= 950, `the second restart in a row waited 1 s (took ${second} ms)`)
    await killChild()
    // Upper bounds on wall time would measure the machine's load (a child's start-up), not the back-off.
    const afterSuccess = await timed(work(3, 3, 3, 13))
    assert.equal(cpu.restartBackoffMs, 500, 'after a successful run the back-off is 0.5 s again')
    assert.ok(afterSuccess >= 450, `the restart after a successful run waited 0.5 s (took ${afterSuccess} ms)`)
  } finally {
    await cpu.destroy()
  }
})

test('destroy() during a restart back-off ends the waiting run at once', async () => {
  const cpu = await openComputeDevice({ prefer: 'cpu' }) as ProcessComputeDevice
  process.kill(cpu.pid!, 'SIGKILL')
  assert.ok(await waitUntil(() => cpu.pid == null, 2000))
  const waiting = cpu.run(work(3, 3, 3, 14))
  await new Promise(resolve => setTimeout(resolve, 50))
  const started = Date.now()
  await cpu.destroy()
  await assert.rejects(waiting, DeviceLostError)
  // Sooner than the 0.5 s back-off it was waiting out.
  assert.ok(Date.now() - started < 450, `destroy() ended the wait at once (took ${Date.now() - started} ms)`)
  assert.equal(cpu.pid, undefined)
})

test('an aborted run rejects at once; a destroyed device refuses work and leaves no process', async () => {
  const controller = new AbortController()
  controller.abort()
  await assert.rejects(device.run(work(4, 4, 4, 1), { signal: controller.signal }), { name: 'AbortError' })
  const other = await openComputeDevice({ prefer: 'cpu' }) as ProcessComputeDevice
  const pid = other.pid!
  await other.destroy()
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' })
  await assert.rejects(other.run(work(4, 4, 4, 1)), DeviceLostError)
})

test("Dawn's native output goes to the log file, not to the parent's stderr", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-compute-log-'))
  try {
    const run = async (target: string): Promise<{ stdout: string, stderr: string }> =>
      await promisify(execFile)(process.execPath, ['--import', 'tsx', join(support, 'run-chunk-with-log.ts'), target], { env: { ...process.env, MESH_GPU: '' } })
    // In process, Dawn writes its warnings on this machine (no Vulkan driver: "vkCreateInstance ... Found no drivers").
    const inProcess = await run('in-process')
    assert.equal(inProcess.stdout, '64\n')
    const dawnLines = inProcess.stderr.split('\n').filter(line => line.startsWith('Warning:'))
    const log = join(dir, 'compute.log')
    const isolated = await run(log)
    assert.equal(isolated.stdout, '64\n')
    assert.equal(isolated.stderr, '')
    const logged = await readFile(log, 'utf8')
    assert.match(logged, /mesh: compute process \d+ starts/)
    for (const line of dawnLines) assert.ok(logged.includes(line), `the log has ${line}`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('the child exits when its parent dies', async () => {
  const parent = spawn(process.execPath, ['--import', 'tsx', join(support, 'hold-device.ts')], { stdio: ['ignore', 'pipe', 'inherit'] })
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout.once('data', (data: Buffer) => { resolve(Number(data.toString().trim())) })
    parent.once('exit', (code) => { reject(new Error(`the parent exited early (code ${code})`)) })
  })
  assert.ok(!isGone(pid))
  parent.kill('SIGKILL')
  assert.ok(await waitUntil(() => isGone(pid), 2000), `compute process ${pid} outlived its parent`)
})

test('the env given reaches the child; a child with a heap cap computes', async () => {
  await assert.rejects(openComputeDevice({ env: { MESH_GPU: 'fastest' } }), (err: any) => err instanceof InputError && /MESH_GPU must be one of/.test(err.message))
  const capped = await openComputeDevice({ prefer: 'cpu', maxMemoryMiB: 64 })
  try {
    const chunk = work(9, 7, 5, 10)
    assert.deepEqual(await capped.run(chunk), matmul.cpuReference(chunk))
  } finally {
    await capped.destroy()
  }
})
