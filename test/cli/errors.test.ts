import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runMesh } from '../helpers/run-mesh.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import { writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'

const dir = await makeTempDir('mesh-cli-errors-')
after(async () => { await dir.remove() })
const file = (name: string): string => join(dir.path, name)

/** A .npy file with any header (dtype, shape) and `dataBytes` zero bytes of data. */
async function writeRawNpy (path: string, descr: string, shape: string, dataBytes: number): Promise<void> {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n'
  const prefix = Buffer.alloc(10)
  Buffer.from('\x93NUMPY', 'latin1').copy(prefix)
  prefix[6] = 1
  prefix.writeUInt16LE(header.length, 8)
  await writeFile(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.alloc(dataBytes)]))
}

await writeNpyMatrix(file('a4x3.npy'), generateMatrix(4, 3, 1))
await writeNpyMatrix(file('b5x2.npy'), generateMatrix(5, 2, 2))
await writeNpyMatrix(file('b3x2.npy'), generateMatrix(3, 2, 3))
await writeRawNpy(file('f64.npy'), '<f8', '(3, 3)', 72)
await writeRawNpy(file('vector.npy'), '<f4', '(9,)', 36)
await writeFile(file('not.npy'), 'this is not a numpy file')
await writeFile(file('rows.csv'), 'x,y\n1,2\n3,4\n')
await writeFile(file('bad.wgsl'), 'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {\n  return row\n}\n')
await writeFile(file('bad.key'), 'not a key\n')
await writeFile(file('item.wgsl'), 'fn compute_item(i: u32) -> array<f32, OUT_COLS> {\n  var out: array<f32, OUT_COLS>;\n  return out;\n}\n')
await writeFile(file('words.csv'), 'a,b\none,two\n')
await writeFile(file('huge.wgsl'), '// '.repeat(30_000))
await writeNpyMatrix(file('points5x2.npy'), generateMatrix(5, 2, 4))
await writeNpyMatrix(file('init2x3.npy'), generateMatrix(2, 3, 5))
await writeFile(file('train.csv'), 'x,y,label\n1,2,a\n3,4,b\n5,6,a\n')
await writeFile(file('one-class.csv'), 'x,y,label\n1,2,a\n3,4,a\n')
await writeFile(file('words-train.csv'), 'x,y,label\n1,2,a\n3,four,b\n')
await writeFile(file('test-other.csv'), 'x,z,label\n1,2,a\n')

