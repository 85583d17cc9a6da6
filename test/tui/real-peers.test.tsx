import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { App } from '../../src/tui/app.tsx'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import { uniqueTag, waitFor } from '../helpers/peers.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'
import { startAliceBobCarol, type UiPeer } from './support/real-peers.ts'
import { keys, renderSized, waitForFrame, type SizedRender } from './support/render-sized.ts'

/**
 * Each screen against real peers on loopback (MeshNodes with the real
 * coordinator, volunteer loop, work and blob protocols, and Mesa's WebGPU),
 * seen through the port `mesh` gives its UI: a researcher publishes, a slow
 * volunteer computes some chunks and leaves, another volunteer finishes.
 */

interface Screen {
  readonly ui: SizedRender
  /** The latest frame once it shows `text` (or satisfies it). */
  see: (text: string | RegExp | ((frame: string) => boolean), timeoutMs?: number) => Promise<string>
  press: (...inputs: string[]) => Promise<void>
}

function show (peer: UiPeer): Screen {
  const ui = renderSized(<App port={peer.port} color={false} />, 80, 24)
  return {
    ui,
    see: async (text, timeoutMs = 20_000) =>
      await waitForFrame(ui.lastFrame, f => typeof text === 'string' ? f.includes(text) : typeof text === 'function' ? text(f) : text.test(f), timeoutMs),
    press: async (...inputs) => {
      for (const input of inputs) {
        ui.press(input)
        await new Promise(resolve => setTimeout(resolve, 30))
      }
    }
  }
}

/** "7/16 chunks" on the dashboard, as numbers. */
function chunksShown (frame: string): [number, number] | undefined {
  const match = /(\d+)\/(\d+) chunks/.exec(frame)
  return match == null ? undefined : [Number(match[1]), Number(match[2])]
}

let device: ComputeDevice
const peers: UiPeer[] = []
const screens: Screen[] = []
const dirs: TempDir[] = []

before(async () => {
  device = await openComputeDevice()
})

after(async () => {
  for (const screen of screens) screen.ui.unmount()
  await Promise.all(peers.map(async peer => {
    await peer.port.stop().catch(() => {})
    await peer.dir.remove().catch(() => {})
  }))
  await device?.destroy()
  for (const dir of dirs) await dir.remove()
})

