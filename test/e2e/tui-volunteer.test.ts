import { test } from 'node:test'
import assert from 'node:assert/strict'
import { JsonLines } from '../helpers/json-lines.ts'
import { uniqueTag } from '../helpers/peers.ts'
import { meshBin, spawnMesh } from '../helpers/run-mesh.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import { TmuxSession } from '../helpers/tmux.ts'
import { MDNS_TAG_ENV } from '../../src/cli/node-options.ts'

async function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`timed out after ${ms} ms waiting for ${what}`)) }, ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * `mesh` in a real terminal (tmux, 80x24) next to a headless researcher:
 * the UI sees the project, joins it with keys only, follows it to 100%,
 * and q quits cleanly. Both sides are the real CLI, on loopback.
 */
test('mesh in tmux joins a headless researcher\'s project with keys and follows it to the end', async () => {
  const env = { [MDNS_TAG_ENV]: uniqueTag('tui-volunteer') }
  const researcherDir = await makeTempDir('mesh-tui-res-')
  const volunteerDir = await makeTempDir('mesh-tui-vol-')
  const researcher = new JsonLines(spawnMesh([
    'publish', '--kernel', 'matmul', '--shape', '96x64x48', '--rows-per-chunk', '8', '--name', 'tmux-e2e', '--until-done', '--json',
    '--data-dir', researcherDir.path, '--listen', '/ip4/127.0.0.1/tcp/0'
  ], env))
  let tmux: TmuxSession | undefined
  try {
    const published = await researcher.waitFor('published', line => line.event === 'published', 60_000)
    assert.equal(published.chunks.total, 12)
    tmux = await TmuxSession.start([process.execPath, meshBin, '--data-dir', volunteerDir.path, '--listen', '/ip4/127.0.0.1/tcp/0', '--name', 'vol-ui'], { env })

    // Home lists the project with its owner; enter joins it and opens the Volunteer screen.
    let screen = await tmux.waitForText(/tmux-e2e\s+\S+\s+matmul/, 60_000)
    assert.match(screen, /vol-ui \S{8}/)
    await tmux.sendKeys('Enter')
    await tmux.waitForText('Contributing')
    screen = await tmux.waitForText('12/12 chunks', 60_000)
    assert.match(screen, /tmux-e2e \S+ by \S+ · matmul 96x64 · 64x48/)
    assert.match(screen, /█{10,}/, `the progress bar is full:\n${screen}`)
    screen = await tmux.waitForText('finished: the project is done', 30_000)
    assert.match(screen, /[1-9]\d* receipts? · [1-9]\d* chunks? computed/)

    // The researcher, headless, saw the project through and exits 0.
    assert.equal(await within(researcher.exited, 30_000, 'the researcher to exit'), 0, researcher.stderr)
    assert.ok(researcher.lines.some(line => line.event === 'done'), JSON.stringify(researcher.lines.slice(-5)))

    await tmux.sendKeys('q')
    assert.equal(await tmux.waitForExit(30_000), 0, await tmux.capture({ scrollback: true }))
  } finally {
    await tmux?.kill()
    researcher.child.kill('SIGKILL')
    await researcher.exited
    await researcherDir.remove()
    await volunteerDir.remove()
  }
})
