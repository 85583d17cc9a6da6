import assert from 'node:assert/strict'
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { createReadStream, existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { delimiter, join } from 'node:path'
import { createGunzip } from 'node:zlib'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import { JsonLines } from '../helpers/json-lines.ts'
import { uniqueTag } from '../helpers/peers.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'
import { runToEnd } from '../helpers/run-process.ts'

/**
 * The single package: `npm pack` of this repository, installed with
 * `npm install -g --prefix DIR` into an empty prefix, gives a `mesh` on
 * DIR/bin that runs with the pinned Node runtime and no clone: its version,
 * its compute device, and a project published by one installed `mesh` and
 * computed by another, exported equal to the CPU reference.
 *
 * npm and the installed `mesh` run under the system's Node (the first `node`
 * on PATH once this repository's node_modules/.bin is left out), as a user's
 * would. The tests run without a network (scripts/test.sh as root gives them
 * loopback only), and an install of a tarball asks the registry for each
 * dependency's full metadata, which `npm ci` does not keep; so npm installs
 * from a loopback registry serving the package tarballs `npm ci` left in npm's
 * cache (the locked versions), with their own package.json as metadata.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
/** PATH without this repository's node_modules/.bin entries (its pinned Node): the system's node and npm. */
const systemPath = (process.env.PATH ?? '').split(delimiter).filter(entry => !entry.includes('node_modules')).join(delimiter)
const skip = process.platform === 'win32'
  ? 'the installed bin is a .cmd shim on Windows; this test drives the POSIX one'
  : spawnSync('npm', ['--version'], { env: { ...process.env, PATH: systemPath } }).status !== 0 ? 'no npm on PATH outside node_modules' : false

let dir: TempDir
let prefix = ''
let tarball = ''
const procs: JsonLines[] = []

/** The environment of a user's shell: no npm_* settings inherited from an `npm test` this runs under (but its cache). */
function userEnv (path: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => (!/^npm_/i.test(name) || /^npm_config_cache$/i.test(name)) && name !== 'MESH_LAUNCHER'))
  return { ...env, PATH: path, ...extra }
}

/** npm as a user runs it, to completion; `env` adds npm_config_* settings (the nested `npm install` of the `node` package's set-up reads them too). */
async function npm (args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const npmEnv = userEnv(systemPath, { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...env })
  return await runToEnd('npm', args, { cwd, env: npmEnv }, timeoutMs)
}

interface CachedTarball { readonly name: string, readonly version: string, readonly integrity: string, readonly file: string, readonly path: string }

/** The registry tarballs in npm's cache (cacache: index-v5 lines name them, content-v2 holds them by integrity). */
function cachedTarballs (cache: string): Map<string, CachedTarball[]> {
  const byName = new Map<string, CachedTarball[]>()
  const index = join(cache, '_cacache', 'index-v5')
  const prefix = 'make-fetch-happen:request-cache:'
  const seen = new Set<string>()
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.isDirectory()) { walk(join(at, entry.name)); continue }
      for (const line of readFileSync(join(at, entry.name), 'utf8').split('\n')) {
        const tab = line.indexOf('\t')
        if (tab < 0) continue
        let record: { key?: string, integrity?: string | null }
        try { record = JSON.parse(line.slice(tab + 1)) } catch { continue }
        const { key, integrity } = record
        if (key == null || integrity == null || !key.startsWith(prefix) || !key.endsWith('.tgz') || !integrity.startsWith('sha512-')) continue
        // REGISTRY/[@scope/]name/-/name-version.tgz, from whichever registry npm was set to use.
        let url: URL
        try { url = new URL(key.slice(prefix.length)) } catch { continue }
        const [before, file] = decodeURIComponent(url.pathname).split('/-/')
        if (before == null || file == null || file.includes('/')) continue
        const segments = before.split('/')
        const name = segments.at(-2)?.startsWith('@') === true ? segments.slice(-2).join('/') : segments.at(-1)!
        const path = `/${name}/-/${file}`
        if (seen.has(path)) continue
        const unscoped = name.slice(name.lastIndexOf('/') + 1)
        if (!file.startsWith(`${unscoped}-`)) continue
        const hex = Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex')
        const content = join(cache, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4))
        if (!existsSync(content)) continue
        seen.add(path)
        const list = byName.get(name) ?? []
        list.push({ name, version: file.slice(unscoped.length + 1, -'.tgz'.length), integrity, file: content, path })
        byName.set(name, list)
      }
    }
  }
  if (existsSync(index)) walk(index)
  return byName
}

