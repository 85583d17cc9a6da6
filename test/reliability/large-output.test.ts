import assert from 'node:assert/strict'
import { open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { encodeNpyHeader } from '../../src/compute/data/npy.ts'
import { loadProjectSpec } from '../../src/node/publish/publish-request.ts'
import { JsonLines } from '../helpers/json-lines.ts'
import { spawnMesh } from '../helpers/run-mesh.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import type { ChildProcess } from 'node:child_process'

/**
 * A project whose output is larger than anything the peers hold: results
 * stream into the researcher's LevelDB as they are verified and `mesh
 * export` streams them to disk chunk by chunk. CI runs a 256 MiB output;
 * the 1 GiB run of SECURITY.md is
 *   MESH_LARGE_OUTPUT=16384x16x16384 MESH_LARGE_OUTPUT_ROWS=128 bash scripts/test.sh test/reliability/large-output.test.ts
 * A matmul with K = 16 keeps the compute cheap; the bytes are what is tested.
 */

const [M, K, N] = (process.env.MESH_LARGE_OUTPUT ?? '8192x16x8192').split('x').map(Number)
const ROWS_PER_CHUNK = Number(process.env.MESH_LARGE_OUTPUT_ROWS ?? 64)
const OUTPUT_BYTES = M * N * 4
const MiB = 1024 * 1024

const dir = await makeTempDir('mesh-large-')
const children: ChildProcess[] = []
after(async () => {
  for (const child of children) if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
  await dir.remove()
})

interface MemoryPeaks { anonMiB: number, fileMiB: number, hwmMiB: number }

/** Polls a process's memory until it exits: peak anonymous memory (what it allocated) and peak file-backed RSS (mapped files). */
function watchMemory (child: ChildProcess): { peaks: MemoryPeaks, now: () => number, done: Promise<MemoryPeaks> } {
  const peaks: MemoryPeaks = { anonMiB: 0, fileMiB: 0, hwmMiB: 0 }
  let latestAnon = 0
  const field = (status: string, name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024
  const timer = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then(status => {
      latestAnon = field(status, 'RssAnon')
      peaks.anonMiB = Math.max(peaks.anonMiB, latestAnon)
      peaks.fileMiB = Math.max(peaks.fileMiB, field(status, 'RssFile'))
      peaks.hwmMiB = Math.max(peaks.hwmMiB, field(status, 'VmHWM'))
    }, () => {})
  }, 50)
  const done = new Promise<MemoryPeaks>(resolve => child.once('close', () => { clearInterval(timer); resolve(peaks) }))
  return { peaks, now: () => latestAnon, done }
}

function mesh (args: string[]): JsonLines {
  const child = spawnMesh(args)
  children.push(child)
  return new JsonLines(child)
}

/** Reads the exported .npy a block of rows at a time and compares each with the CPU reference. */
async function compareExport (path: string, a: Float32Array, b: { data: Float32Array, rows: number, cols: number }): Promise<void> {
  const kernel = getKernel('matmul')
  const file = await open(path, 'r')
  try {
    const headerBytes = encodeNpyHeader(M, N).byteLength
    assert.equal((await file.stat()).size, headerBytes + OUTPUT_BYTES)
    const blockRows = Math.max(1, Math.floor(16 * MiB / (N * 4)))
    const block = new Float32Array(blockRows * N)
    for (let row = 0; row < M; row += blockRows) {
      const rows = Math.min(blockRows, M - row)
      const bytes = new Uint8Array(block.buffer, 0, rows * N * 4)
      const { bytesRead } = await file.read(bytes, 0, bytes.byteLength, headerBytes + row * N * 4)
      assert.equal(bytesRead, bytes.byteLength)
      const expected = kernel.cpuReference({ kernel: 'matmul', params: {}, range: { index: 0, rowStart: row, rowEnd: row + rows }, rows: a.subarray(row * K, (row + rows) * K), rowCols: K, shared: { b } })
      const compared = kernel.compare({}, [{ name: 'a', rows, cols: K }, { name: 'b', rows: K, cols: N }], expected, block.subarray(0, rows * N))
      assert.ok(compared.ok, `rows ${row}..${row + rows} match the CPU reference (max rel error ${compared.maxRelError})`)
    }
  } finally {
    await file.close()
  }
}

test(`a ${OUTPUT_BYTES / MiB} MiB output streams into the researcher's store and out to disk with peak memory under the output size`, async () => {
  const researcherDir = join(dir.path, 'researcher')
  const researcher = mesh(['publish', '--kernel', 'matmul', '--shape', `${M}x${K}x${N}`, '--rows-per-chunk', String(ROWS_PER_CHUNK), '--until-done', '--json', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', researcherDir])
  const researcherMemory = watchMemory(researcher.child)
  const started = await researcher.waitFor('started', line => line.event === 'started', 60_000)
  const { id } = await researcher.waitFor('published', line => line.event === 'published', 120_000)
  const researcherAtPublish = researcherMemory.now()
  const began = performance.now()
  const volunteer = mesh(['volunteer', '--auto', '--until-done', '--json', '--no-mdns', '--bootstrap', started.addresses[0], '--data-dir', join(dir.path, 'volunteer')])
  const volunteerMemory = watchMemory(volunteer.child)
  assert.equal(await researcher.exited, 0, `the researcher finished: ${researcher.stderr}`)
  assert.equal(await volunteer.exited, 0, `the volunteer finished: ${volunteer.stderr}`)
  const computeMs = performance.now() - began

  const out = join(dir.path, 'c.npy')
  const exportStarted = performance.now()
  const exporter = mesh(['export', id, '--format', 'npy', '--out', out, '--data-dir', researcherDir])
  const exportMemory = watchMemory(exporter.child)
  assert.equal(await exporter.exited, 0, `the export finished: ${exporter.stderr}`)
  const exportMs = performance.now() - exportStarted

  const spec = await loadProjectSpec({ kernel: 'matmul', inputs: { from: 'shape', m: M, k: K, n: N } })
  await compareExport(out, spec.inputs[0].matrix.data, spec.inputs[1].matrix)

  const [r, v, e] = await Promise.all([researcherMemory.done, volunteerMemory.done, exportMemory.done])
  const show = (p: MemoryPeaks): string => `anon ${p.anonMiB.toFixed(0)} MiB, mapped files ${p.fileMiB.toFixed(0)} MiB, VmHWM ${p.hwmMiB.toFixed(0)} MiB`
  console.log(`# ${M}x${K}x${N}, ${OUTPUT_BYTES / MiB} MiB output in chunks of ${ROWS_PER_CHUNK} rows (${(ROWS_PER_CHUNK * N * 4 / MiB).toFixed(1)} MiB): computed and stored in ${(computeMs / 1000).toFixed(1)} s, exported in ${(exportMs / 1000).toFixed(1)} s`)
  console.log(`# peak memory: researcher ${show(r)} (anon ${researcherAtPublish.toFixed(0)} MiB once published); volunteer ${show(v)}; export ${show(e)}`)
  // Anonymous memory is what a process holds; mapped files are LevelDB's table files in the page cache, which the kernel reclaims.
  for (const [who, peaks] of [['researcher', r], ['volunteer', v], ['export', e]] as const) {
    assert.ok(peaks.anonMiB * MiB < OUTPUT_BYTES, `the ${who} never held the output: peak ${peaks.anonMiB.toFixed(0)} MiB < ${OUTPUT_BYTES / MiB} MiB`)
  }
})
