import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryCapError, openComputeDevice, type ProcessComputeDevice } from '../../src/compute/device.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import type { ChunkWork } from '../../src/compute/kernel.ts'
import { isAllocationFailure, outOfMemoryLine, privateWritableBytes } from '../../src/compute/device/memory-cap.ts'

const matmul = getKernel('matmul')
const MiB = 1024 * 1024
const CAP_MIB = 192
const linux = process.platform === 'linux'
const prlimit = linux && spawnSync('prlimit', ['--version']).status === 0

function work (m: number, k: number, n: number, seed: number): ChunkWork {
  return { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: m }, rows: generateMatrix(m, k, seed).data, rowCols: k, shared: { b: generateMatrix(k, n, seed + 1) } }
}

async function assertComputes (device: ProcessComputeDevice, chunk: ChunkWork): Promise<void> {
  const shapes = [{ name: 'a', rows: chunk.range.rowEnd, cols: chunk.rowCols }, { name: 'b', rows: chunk.shared.b!.rows, cols: chunk.shared.b!.cols }]
  assert.ok(matmul.compare({}, shapes, matmul.cpuReference(chunk), await device.run(chunk)).ok)
}

/**
 * Chunks over a 192 MiB cap that still fit one buffer of any device (at
 * least 128 MiB a binding): a 120 MiB output (Dawn's buffer, its readback
 * copy, the array read from it, the reply), and 120 MiB of rows (read off the
 * IPC channel into one buffer, then copied into an array). Where each fails
 * depends on the device and on timing: a clean out-of-memory error, or the
 * process ended by V8.
 */
const overCap = [
  { what: 'a 120 MiB output', chunk: work(6144, 64, 5120, 31) },
  { what: '120 MiB of rows', chunk: work(7680, 4096, 4, 41) }
]

test('the cap covers native memory on Linux: over it a run rejects with MemoryCapError, not a hang, and the next run gets a fresh process', { skip: !prlimit && 'needs Linux and prlimit (util-linux)', timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-memory-cap-'))
  const log = join(dir, 'compute.log')
  // Mesa's GLES adapter where there is no GPU (SwiftShader takes some 300 MiB for each shader it compiles: a cap of GiBs there).
  const device = await openComputeDevice({ prefer: 'compat', maxMemoryMiB: CAP_MIB, loopFallback: false, logFile: log }) as ProcessComputeDevice
  try {
    const cap = device.info.memoryCap!
    console.log(`${device.info.description}: ${cap.note}`)
    assert.equal(cap.mib, CAP_MIB)
    assert.equal(cap.jsHeapMiB, CAP_MIB)
    const held = privateWritableBytes(device.pid!)!
    assert.ok(cap.dataLimitBytes != null && cap.dataLimitBytes >= held && cap.dataLimitBytes - held <= CAP_MIB * MiB, `RLIMIT_DATA ${cap.dataLimitBytes}, held ${held}`)
    const limits = readFileSync(`/proc/${device.pid!}/limits`, 'utf8')
    assert.match(limits, new RegExp(`^Max data size +${cap.dataLimitBytes} +${cap.dataLimitBytes} +bytes`, 'm'))

    await assertComputes(device, work(256, 256, 256, 1))
    for (const { what, chunk } of overCap) {
      const pid = device.pid
      const started = Date.now()
      await assert.rejects(device.run(chunk, { timeoutMs: 60_000 }), (err: any) => {
        assert.ok(err instanceof MemoryCapError, `${what}: ${err?.name}: ${err?.message}`)
        assert.match(err.message, new RegExp(`^the chunk needs more memory than the compute process's cap allows \\(${CAP_MIB} MiB beyond what opening its device took; .+\\)$`))
        console.log(`${what}: ${err.message} (${Date.now() - started} ms)`)
        return true
      })
      assert.notEqual(device.pid, pid, `${what}: the process at its cap was replaced`)
      await assertComputes(device, work(200, 64, 48, 2))
      assert.equal(device.info.memoryCap?.mib, CAP_MIB, 'the new process is capped too')
    }
    assert.match(await readFile(log, 'utf8'), /mesh: compute process \d+ starts \(prefer: compat, memory cap: 192 MiB\)/)
  } finally {
    await device.destroy()
    await rm(dir, { recursive: true, force: true })
  }
})