/** The package.json at the top of a .tgz, read as the tarball streams (a ustar reader of just that). */
async function tarballManifest (file: string): Promise<any> {
  return await new Promise((resolve, reject) => {
    const source = createReadStream(file)
    const gunzip = createGunzip()
    let buffer: Buffer = Buffer.alloc(0)
    let skip = 0
    let longName: string | undefined
    const done = (value: any, err?: Error): void => {
      source.destroy()
      gunzip.destroy()
      if (err != null) reject(err)
      else resolve(value)
    }
    gunzip.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      for (;;) {
        if (skip > 0) {
          const n = Math.min(skip, buffer.length)
          buffer = buffer.subarray(n)
          skip -= n
          if (skip > 0) return
        }
        if (buffer.length < 512) return
        const header = buffer.subarray(0, 512)
        if (header.every(byte => byte === 0)) { done(undefined, new Error(`${file}: no package.json`)); return }
        const field = (start: number, length: number): string => header.toString('utf8', start, start + length).replace(/\0.*$/s, '')
        const size = parseInt(field(124, 12).trim() || '0', 8)
        const type = field(156, 1)
        const stored = field(345, 155) !== '' ? `${field(345, 155)}/${field(0, 100)}` : field(0, 100)
        const name = longName ?? stored
        const padded = 512 + Math.ceil(size / 512) * 512
        if (type === 'x' || type === 'L') {
          // A pax or GNU long-name header: the next entry's path.
          if (buffer.length < padded) return
          const body = buffer.toString('utf8', 512, 512 + size)
          longName = type === 'L' ? body.replace(/\0.*$/s, '') : /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body)?.[1]
          buffer = buffer.subarray(padded)
          continue
        }
        longName = undefined
        if ((type === '0' || type === '') && /^[^/]+\/package\.json$/.test(name)) {
          if (buffer.length < 512 + size) return
          try { done(JSON.parse(buffer.toString('utf8', 512, 512 + size))) } catch (err: any) { done(undefined, err) }
          return
        }
        skip = padded
      }
    })
    gunzip.on('error', (err) => { done(undefined, err) })
    gunzip.on('end', () => { done(undefined, new Error(`${file}: no package.json`)) })
    source.on('error', (err) => { done(undefined, err) })
    source.pipe(gunzip)
  })
}

/** Highest first: release before prerelease of the same numbers. */
function compareVersions (x: string, y: string): number {
  const parse = (v: string): [number[], string] => {
    const [main, pre = ''] = v.split('+')[0]!.split(/-(.*)/s)
    return [main!.split('.').map(Number), pre]
  }
  const [xs, xp] = parse(x)
  const [ys, yp] = parse(y)
  for (let i = 0; i < 3; i++) if ((xs[i] ?? 0) !== (ys[i] ?? 0)) return (ys[i] ?? 0) - (xs[i] ?? 0)
  if (xp === yp) return 0
  if (xp === '') return -1
  if (yp === '') return 1
  return xp < yp ? 1 : -1
}