const dataDir = ['--data-dir', file('peer')]
const cases: Array<{ args: string[], message: RegExp }> = [
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--bogus'], message: /unknown option '--bogus'/ },
  { args: ['publish', '--size', '8'], message: /--kernel is required/ },
  { args: ['publish', '--kernel', 'fft', '--size', '8'], message: /unknown kernel 'fft'/ },
  { args: ['publish', '--kernel', 'matmul'], message: /exactly one of --size N, --shape MxKxN, or --a A\.npy --b B\.npy/ },
  { args: ['publish', '--kernel', 'matmul', '--size', 'abc'], message: /--size expects an integer from 1 to \d+ \(got 'abc'\)/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '12abc'], message: /--size expects an integer/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '0'], message: /--size expects an integer from 1/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--seed=-1'], message: /--seed expects an integer from 0/ },
  { args: ['publish', '--kernel', 'matmul', '--shape', '2x3'], message: /--shape expects MxKxN/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--redundancy', '0'], message: /--redundancy expects an integer from 1 to 16/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--spot-check', '1.5'], message: /--spot-check expects a number from 0 to 1/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--rows-per-chunk', '2.5'], message: /--rows-per-chunk expects an integer/ },
  { args: ['publish', '--kernel', 'matmul', '--a', file('missing.npy'), '--b', file('b3x2.npy')], message: /missing\.npy: no such file/ },
  { args: ['publish', '--kernel', 'matmul', '--a', file('a4x3.npy')], message: /--a and --b go together/ },
  { args: ['publish', '--kernel', 'matmul', '--a', file('f64.npy'), '--b', file('b3x2.npy')], message: /f64\.npy: .*float64/ },
  { args: ['publish', '--kernel', 'matmul', '--a', file('vector.npy'), '--b', file('b3x2.npy')], message: /vector\.npy: .*2-D/ },
  { args: ['publish', '--kernel', 'matmul', '--a', file('not.npy'), '--b', file('b3x2.npy')], message: /not\.npy: / },
  { args: ['publish', '--kernel', 'matmul', '--a', file('a4x3.npy'), '--b', file('b5x2.npy')], message: /A is 4x3 and B is 5x2/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--wgsl', file('bad.wgsl')], message: /--wgsl does not apply to the matmul kernel/ },
  { args: ['publish', '--kernel', 'map', '--data', file('rows.csv')], message: /map kernel needs --wgsl FILE, --data FILE and --out-cols N/ },
  { args: ['publish', '--kernel', 'map', '--wgsl', file('none.wgsl'), '--data', file('rows.csv'), '--out-cols', '1'], message: /none\.wgsl: cannot read WGSL source \(no such file\)/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--out-cols', '1'], message: /exactly one of --data FILE \(an item per row\) or --items N/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--data', file('rows.csv'), '--out-cols', '1'], message: /exactly one of --data FILE/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--shared', `params=${file('rows.csv')}`], message: /shared input name 'params' clashes with a name the mesh defines/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--shared', `w=${file('rows.csv')}`, '--shared', `w=${file('rows.csv')}`], message: /shared input 'w' is given twice/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--shared', `1w=${file('rows.csv')}`], message: /'1w' is not a WGSL identifier/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--shared', `w=${file('words.csv')}`], message: /shared input w: .*words\.csv/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--param', 'n:u32=-1'], message: /param n: -1 is not a u32 value/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--param', 'x=abc'], message: /--param x: 'abc' is not a number/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--param', 'x=1', '--param', 'x=2'], message: /param 'x' is given twice/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--reduce', 'sum', '--image', '2x2'], message: /--reduce and --image cannot be combined/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--image', '2x3'], message: /an image of 2x3 has 6 pixels, but the project has 4 items/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '2', '--image', '2x2'], message: /an image needs out cols 1 \(grey\), 3 \(RGB\) or 4 \(RGBA\); got 2/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--flops-per-item=-1'], message: /--flops-per-item expects a number from 0/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('bad.wgsl'), '--items', '4', '--out-cols', '1'], message: /WGSL error.*the WGSL must define fn compute_item\(i: u32\) -> array<f32, OUT_COLS>|WGSL error at line/ },
  { args: ['publish', '--kernel', 'map', '--wgsl', file('huge.wgsl'), '--data', file('rows.csv'), '--out-cols', '1'], message: /huge\.wgsl: the WGSL source is 88 KiB, over the 64 KiB limit/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--swarm-key', file('none.key'), ...dataDir], message: /none\.key: cannot read swarm key \(no such file\)/ },
  { args: ['publish', '--kernel', 'matmul', '--size', '8', '--swarm-key', file('bad.key'), ...dataDir], message: /bad\.key: not a swarm key/ },
  { args: ['publish', '--kernel', 'kmeans', '--data', file('points5x2.npy'), '--k', '2', '--rounds', '0'], message: /--rounds expects an integer from 1 to 100000 \(got '0'\)/ },
  { args: ['publish', '--kernel', 'kmeans', '--data', file('points5x2.npy'), '--k', '2', '--rounds', '2.5'], message: /--rounds expects an integer/ },
  { args: ['publish', '--kernel', 'kmeans', '--data', file('points5x2.npy'), '--k', '9', '--rounds', '3'], message: /k \(9\) is larger than the number of points \(5\)/ },
  { args: ['publish', '--kernel', 'kmeans', '--data', file('points5x2.npy'), '--init', file('init2x3.npy'), '--rounds', '3'], message: /initial centroids have 3 columns but the data has 2/ },
  { args: ['publish', '--kernel', 'kmeans', '--data', file('points5x2.npy'), '--rounds', '3'], message: /exactly one of --k K .* or --init FILE/ },
  { args: ['publish', '--kernel', 'kmeans', '--data', file('points5x2.npy'), '--k', '2'], message: /the kmeans kernel needs --rounds R/ },
  { args: ['publish', '--kernel', 'kmeans', '--data', file('points5x2.npy'), '--k', '2', '--rounds', '3', '--round-quorum', '0'], message: /--round-quorum expects a number above 0/ },
  { args: ['publish', '--kernel', 'train', '--data', file('train.csv'), '--label-col', 'species', '--rounds', '3'], message: /train\.csv: no label column "species" \(the columns are x, y, label\)/ },
  { args: ['publish', '--kernel', 'train', '--data', file('one-class.csv'), '--label-col', 'label', '--rounds', '3'], message: /only one class/ },
  { args: ['publish', '--kernel', 'train', '--data', file('words-train.csv'), '--label-col', 'label', '--rounds', '3'], message: /row 2.*column y|column y.*row 2/ },
  { args: ['publish', '--kernel', 'train', '--data', file('train.csv'), '--label-col', 'label', '--rounds', '3', '--lr', '0'], message: /--lr expects a number above 0/ },
  { args: ['publish', '--kernel', 'train', '--data', file('train.csv'), '--label-col', 'label', '--rounds', '3', '--lr=-0.1'], message: /--lr expects a number above 0/ },
  { args: ['publish', '--kernel', 'train', '--data', file('train.csv'), '--label-col', 'label', '--rounds', '3', '--batch', '0'], message: /--batch expects an integer from 1/ },
  { args: ['publish', '--kernel', 'train', '--data', file('train.csv'), '--label-col', 'label', '--rounds', '3', '--test', file('test-other.csv')], message: /test-other\.csv: .*columns .* differ from the training set's/ },
  { args: ['publish', '--kernel', 'train', '--data', file('train.csv'), '--label-col', 'label', '--rounds', '3', '--model', 'cnn'], message: /--model expects softmax or mlp/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--rounds', '3'], message: /a wgsl rounds project needs --state FILE/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--state', file('init2x3.npy'), '--rounds', '3', '--aggregate', 'sum'], message: /with --aggregate sum and a 2x3 state, compute_item returns 6 values; --out-cols is 1/ },
  { args: ['publish', '--kernel', 'wgsl', '--wgsl', file('item.wgsl'), '--items', '4', '--out-cols', '1', '--state', file('init2x3.npy')], message: /--state needs --rounds R/ },
  { args: ['projects', '--wait', '0', '--bootstrap', '/ip4/127.0.0.1/tcp/9'], message: /--bootstrap expects a multiaddr ending in \/p2p\/<peer id>/ },
  { args: ['projects', '--wait', '0', '--listen', 'nonsense'], message: /--listen expects a multiaddr like/ },
  { args: ['projects', '--wait', 'soon'], message: /--wait expects a number from 0/ },
  { args: ['projects', '--wait', '1', '--swarm-key', file('bad.key'), ...dataDir], message: /bad\.key: not a swarm key/ },
  { args: ['swarm-key', 'extra'], message: /unexpected argument 'extra'/ },
  { args: ['--web', 'nonsense'], message: /--web expects HOST:PORT .*\(got 'nonsense'\)/ }
]