test('the screens follow a real project: announced, chunks verified, a volunteer leaving, done', async () => {
  const tag = uniqueTag('tui-real')
  // Bob is slow, so he is still at work when he leaves.
  const { alice, bob, carol } = await startAliceBobCarol(tag, device, peers, { bob: { chunkDelayMs: 300 } })
  const researcher = show(alice)
  const bobScreen = show(bob)
  screens.push(researcher, bobScreen)

  // Announced: the researcher's home lists it as its own; a volunteer's home lists it with its owner.
  const project = await alice.port.publish({ kernel: 'matmul', name: 'tui-real', inputs: { from: 'shape', m: 128, k: 64, n: 48 }, rowsPerChunk: 8, spotCheck: 0 })
  let frame = await researcher.see(/tui-real\s+you\s+matmul/)
  assert.match(frame, new RegExp(`alice \\S{8}\\s+${alice.port.device.backend}`), `home names this peer and its device:\n${frame}`)
  frame = await bobScreen.see(/tui-real\s+alice\s+matmul 128x64 · 64x48/)
  assert.match(frame, /0%\s+0 running/)
  await researcher.see(/bob\s+\S{8}\s+connected/)

  // The researcher opens the dashboard; bob joins with enter, from his home screen.
  await researcher.press(keys.enter)
  frame = await researcher.see('0/16 chunks')
  assert.match(frame, /Volunteers \(0 active\)/)
  await bobScreen.press(keys.enter)
  frame = await bobScreen.see('[3 Volunteer]')
  await bobScreen.see(/computing chunk \d+|fetching/)

  // While chunks are verified: part done, bob active on the dashboard, his credits growing.
  await waitFor('three chunks verified', async () => ((await alice.port.projectStats(project.id))?.verification.verified ?? 0) >= 3)
  frame = await researcher.see(f => { const shown = chunksShown(f); return shown != null && shown[0] >= 3 })
  const [done, total] = chunksShown(frame)!
  assert.ok(done < total, `bob alone should not have finished yet:\n${frame}`)
  assert.match(frame, /bob\s+\S{8}\s+\d+\s+\d+\s+[\d.]+ [kMG]?FLOPS active/)
  assert.match(frame, /Speed-up {4}1 volunteer, \d+\.\dx/)
  frame = await bobScreen.see(/[1-9]\d* receipts? · [1-9]\d* chunks? computed/)
  assert.match(frame, /tui-real \S+ by alice · matmul/)

  // Bob leaves (his peer stops): the dashboard marks him lost and keeps his verified chunks.
  bobScreen.ui.unmount()
  await bob.port.stop()
  frame = await researcher.see(/bob\s+\S{8}\s+\d+\s+\d+\s+.*lost/)
  const [doneByBob] = chunksShown(frame)!
  assert.ok(doneByBob >= 3 && doneByBob < 16, `after bob left:\n${frame}`)
  assert.match(frame, /Volunteers \(0 active\)/)

  // Carol joins (from her UI) and finishes the rest.
  const carolScreen = show(carol)
  screens.push(carolScreen)
  await carolScreen.see(/tui-real\s+alice/)
  await carolScreen.press(keys.enter)
  await carolScreen.see('contributing to tui-real')
  await researcher.see('16/16 chunks', 60_000)
  frame = await researcher.see(/tui-real \S+\s+matmul 128x64 · 64x48\s+done/)
  // Nobody is working on a finished project.
  frame = await researcher.see(/carol\s+\S{8}\s+\d+\s+0\s+.*idle/)
  assert.match(frame, /Volunteers \(0 active\)/)
  assert.match(frame, /100%/)
  assert.match(frame, /Speed-up {4}2 volunteers, \d+\.\dx/)
  assert.match(frame, /carol\s+\S{8}\s+\d+/)
  const verifiedByCarol = 16 - doneByBob
  assert.ok(verifiedByCarol > 0)

  // After completion: carol's view says so; the researcher's leaderboard, history and health have it.
  frame = await carolScreen.see(/tui-real.*\n.*16\/16 chunks/)
  await researcher.press(keys.escape, '4')
  frame = await researcher.see(/carol/)
  frame = await researcher.see(/bob/)
  const leaders = frame.split('\n').filter(line => /^\s*[12] ★/.test(line))
  assert.equal(leaders.length, 2, `two volunteers ranked:\n${frame}`)
  assert.match(frame, /★ gold/)
  assert.match(frame, /★ silver/)
  const chunksOf = (name: string): number => Number(/FLOP\s+(\d+)\s/.exec(leaders.find(l => l.includes(name)) ?? '')?.[1] ?? NaN)
  assert.equal(chunksOf('bob') + chunksOf('carol'), 16, `leaderboard chunks add up to the project's:\n${frame}`)
  await researcher.press('6')
  frame = await researcher.see(/tui-real\s+128x64 · 64x48\s+2\s/)
  assert.match(frame, /done/)
  await researcher.press('5')
  frame = await researcher.see(/Chunks queued 0\s+in flight 0\s+done 16/)
})

