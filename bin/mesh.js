#!/usr/bin/env node
// Launcher for the `mesh` command. The project needs Node >= 22 (libp2p 3,
// Ink 8); when started by an older system Node, re-run under the Node
// binary pinned in node_modules so `./bin/mesh.js` works anywhere.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const pinned = join(root, 'node_modules', 'node', 'bin', 'node')
  if (!existsSync(pinned)) {
    process.stderr.write(`mesh: Node >= 22 is required (found ${process.version}); run \`npm ci\` in ${root} to install the pinned runtime\n`)
    process.exit(2)
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  // Pass stop signals on, so `kill -INT` stops the peer as Ctrl-C does.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal != null ? 1 : 0)))
} else {
  const { register } = await import('tsx/esm/api')
  // The project's tsconfig (JSX runtime and all), wherever `mesh` is started from.
  register({ tsconfig: join(root, 'tsconfig.json') })
  const { main } = await import('../src/cli.ts')
  await main(process.argv.slice(2))
}