/** A registry on 127.0.0.1 serving npm's cached tarballs, their package.json as the metadata. */
async function loopbackRegistry (cache: string): Promise<{ url: string, misses: string[], close: () => Promise<void> }> {
  const tarballs = cachedTarballs(cache)
  const byPath = new Map([...tarballs.values()].flat().map(t => [t.path, t]))
  const misses: string[] = []
  let base = ''
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
    const tarball = byPath.get(path)
    if (tarball != null) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      createReadStream(tarball.file).pipe(res)
      return
    }
    const versions = tarballs.get(path.slice(1))
    if (versions == null) {
      misses.push(path)
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not in the npm cache"}')
      return
    }
    Promise.all(versions.map(async t => {
      const manifest = await tarballManifest(t.file)
      return [t.version, { ...manifest, name: t.name, version: t.version, dist: { tarball: `${base}${t.path}`, integrity: t.integrity } }] as const
    })).then(entries => {
      const released = entries.map(([v]) => v).sort(compareVersions)
      const latest = released.find(v => !v.includes('-')) ?? released[0]!
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ name: path.slice(1), 'dist-tags': { latest }, versions: Object.fromEntries(entries) }))
    }, (err: Error) => {
      res.writeHead(500).end(String(err.message))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url: `${base}/`, misses, close: async () => { await new Promise(resolve => server.close(resolve)) } }
}

const tag = uniqueTag('tarball')
const meshEnv = (): NodeJS.ProcessEnv => userEnv(`${join(prefix, 'bin')}${delimiter}${systemPath}`, { MESH_MDNS_SERVICE_TAG: tag })

/** The installed `mesh`, found on PATH as a user's shell finds it. */
function runInstalled (args: string[], timeoutMs = 60_000): SpawnSyncReturns<string> {
  return spawnSync('mesh', args, { encoding: 'utf8', timeout: timeoutMs, env: meshEnv() })
}

function startInstalled (args: string[]): JsonLines {
  const proc = new JsonLines(spawn('mesh', args, { stdio: ['ignore', 'pipe', 'pipe'], env: meshEnv() }))
  procs.push(proc)
  return proc
}

before(async () => {
  if (skip !== false) return
  dir = await makeTempDir('mesh-tarball-')
  prefix = join(dir.path, 'prefix')
  const packed = await npm(['pack', '--json', '--pack-destination', dir.path], root, 120_000)
  assert.equal(packed.code, 0, packed.stderr)
  const [info] = JSON.parse(packed.stdout)
  tarball = join(dir.path, info.filename)
  console.log(`npm pack: ${info.filename}, ${(info.size / 1024).toFixed(0)} KiB, ${info.entryCount} files`)

  const cache = (await npm(['config', 'get', 'cache'], dir.path, 60_000)).stdout.trim()
  const registry = await loopbackRegistry(cache)
  try {
    const started = Date.now()
    // A cache of its own, so the loopback registry's answers do not stay in the user's.
    const installed = await npm(['install', '-g', '--prefix', prefix, tarball], dir.path, 600_000, {
      npm_config_registry: registry.url,
      npm_config_cache: join(dir.path, 'npm-cache'),
      npm_config_fetch_retries: '0'
    })
    console.log(`npm install -g --prefix of the tarball: ${((Date.now() - started) / 1000).toFixed(1)} s`)
    assert.equal(installed.code, 0, `${installed.stderr}\nnot in npm's cache (${cache}; \`npm ci\` fills it): ${registry.misses.join(', ')}`)
  } finally {
    await registry.close()
  }
})

after(async () => {
  for (const proc of procs) if (proc.child.exitCode == null && proc.child.signalCode == null) proc.child.kill('SIGKILL')
  await Promise.all(procs.map(async proc => await proc.exited))
  await dir?.remove()
})

