import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { JsonLines } from '../helpers/json-lines.ts'
import { uniqueTag } from '../helpers/peers.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'

/**
 * bin/mesh.js under a system Node older than 22 re-runs itself under the
 * pinned Node 24 as a child. The child ends when the launcher does, however
 * it ends (kill -9 included), and lets go of its data dir; stop signals sent
 * to the launcher, or to the whole process group as Ctrl-C in a terminal
 * does, still stop the peer cleanly.
 */

const meshBin = fileURLToPath(new URL('../../bin/mesh.js', import.meta.url))
const systemNode = '/usr/bin/node'
const systemMajor = existsSync(systemNode)
  ? Number(spawnSync(systemNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.split('.')[0])
  : NaN
const skip = process.platform !== 'linux'
  ? `the process checks read /proc (this is ${process.platform})`
  : Number.isNaN(systemMajor)
    ? `no system Node at ${systemNode}`
    : systemMajor >= 22 ? `the system Node is ${systemMajor}, so bin/mesh.js runs the peer itself, with no child` : false

const tag = uniqueTag('launcher')
const dirs: TempDir[] = []
const procs: JsonLines[] = []
after(async () => {
  for (const proc of procs) if (proc.child.exitCode == null && proc.child.signalCode == null) proc.child.kill('SIGKILL')
  await Promise.all(procs.map(async proc => await proc.exited))
  for (const dir of dirs) await dir.remove()
})

/** `mesh serve --json` on a data dir, started by the system Node (so through the launcher). */
function serve (dataDir: string, options: { detached?: boolean } = {}): JsonLines {
  const child = spawn(systemNode, [meshBin, 'serve', '--json', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MESH_MDNS_SERVICE_TAG: tag },
    detached: options.detached === true
  })
  const proc = new JsonLines(child)
  procs.push(proc)
  return proc
}

/** The launcher's one child: the peer under the pinned Node. */
function childOf (pid: number): number {
  const children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(s => s !== '').map(Number)
  assert.equal(children.length, 1, `the launcher ${pid} has children ${children.join(', ')}`)
  const exe = readFileSync(`/proc/${children[0]}/cmdline`, 'utf8').split('\0')[0]!
  assert.match(exe, /node_modules[/\\]node[/\\]bin[/\\]node$/, 'the child runs the pinned Node')
  return children[0]!
}

/** Gone, or a zombie waiting to be reaped by whoever adopted it (it holds no files then). */
function ended (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

async function waitEnded (pid: number, withinMs: number): Promise<number> {
  const started = Date.now()
  while (!ended(pid)) {
    if (Date.now() - started > withinMs) return Infinity
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  return Date.now() - started
}

async function dataDir (): Promise<string> {
  const dir = await makeTempDir('mesh-launcher-')
  dirs.push(dir)
  return join(dir.path, 'peer')
}

test('given the launcher is killed with SIGKILL, its peer ends within a second and the data dir opens again at once', { skip }, async () => {
  const dir = await dataDir()
  const first = serve(dir)
  const started = await first.waitFor('started', line => line.event === 'started', 60_000)
  const peer = childOf(first.child.pid!)

  first.child.kill('SIGKILL')
  const endedAfter = await waitEnded(peer, 1000)
  console.log(`peer ${peer} ended ${endedAfter} ms after its launcher's SIGKILL`)
  assert.ok(endedAfter <= 1000, `the peer ${peer} still runs a second after its launcher was killed`)

  const second = serve(dir)
  const again = await second.waitFor('started', line => line.event === 'started' || line.event === 'error', 60_000)
  assert.equal(again.event, 'started', second.stderr)
  assert.equal(again.peerId, started.peerId, 'the same data dir, the same peer')
  second.child.kill('SIGTERM')
  assert.equal(await second.exited, 0, second.stderr)
})

test('given SIGTERM or SIGINT to the launcher, the peer stops cleanly and the launcher exits 0', { skip }, async () => {
  const dir = await dataDir()
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const proc = serve(dir)
    await proc.waitFor('started', line => line.event === 'started', 60_000)
    const peer = childOf(proc.child.pid!)
    proc.child.kill(signal)
    assert.equal(await proc.exited, 0, `${signal}: ${proc.stderr}`)
    assert.equal(proc.lines.at(-1)?.event, 'stopped', `${signal}: ${JSON.stringify(proc.lines)}`)
    assert.ok(await waitEnded(peer, 1000) <= 1000, `${signal}: the peer still runs`)
  }
})

test('given Ctrl-C as a terminal sends it (SIGINT to the whole process group), the peer still stops cleanly', { skip }, async () => {
  const dir = await dataDir()
  // Its own process group, as a terminal's foreground job has: the launcher and its child get the signal alike.
  const proc = serve(dir, { detached: true })
  await proc.waitFor('started', line => line.event === 'started', 60_000)
  const peer = childOf(proc.child.pid!)
  process.kill(-proc.child.pid!, 'SIGINT')
  assert.equal(await proc.exited, 0, proc.stderr)
  assert.equal(proc.lines.at(-1)?.event, 'stopped', 'the copy the launcher passed on did not cut the clean stop short')
  assert.ok(await waitEnded(peer, 1000) <= 1000)
})

test('given a short command through the launcher, the channel to the child keeps nothing waiting', { skip }, async () => {
  const started = Date.now()
  const result = spawnSync(systemNode, [meshBin, '--version'], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout.trim(), /^\d+\.\d+\.\d+/)
  console.log(`mesh --version through the launcher: ${Date.now() - started} ms`)
})