test('each bad input exits 2 with one line naming the problem', async () => {
  // Two at a time: each case is a real CLI process.
  const queue = [...cases]
  const failures: string[] = []
  await Promise.all([0, 1].map(async () => {
    for (let next = queue.shift(); next != null; next = queue.shift()) {
      const { code, stdout, stderr } = await runMesh(next.args, { timeoutMs: 60_000 })
      const lines = stderr.trim().split('\n')
      const problem = code !== 2
        ? `exit ${code}`
        : lines.length !== 1 ? `${lines.length} lines on stderr` : !next.message.test(lines[0]) ? 'unexpected message' : stdout !== '' ? 'output on stdout' : undefined
      if (problem != null) failures.push(`mesh ${next.args.join(' ')}: ${problem}: ${stderr.trim()}`)
    }
  }))
  assert.deepEqual(failures, [])
})

test('a WGSL compile error in a map project exits 2 naming the line', async () => {
  const { code, stderr } = await runMesh(['publish', '--kernel', 'map', '--wgsl', file('bad.wgsl'), '--data', file('rows.csv'), '--out-cols', '2', '--data-dir', file('peer')])
  assert.equal(code, 2)
  // The GPU driver may print its own warnings first; ours is the last line.
  assert.match(stderr.trim().split('\n').at(-1) ?? '', /^mesh: WGSL error at line \d+/)
})