test('the tarball holds the runtime files only, and installs `mesh` on the prefix\'s bin with the pinned Node beside it', { skip }, () => {
  const installedRoot = join(prefix, 'lib', 'node_modules', pkg.name)
  assert.ok(existsSync(join(prefix, 'bin', 'mesh')), 'mesh on the prefix\'s bin')
  assert.equal(realpathSync(join(prefix, 'bin', 'mesh')), join(realpathSync(installedRoot), 'bin', 'mesh.js'))
  const top = readdirSync(installedRoot).sort()
  for (const needed of ['bin', 'src', 'package.json', 'tsconfig.json', 'README.md']) assert.ok(top.includes(needed), `${needed} shipped: ${top.join(', ')}`)
  for (const left of ['test', 'bench', 'examples', 'scripts', '.ci']) assert.ok(!top.includes(left), `${left} not shipped`)
  assert.ok(existsSync(join(installedRoot, 'src', 'compute', 'device', 'device-process-entry.mjs')))
  const nodePkg = JSON.parse(readFileSync(join(installedRoot, 'node_modules', 'node', 'package.json'), 'utf8'))
  assert.equal(nodePkg.version.split('.')[0], pkg.dependencies.node.replace(/^\D*/, '').split('.')[0], 'the pinned Node is a runtime dependency')
  assert.ok(existsSync(join(installedRoot, 'node_modules', 'node', 'bin', 'node')), 'its binary was set up')
})

test('the installed `mesh --version` and `mesh gpu --json` answer', { skip }, () => {
  const version = runInstalled(['--version'])
  assert.equal(version.status, 0, version.stderr)
  assert.equal(version.stdout.trim(), pkg.version)

  const gpu = runInstalled(['gpu', '--json'])
  assert.equal(gpu.status, 0, gpu.stderr)
  const info = JSON.parse(gpu.stdout)
  assert.ok(['vulkan', 'metal', 'd3d12', 'opengles', 'cpu'].includes(info.backend), gpu.stdout)
  assert.ok(info.limits.maxStorageBufferBindingSize > 0)
  console.log(`installed mesh gpu: ${info.backend} (${info.featureLevel}) ${info.description}`)
})

test('a project published by one installed `mesh` and computed by another exports equal to the CPU reference', { skip }, async () => {
  const a = generateMatrix(64, 48, 31)
  const b = generateMatrix(48, 32, 32)
  await writeNpyMatrix(join(dir.path, 'A.npy'), a)
  await writeNpyMatrix(join(dir.path, 'B.npy'), b)
  const researcherDir = join(dir.path, 'researcher')
  const loopback = ['--listen', '/ip4/127.0.0.1/tcp/0']
  const researcher = startInstalled(['publish', '--kernel', 'matmul', '--a', join(dir.path, 'A.npy'), '--b', join(dir.path, 'B.npy'), '--rows-per-chunk', '16', '--until-done', '--json', '--data-dir', researcherDir, ...loopback])
  const volunteer = startInstalled(['volunteer', '--auto', '--until-done', '--json', '--data-dir', join(dir.path, 'volunteer'), ...loopback])
  assert.equal(await researcher.exited, 0, researcher.stderr)
  assert.equal(await volunteer.exited, 0, volunteer.stderr)

  const published = researcher.lines.find(line => line.event === 'published')
  assert.equal(published?.chunks.total, 4)
  assert.equal(researcher.lines.filter(line => line.event === 'chunk-verified').length, 4)
  assert.equal(researcher.lines.filter(line => line.event === 'done').length, 1)
  assert.ok(volunteer.lines.some(line => line.event === 'chunk-computed'), 'the volunteer computed')

  const out = join(dir.path, 'C.npy')
  const exported = runInstalled(['export', published.id, '--format', 'npy', '--out', out, '--data-dir', researcherDir])
  assert.equal(exported.status, 0, exported.stderr)
  const c = await readNpyMatrix(out)
  assert.deepEqual([c.rows, c.cols], [64, 32])
  const kernel = getKernel('matmul')
  const reference = kernel.cpuReference({ kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: a.rows }, rows: a.data, rowCols: a.cols, shared: { b } })
  const compared = kernel.compare({}, [{ name: 'a', rows: a.rows, cols: a.cols }, { name: 'b', rows: b.rows, cols: b.cols }], reference, c.data)
  assert.ok(compared.ok, JSON.stringify(compared))
  console.log(`installed mesh: export vs CPU reference, max rel error ${compared.maxRelError.toExponential(2)}`)
})
