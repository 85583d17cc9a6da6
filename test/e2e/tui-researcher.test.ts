import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { meshBin } from '../helpers/run-mesh.ts'
import { TmuxSession } from '../helpers/tmux.ts'
import { CliMesh, compareWithReference, events } from './helpers/cli-peers.ts'

/**
 * The researcher's side in a real terminal (tmux, 80x24): the publish form,
 * filled in with keys only, publishes a matmul of two .npy files; a headless
 * `mesh volunteer --auto` computes it; the dashboard follows it to done and
 * exports it with keys; the file equals A x B by the CPU reference.
 */
test('mesh in tmux publishes a project from its form, a headless volunteer completes it, and it exports from the dashboard', async () => {
  const mesh = await CliMesh.create('tui-researcher')
  let tmux: TmuxSession | undefined
  try {
    const a = generateMatrix(72, 40, 11)
    const b = generateMatrix(40, 24, 12)
    await writeNpyMatrix(join(mesh.dir.path, 'A.npy'), a)
    await writeNpyMatrix(join(mesh.dir.path, 'B.npy'), b)
    const volunteer = mesh.start('volunteer', ['volunteer', '--auto', '--until-done', '--json'])
    tmux = await TmuxSession.start([process.execPath, meshBin, '--data-dir', mesh.dataDir('researcher'), '--listen', '/ip4/127.0.0.1/tcp/0', '--name', 'res-ui'],
      { cwd: mesh.dir.path, env: { MESH_MDNS_SERVICE_TAG: mesh.tag } })
    await tmux.waitForText('res-ui', 60_000)

    // The form: name, kernel (matmul), inputs from files, A, B, rows per chunk; then the button.
    await tmux.sendKeys('2')
    await tmux.waitForText('Publish a project')
    await tmux.sendKeys('Enter', 'C-u')
    await tmux.type('tmux-pub')
    await tmux.sendKeys('Enter', 'Down', 'Down', 'Right', 'Right')
    await tmux.waitForText(/Inputs\s+.*files/)
    await tmux.sendKeys('Down', 'Enter')
    await tmux.type('A.npy')
    await tmux.sendKeys('Enter', 'Down', 'Enter')
    await tmux.type('B.npy')
    await tmux.sendKeys('Enter', 'Down', 'Enter')
    await tmux.type('8')
    await tmux.sendKeys('Enter', 'Down', 'Down', 'Down')
    let screen = await tmux.waitForText(/› \[ Publish \]/)
    await tmux.sendKeys('Enter')

    // Published: the dashboard opens and follows the volunteer's work to the end.
    screen = await tmux.waitForText(/tmux-pub \S+\s+matmul 72x40 · 40x24/, 60_000)
    screen = await tmux.waitForText('9/9 chunks', 60_000)
    screen = await tmux.waitForText(/matmul 72x40 · 40x24\s+done/, 30_000)
    assert.match(screen, /1 volunteer, \d+\.\dx/)
    assert.equal(await volunteer.exited, 0, volunteer.stderr)
    assert.equal(events(volunteer, 'chunk-computed').length >= 9, true, JSON.stringify(volunteer.lines.slice(-3)))

    // x opens the export line with a default path; enter writes it (relative to where mesh started).
    await tmux.sendKeys('x')
    await tmux.waitForText(/Export format ‹npy›\s+path tmux-pub\.npy/)
    await tmux.sendKeys('Enter')
    screen = await tmux.waitForText('exported tmux-pub', 30_000)
    const c = await readNpyMatrix(join(mesh.dir.path, 'tmux-pub.npy'))
    const compared = compareWithReference(a, b, c)
    assert.ok(compared.ok, `export differs from A x B: max relative error ${compared.maxRelError}`)

    await tmux.sendKeys('q')
    assert.equal(await tmux.waitForExit(30_000), 0, await tmux.capture({ scrollback: true }))
  } finally {
    await tmux?.kill()
    await mesh.cleanup()
  }
})
