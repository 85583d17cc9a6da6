import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { access, mkdir, readFile, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, test } from 'node:test'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { encodeNpyHeader, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { runMesh, spawnMesh } from '../helpers/run-mesh.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'

/**
 * Bad local input beyond test/cli/errors.test.ts: empty, truncated, huge,
 * out-of-range and directory-instead-of-file inputs, a data dir that is a
 * file, full or in use. Each exits 2 with one line naming the problem.
 */

const run = promisify(execFile)
const dir = await makeTempDir('mesh-bad-input-')
let fullDisk: string | undefined
after(async () => {
  if (fullDisk != null) await run('umount', [fullDisk]).catch(() => {})
  await dir.remove()
})
const file = (name: string): string => join(dir.path, name)

await writeNpyMatrix(file('b.npy'), generateMatrix(4, 4, 2))
await writeNpyMatrix(file('a.npy'), generateMatrix(8, 4, 1))
await writeFile(file('empty.npy'), '')
await writeFile(file('truncated.npy'), (await readFile(file('a.npy'))).subarray(0, -7))
// 40000 x 40000 fp32 is 6 GiB: a sparse file, so the test costs no disk.
const header = encodeNpyHeader(40000, 40000)
await writeFile(file('huge.npy'), header)
await truncate(file('huge.npy'), header.byteLength + 40000 * 40000 * 4)
await mkdir(file('folder.npy'))
await mkdir(file('folder.csv'))
await writeFile(file('empty.csv'), '')
await writeFile(file('overflow.csv'), 'x,y\n1,2\n3,1e39\n')
await writeFile(file('big.json'), '[[1]]')
await truncate(file('big.json'), 300 * 1024 * 1024)
await writeFile(file('infinite.json'), '[[1, 2], [3, 1e400]]')
await writeFile(file('map.wgsl'), 'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {\n  var out: array<f32, OUT_COLS>;\n  out[0] = row[0];\n  return out;\n}\n')
await writeFile(file('empty.key'), '')
await writeFile(file('not-a-dir'), 'a file')

const map = (data: string): string[] => ['publish', '--kernel', 'map', '--wgsl', file('map.wgsl'), '--data', file(data), '--out-cols', '1', '--no-mdns']
const matmul = (a: string): string[] => ['publish', '--kernel', 'matmul', '--a', file(a), '--b', file('b.npy'), '--no-mdns']

const cases: Array<{ args: string[], message: RegExp }> = [
  { args: matmul('empty.npy'), message: /empty\.npy: empty file, expected a \.npy array/ },
  { args: matmul('truncated.npy'), message: /truncated\.npy: truncated: the header says 8x4 float32 \(128 bytes of data\), the file has 121/ },
  { args: matmul('huge.npy'), message: /huge\.npy: 40000x40000 float32 is 6\.0 GiB, more than the 4\.0 GiB an input may have/ },
  { args: matmul('folder.npy'), message: /folder\.npy: is a directory, not a file/ },
  { args: map('empty.csv'), message: /empty\.csv: empty file, expected a header row and numeric rows/ },
  { args: map('folder.csv'), message: /folder\.csv: is a directory, not a file/ },
  { args: map('overflow.csv'), message: /overflow\.csv: line 3, column 2 \(y\): 1e39 is beyond the float32 range/ },
  { args: map('big.json'), message: /big\.json: 300\.0 MiB of JSON is more than the 256\.0 MiB read whole/ },
  { args: map('infinite.json'), message: /infinite\.json: row 1, column 1: Infinity is beyond the float32 range/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--swarm-key', file('empty.key'), '--data-dir', file('peer')], message: /empty\.key: not a swarm key/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--swarm-key', dir.path, '--data-dir', file('peer')], message: /cannot read swarm key \(is a directory\)/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--no-mdns', '--data-dir', file('not-a-dir')], message: /data dir .*not-a-dir is not a directory/ },
  ...['status', 'leaderboard', 'history'].map(command => ({ args: [command, '--data-dir', file('not-a-dir')], message: /data dir .*not-a-dir is not a directory/ }))
]

/** Runs each case, two CLI processes at a time; answers the failures. */
async function failuresOf (list: typeof cases): Promise<string[]> {
  const queue = [...list]
  const failures: string[] = []
  await Promise.all([0, 1].map(async () => {
    for (let next = queue.shift(); next != null; next = queue.shift()) {
      const { code, stdout, stderr } = await runMesh(next.args, { timeoutMs: 60_000 })
      // A command that got as far as starting its peer says so on its first line.
      const lines = stderr.trim().split('\n').filter(line => !/^mesh: peer \S+ .* listening on /.test(line))
      const problem = code !== 2
        ? `exit ${code}`
        : lines.length !== 1 ? `${lines.length} lines on stderr` : !next.message.test(lines[0]) ? 'unexpected message' : stdout !== '' ? 'output on stdout' : undefined
      if (problem != null) failures.push(`mesh ${next.args.join(' ')}: ${problem}: ${stderr.trim()}`)
    }
  }))
  return failures
}

test('empty, truncated, huge, out-of-range and directory inputs, and a file as data dir, exit 2 with one line naming the problem', async () => {
  assert.deepEqual(await failuresOf(cases), [])
})

test('a full disk under --data-dir is reported in one line naming the data dir, at start and mid-publish', async (t) => {
  fullDisk = file('tiny-disk')
  await mkdir(fullDisk)
  try {
    if (process.getuid?.() !== 0) throw new Error('not root')
    await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', fullDisk])
  } catch {
    fullDisk = undefined
    t.skip('needs root to mount a tmpfs')
    return
  }
  const failures = await failuresOf([
    // 1024 x 1024 inputs are 8 MiB: the disk fills while the project is stored.
    { args: ['publish', '--kernel', 'matmul', '--size', '1024', '--no-mdns', '--data-dir', join(fullDisk, 'peer')], message: /data dir .*tiny-disk\/peer is full \(no space left on device\): free some space or pass another --data-dir/ }
  ])
  await run('dd', ['if=/dev/zero', `of=${join(fullDisk, 'filler')}`, 'bs=64k']).catch(() => {})
  failures.push(...await failuresOf([
    { args: ['publish', '--kernel', 'matmul', '--size', '8', '--no-mdns', '--data-dir', join(fullDisk, 'fresh')], message: /data dir .*tiny-disk\/fresh is full \(no space left on device\)/ }
  ]))
  assert.deepEqual(failures, [])
})

test('a data dir in use by a running peer is reported in one line', async () => {
  const peerDir = file('busy-peer')
  const running = spawnMesh(['projects', '--wait', '60', '--no-mdns', '--data-dir', peerDir])
  try {
    // The running peer serves its control socket once its store is open.
    for (let tries = 0; ; tries++) {
      try {
        await access(join(peerDir, 'control.sock'))
        break
      } catch {
        assert.ok(tries < 300, 'the first peer started')
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    }
    assert.deepEqual(await failuresOf([
      { args: ['publish', '--kernel', 'matmul', '--size', '8', '--no-mdns', '--data-dir', peerDir], message: /data dir .*busy-peer is in use by another mesh process/ }
    ]), [])
  } finally {
    running.kill('SIGKILL')
  }
})