test('without a log file, a capped process\'s output goes to a file of its own, removed when it ends', { skip: !prlimit && 'needs Linux and prlimit (util-linux)', timeout: 120_000 }, async () => {
  const ours = async (): Promise<string[]> => (await readdir(tmpdir())).filter(name => name.startsWith(`mesh-compute-${process.pid}-`))
  const device = await openComputeDevice({ prefer: 'cpu', maxMemoryMiB: CAP_MIB }) as ProcessComputeDevice
  try {
    assert.equal((await ours()).length, 1)
    await assertComputes(device, work(9, 7, 5, 3))
    await assert.rejects(device.run(overCap[0]!.chunk), MemoryCapError)
    await assertComputes(device, work(9, 7, 5, 4))
  } finally {
    await device.destroy()
  }
  assert.deepEqual(await ours(), [])
})

test('what the cap covers is said where native memory cannot be capped', { skip: linux && 'native memory is capped on Linux' }, async () => {
  const device = await openComputeDevice({ prefer: 'cpu', maxMemoryMiB: CAP_MIB })
  try {
    assert.equal(device.info.memoryCap?.dataLimitBytes, undefined)
    assert.match(device.info.memoryCap!.note, /^JavaScript heap capped at 192 MiB; native memory not capped/)
    await assertComputes(device as ProcessComputeDevice, work(9, 7, 5, 5))
  } finally {
    await device.destroy()
  }
})

test('a device without a cap says nothing of one', async () => {
  const device = await openComputeDevice({ prefer: 'cpu' })
  try {
    assert.equal(device.info.memoryCap, undefined)
  } finally {
    await device.destroy()
  }
})

test('running out of memory is told from what the process printed and threw', () => {
  // Recorded from compute processes at a 256 MiB cap on Mesa's llvmpipe.
  const recorded = [
    ['FATAL ERROR: v8::ArrayBuffer::NewBackingStore Allocation failed - process out of memory', '<--- Last few GCs --->\n\nFATAL ERROR: v8::ArrayBuffer::NewBackingStore Allocation failed - process out of memory\n----- Native stack trace -----\n'],
    ['FATAL ERROR: Committing semi space failed. Allocation failed - JavaScript heap out of memory', '\nFATAL ERROR: Committing semi space failed. Allocation failed - JavaScript heap out of memory\n'],
    ['# Fatal process out of memory: Worklist::Segment::Create', '#\n# Fatal process out of memory: Worklist::Segment::Create\n#\n'],
    ['RangeError: Failed to allocate memory', "node:internal/buffer:1113\n  return new FastBuffer(createUnsafeArrayBuffer(size));\n                        ^\nRangeError: Failed to allocate memory\n    at createUnsafeBuffer (node:internal/buffer:1113:25)\n  code: 'ERR_MEMORY_ALLOCATION_FAILED'\n"]
  ]
  for (const [line, output] of recorded) assert.equal(outOfMemoryLine(output!), line)
  assert.equal(outOfMemoryLine('Warning: Couldn\'t load Vulkan: libvulkan.so.1\nSegmentation fault\n'), undefined)
  // The parent's own lines about an earlier process are not the process's output.
  assert.equal(outOfMemoryLine('2026-01-01T00:00:00.000Z mesh: compute process 7 ends: the chunk needs more memory (the GPU ran out of memory: x)\n'), undefined)

  assert.ok(isAllocationFailure(new RangeError('Array buffer allocation failed')))
  assert.ok(isAllocationFailure(new Error('the GPU ran out of memory: glBufferData(GL_ARRAY_BUFFER, ...) failed with GL_OUT_OF_MEMORY')))
  assert.ok(isAllocationFailure(new DOMException('Data cannot be cloned, out of memory.', 'DataCloneError')))
  assert.ok(!isAllocationFailure(new RangeError('Invalid typed array length: -1')))
})
