#!/usr/bin/env node
// Launcher for the `mesh` command. The project needs Node >= 22 (libp2p 3,
// Ink 8); when started by an older system Node, re-run under the Node
// binary pinned by the `node` package, wherever npm put it: in this clone's
// node_modules, nested in a global install, or beside this package (npx).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const major = Number(process.versions.node.split('.')[0])
/** Set in the child's environment by the launcher: the child then ends when the launcher does. */
const LAUNCHER_ENV = 'MESH_LAUNCHER'
/** How long a child whose launcher died gets to stop cleanly before it exits anyway. */
const ORPHAN_GRACE_MS = 700
/** A stop signal repeated within this time is the launcher's copy of one the child got itself. */
const DUPLICATE_MS = 500

/** The pinned Node binary: the `node` package this package resolves to (Node >= 22), else the clone's own. */
function pinnedNode () {
  const candidates = []
  try {
    const manifest = createRequire(import.meta.url).resolve('node/package.json')
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'))
    // On Windows the package's set-up rewrites its bin to bin/node.exe.
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.node
    if (Number(String(pkg.version).split('.')[0]) >= 22 && typeof bin === 'string') candidates.push(join(dirname(manifest), bin))
  } catch {}
  candidates.push(join(root, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node'))
  return candidates.find(path => existsSync(path))
}

if (major < 22) {
  const pinned = pinnedNode()
  if (pinned == null) {
    process.stderr.write(`mesh: Node >= 22 is required (found ${process.version}) and the pinned runtime (npm package \`node\`) is not installed beside ${root}: ` +
      'in a clone, run `npm ci` there; an installed package needs its install scripts allowed (npm install -g --allow-scripts=node,webgpu,classic-level,esbuild ...)\n')
    process.exit(2)
  }
  // The IPC channel is how the child knows this launcher is alive: it closes
  // when this process ends, however it ends (kill -9 included), on every platform.
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [LAUNCHER_ENV]: '1' }
  })
  // Pass stop signals on, so `kill -INT` stops the peer as Ctrl-C does. (On
  // Windows the console sends Ctrl-C and its closing to the child itself, and
  // a kill there is no signal but the end: the launcher just waits.)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => { if (process.platform !== 'win32') child.kill(signal) })
  }
  child.on('error', (err) => {
    process.stderr.write(`mesh: could not start the pinned Node runtime ${pinned}: ${err.message}\n`)
    process.exit(2)
  })
  child.on('exit', (code, signal) => process.exit(code ?? (signal != null ? 1 : 0)))
} else {
  if (process.env[LAUNCHER_ENV] === '1' && process.channel != null) {
    watchLauncher()
    dropForwardedDuplicates()
  }
  const { register } = await import('tsx/esm/api')
  // The project's tsconfig (JSX runtime and all), wherever `mesh` is started from.
  register({ tsconfig: join(root, 'tsconfig.json') })
  const { main } = await import('../src/cli.ts')
  await main(process.argv.slice(2))
}

/**
 * In the launcher's child: when the launcher is gone, stop as on SIGTERM (the
 * peer closes its store, so its data dir opens again at once), and exit
 * shortly after in any case. The channel itself keeps nothing alive.
 */
function watchLauncher () {
  delete process.env[LAUNCHER_ENV]
  process.on('disconnect', () => {
    setTimeout(() => { process.exit(1) }, ORPHAN_GRACE_MS).unref()
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM')
    else process.exit(1)
  })
  process.channel.unref()
}

/**
 * In the launcher's child: Ctrl-C in a terminal reaches both the launcher
 * and its child, and the launcher passes it on, so the child gets it twice
 * at once. The second would end it by the default action before it stopped
 * cleanly (the CLI takes a first SIGINT/SIGTERM as "stop" and a later one as
 * "quit now"): drop a repeat within DUPLICATE_MS; a later repeat still quits.
 */
function dropForwardedDuplicates () {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    let last
    const onSignal = () => {
      const now = Date.now()
      const repeat = last != null
      const duplicate = repeat && now - last < DUPLICATE_MS
      last = now
      if (duplicate || (!repeat && process.listenerCount(signal) > 1)) return
      // A real repeat, or nobody else listens: the default action, as without the launcher.
      process.removeListener(signal, onSignal)
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    }
    process.on(signal, onSignal)
  }
}