test('custom WGSL with real peers: the form reports a real compile error, volunteers read the source before joining, the export is right', async () => {
  const tag = uniqueTag('tui-map')
  const files = await makeTempDir('mesh-tui-map-')
  dirs.push(files)
  const rows = Array.from({ length: 40 }, (_, i) => [i * 0.25 - 3, 7 - i * 0.5])
  await writeFile(join(files.path, 'rows.csv'), ['x,y', ...rows.map(r => r.join(','))].join('\n') + '\n')
  await writeFile(join(files.path, 'bad.wgsl'), 'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {\n  return rows;\n}\n')
  await writeFile(join(files.path, 'norm.wgsl'), [
    '// Euclidean norm of each (x, y) row.',
    'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS> {',
    '  var out: array<f32, OUT_COLS>;',
    '  out[0] = sqrt(row[0] * row[0] + row[1] * row[1]);',
    '  return out;',
    '}'
  ].join('\n'))
  const { alice, bob, carol } = await startAliceBobCarol(tag, device, peers)
  const researcher = show(alice)
  screens.push(researcher)

  // The form, keys only: map kernel, a WGSL file that does not compile, the dataset, 10 rows per chunk.
  const edit = async (text: string): Promise<void> => { await researcher.press(keys.enter, keys.ctrlU, text, keys.enter) }
  await researcher.press('2')
  await researcher.see('Publish a project')
  await edit('norms')
  await researcher.press(keys.down, keys.right, keys.down)
  await researcher.see(/› WGSL file/)
  await edit(join(files.path, 'bad.wgsl'))
  await researcher.press(keys.down)
  await edit(join(files.path, 'rows.csv'))
  await researcher.press(keys.down, keys.down)
  await edit('10')
  let frame = await researcher.see(/Redundancy\s+\(default 1\)/)
  assert.match(frame, /Spot-check\s+\(default: matmul 0\.05, map and wgsl 0\.1\)/)
  // Two volunteers' copies must agree (map's default is one copy, spot-checked here).
  await researcher.press(keys.down)
  await edit('2')
  await researcher.press(keys.down, keys.down, keys.enter)
  // Compiled on this peer's device before anything is announced: the line is the researcher's own.
  frame = await researcher.see(/✗ WGSL error at line 2/)
  assert.match(frame, /not published: one problem to fix/)
  assert.equal(alice.port.projects().length, 0)
  await researcher.press(...Array<string>(6).fill(keys.up))
  await researcher.see(/› WGSL file/)
  await edit(join(files.path, 'norm.wgsl'))
  await researcher.press(...Array<string>(6).fill(keys.down), keys.enter)
  frame = await researcher.see(/norms \S+\s+map 40 rows -> 1 cols\s+running\s+redundancy 2/)
  assert.match(frame, /0\/4 chunks/)

  // Carol reads the source before joining; her preferences forbid custom WGSL until she allows it there.
  const volunteer = show(carol)
  screens.push(volunteer)
  frame = await volunteer.see(/norms\s+alice\s+map\*/)
  assert.match(frame, /\* runs the researcher's own WGSL/)
  await volunteer.press(keys.enter)
  frame = await volunteer.see('norms by alice runs its own WGSL on your GPU')
  assert.match(frame, /4 {3}out\[0\] = sqrt\(row\[0\] \* row\[0\] \+ row\[1\] \* row\[1\]\);/)
  assert.match(frame, /built-in kernels only: w allows custom WGSL, y joins\./)
  await volunteer.press('w')
  await volunteer.see(/^y accept and join/m)
  await volunteer.press('y')
  await volunteer.see('contributing to norms')
  assert.equal((await carol.port.prefs()).acceptCustomWgsl, true)

  // Redundancy 2: a second volunteer's results must agree before a chunk counts.
  await bob.port.setPrefs({ acceptCustomWgsl: true })
  await bob.port.join(alice.port.projects()[0].id, { acceptCustomWgsl: true })
  frame = await researcher.see('4/4 chunks', 60_000)
  frame = await researcher.see(/norms \S+\s+map 40 rows -> 1 cols\s+done/)
  assert.match(frame, /chunk \d verified \((carol \+ bob|bob \+ carol)\)/)
  await volunteer.see('finished: the project is done')

  // Export from the dashboard to a path typed over the default one.
  const out = join(files.path, 'norms.npy')
  await researcher.press('x')
  await researcher.see('path norms.npy')
  await researcher.press(...Array<string>('norms.npy'.length).fill(keys.backspace), out, keys.enter)
  await researcher.see(`exported norms to ${out}`)
  // Both agreeing volunteers earned a receipt for every chunk.
  await researcher.press(keys.escape, '4')
  frame = await researcher.see(/bob.*\n.*carol|carol.*\n.*bob/)
  for (const name of ['bob', 'carol']) assert.match(frame, new RegExp(`${name}\\s+\\S{8}\\s+[\\d.]+ [kMG]?FLOP\\s+4\\s`), frame)
  const result = await readNpyMatrix(out)
  assert.deepEqual([result.rows, result.cols], [40, 1])
  for (const [i, [x, y]] of rows.entries()) {
    assert.ok(Math.abs(result.data[i] - Math.hypot(x, y)) <= 1e-5 * Math.max(1, Math.hypot(x, y)), `row ${i}: ${result.data[i]} vs ${Math.hypot(x, y)}`)
  }
})
