import { test } from 'node:test'
import assert from 'node:assert/strict'
import { computeProjectStats, type ChunkRecord } from '../../src/node/metrics.ts'
import type { ChunkState, HistoryEntry, PeerSummary, ProjectSummary } from '../../src/node/types.ts'
import { NOW, bobProject, mapProject, ownProject, ownRecords, project, sampleHistory, sampleLeaderboard, type FixtureState } from './support/fixture-port.ts'
import { keys, waitForFrame, waitUntil } from './support/render-sized.ts'
import { startApp, type Running } from './support/running-app.tsx'

const start = startApp

async function withApp (state: Partial<FixtureState>, body: (app: Running) => Promise<void>, columns?: number, rows?: number): Promise<void> {
  const app = await start(state, columns, rows)
  try {
    await body(app)
  } finally {
    app.ui.unmount()
  }
}

test('number keys, tab and esc move between the screens, each showing its keys', async () => {
  await withApp({}, async ({ press, see }) => {
    const screens: Array<[string, string, string]> = [
      ['2', '[2 Publish]', 'enter edit/publish'],
      ['3', '[3 Volunteer]', 's snooze 30m'],
      ['4', '[4 Leaders]', 'Top volunteers by verified work'],
      ['5', '[5 Health]', 'Response time'],
      ['6', '[6 History]', 'r replay'],
      ['1', '[1 Home]', 'enter open/join']
    ]
    for (const [key, tab, content] of screens) {
      await press(key)
      const frame = await see(tab)
      assert.ok(frame.includes(content), `${tab} lacks "${content}":\n${frame}`)
      assert.match(frame.split('\n').at(-1) ?? '', /q quit/)
    }
    await press(keys.tab, keys.tab)
    await see('[3 Volunteer]')
    await press(keys.escape)
    await see('[1 Home]')
  })
})

test('enter on an own project opens its dashboard; x exports it in the chosen format', async () => {
  await withApp({}, async ({ port, ui, press, see }) => {
    await press(keys.enter)
    await see('Speed-up    2 volunteers, 1.5x')
    // The export line takes every key: esc closes it (and stays), q and digits are path text.
    await press('x')
    await see('Export format ‹npy›')
    await press(keys.escape)
    assert.match(await waitForFrame(ui.lastFrame, f => !f.includes('Export format')), /Speed-up/)
    await press('x', 'q', '2')
    await see('path mm-own.npyq2')
    await press(keys.backspace, keys.backspace)
    await see('Export format ‹npy›  path mm-own.npy')
    await press(keys.right, keys.backspace, keys.backspace, keys.backspace, 't', 'x', 't')
    await see('path mm-own.txt')
    await press(keys.enter)
    await see('exported mm-own to mm-own.txt')
    assert.deepEqual(port.called('exportProject').map(c => c.args), [[ownProject.id, 'csv', 'mm-own.txt']])
    await press(keys.escape)
    await see('[1 Home]')
  })
})

test('joining: a built-in project at once, a custom-WGSL one only after its source is accepted', async () => {
  await withApp({}, async ({ port, press, see }) => {
    await press(keys.down, keys.enter)
    await see('computing chunk 3')
    await see('[3 Volunteer]')
    assert.deepEqual(port.called('join').map(c => c.args), [[bobProject.id, { acceptCustomWgsl: false }]])
    await press('1', keys.down, keys.down, keys.enter)
    await see('norms by carol runs its own WGSL on your GPU')
    await see('3   out[0] = sqrt(row[0] * row[0] + row[1] * row[1]);')
    await press('n')
    await see('[1 Home]')
    assert.equal(port.called('join').length, 1)
    await press(keys.enter)
    await see('runs its own WGSL')
    await press('y')
    await see('contributing to norms')
    assert.deepEqual(port.called('join').at(-1)?.args, [mapProject.id, { acceptCustomWgsl: true }])
  })
})

test('custom WGSL switched off in the preferences: y is refused, w allows it on the prompt, then y joins', async () => {
  await withApp({ prefs: { paused: false, maxDutyCycle: 1, acceptCustomWgsl: false } }, async ({ port, press, see }) => {
    await press(keys.down, keys.down, keys.enter)
    let frame = await see('allow built-in kernels only')
    assert.match(frame.split('\n').at(-1) ?? '', /^w allow custom WGSL  n\/esc decline/)
    await press('y')
    await see('custom WGSL is off in your preferences: w allows it, then y joins')
    assert.equal(port.called('join').length, 0)
    await press('w')
    frame = await see('y accepts this one and joins')
    assert.deepEqual(port.called('setPrefs').at(-1)?.args, [{ acceptCustomWgsl: true }])
    frame = await see(/^y accept and join/m)
    await press('y')
    await see('contributing to norms')
    assert.deepEqual(port.called('join').at(-1)?.args, [mapProject.id, { acceptCustomWgsl: true }])
  })
})

test('volunteer keys: pause and resume, duty cycle, custom WGSL, snooze, when, stop', async () => {
  await withApp({}, async ({ port, press, see }) => {
    await press(keys.down, keys.enter)
    await see('computing chunk 3')
    await press(' ')
    await see('Paused      yes')
    await see(/^space resume/m)
    await press(' ')
    await see('Paused      no')
    await press('d')
    await see('GPU busy at most 75% of the time')
    await press('c')
    await see('off: built-in kernels only')
    // The fixture goes on computing: a real volunteer hands the chunk back within seconds.
    await press('s')
    await see('State       computing chunk 3 (pausing: snoozed for 30 min)')
    await see(/s end snooze/)
    await press('s')
    await see('snooze off: computing')
    await press('w')
    await see('When        always')
    await press('x')
    await see('stopped contributing')
    await see('not contributing')
    assert.deepEqual(port.calls.map(c => c.method), ['join', 'pause', 'resume', 'setPrefs', 'setPrefs', 'updatePolicy', 'updatePolicy', 'updatePolicy', 'leave'])
    assert.deepEqual(port.called('setPrefs').map(c => c.args[0]), [{ maxDutyCycle: 0.75 }, { acceptCustomWgsl: false }])
    assert.deepEqual(port.called('updatePolicy').slice(1).map(c => c.args[0]), [{ snoozeUntil: undefined }, { when: 'always' }])
  })
})

test('publish: field errors inline, then the peer\'s problems, then the new project\'s dashboard', async () => {
  await withApp({ publishProblems: ['big.npy: no such file'] }, async ({ port, press, see }) => {
    await press('2', keys.down, keys.down, keys.down)
    await see('› Size N')
    await press(keys.enter, keys.ctrlU, 'a', 'b', keys.enter)
    await see(/Size N\s+ab/)
    await press(...Array.from({ length: 6 }, () => keys.down), keys.enter)
    await see('size must be a positive whole number')
    assert.equal(port.called('validatePublish').length, 0)
    await see('› Size N')
    // While a field is edited, q and digits are text, not shortcuts.
    await press(keys.enter, keys.ctrlU, '6', '4', 'q', keys.backspace, keys.enter)
    await see(/Size N\s+64$/m)
    await press(keys.up, keys.up, keys.up, keys.enter, keys.ctrlU, 'g', 'e', 'm', 'm', keys.enter)
    await press(...Array.from({ length: 8 }, () => keys.down), keys.enter)
    await see('✗ big.npy: no such file')
    await see('not published: one problem to fix')
    assert.equal(port.called('publish').length, 0)
    port.state.publishProblems = []
    await press(keys.enter)
    await see('published gemm (16 chunks): announced to the mesh')
    await see('[1 Home]')
    assert.deepEqual(port.called('publish')[0].args[0], {
      name: 'gemm', rowsPerChunk: undefined, redundancy: undefined, spotCheck: undefined, kernel: 'matmul', inputs: { from: 'size', size: 64, seed: 1 }
    })
  })
})

test('publish a wgsl project: its fields typed in, bad shared syntax marked inline, the trial\'s notes on the dashboard', async () => {
  const notes = ['trial: 4,096 items in 21 ms on llvmpipe (Mesa); 20,000 items per chunk (about 0.1 s here), 1 chunks']
  await withApp({ publishNotes: notes }, async ({ port, press, see }) => {
    const edit = async (text: string): Promise<void> => { await press(keys.enter, keys.ctrlU, text, keys.enter) }
    await press('2', keys.down, keys.right, keys.right)
    let frame = await see('‹ wgsl ›')
    for (const label of ['WGSL file', 'Items from', 'Items', 'Output cols', 'Shared inputs', 'Params', 'Seed', 'Output', 'Flops per item', 'Secs per chunk', 'Redundancy']) {
      assert.match(frame, new RegExp(`^  ${label} `, 'm'), `${label} shown:\n${frame}`)
    }
    assert.doesNotMatch(frame, /Rows per chunk|Size N/)
    assert.match(frame, /Items from\s+‹ count ›/)
    await press(keys.down)
    await edit('/tmp/pi.wgsl')
    await press(keys.down, keys.down)
    await edit('20000')
    await press(keys.down)
    await edit('2')
    await press(keys.down)
    await edit('table')
    await press(keys.down)
    await edit('samples:u32=100, scale=0.5')
    await press(keys.down, keys.down, keys.right)
    await see(/Output\s+‹ reduce sum ›/)
    await press(keys.down)
    await edit('12')
    await press(...Array.from({ length: 6 }, () => keys.down), keys.enter)
    frame = await see(/› Shared inputs\s+table\s+expects NAME=FILE, NAME=FILE \(got 'table'\)/)
    assert.equal(port.called('validatePublish').length, 0)
    await edit('table=/tmp/t.csv')
    await press(...Array.from({ length: 10 }, () => keys.down), keys.enter)
    await see('published demo (16 chunks): announced to the mesh')
    frame = await see(/Published\s+trial: 4,096 items in 21 ms/)
    assert.deepEqual(port.called('publish')[0].args[0], {
      name: 'demo', redundancy: undefined, spotCheck: undefined, kernel: 'wgsl', wgslPath: '/tmp/pi.wgsl', items: 20000, outCols: 2,
      shared: [{ name: 'table', path: '/tmp/t.csv' }],
      params: [{ name: 'samples', type: 'u32', value: 100 }, { name: 'scale', type: 'f32', value: 0.5 }],
      seed: '1', reduce: 'sum', flopsPerItem: 12
    })
  }, 100, 30)
})

test('keys that arrive together reach the screen they were typed at', async () => {
  await withApp({}, async ({ port, ui, see }) => {
    // One read from the terminal: open Health, go Home, move down, join.
    ui.press('5')
    await see('[5 Health]')
    ui.press('1' + keys.down + keys.enter)
    await see('computing chunk 3')
    assert.deepEqual(port.called('join').map(c => c.args[0]), [bobProject.id])
    // Publish, edit the name (q and 1 are text there), then the size.
    ui.press('2' + keys.enter + keys.ctrlU + 'q1' + keys.enter + keys.down + keys.down + keys.down + keys.enter + keys.ctrlU + '77' + keys.enter)
    const frame = await see(/Size N\s+77$/m)
    assert.match(frame, /Name\s+q1$/m)
  })
})

test('history: r publishes the selected past project again', async () => {
  await withApp({}, async ({ port, press, see }) => {
    await press('6')
    await see('old-run')
    await press('r')
    await see(/published old-run again as proj-new-/)
    assert.deepEqual(port.called('replay').map(c => c.args), [['proj-old-000009']])
  })
})

test('q quits: it releases this peer\'s leases first, and the app exits', async () => {
  const { port, ui, press, see } = await start()
  await press(keys.down, keys.enter)
  await see('computing chunk 3')
  await press('q')
  await ui.instance.waitUntilExit()
  assert.equal(port.calls.at(-1)?.method, 'leave')
})

test('ctrl+c quits too, without leaving when not contributing', async () => {
  const { port, ui, press } = await start()
  await press(keys.ctrlC)
  await ui.instance.waitUntilExit()
  assert.equal(port.called('leave').length, 0)
})

function crowdedState (): Partial<FixtureState> {
  const manyPeers: PeerSummary[] = Array.from({ length: 20 }, (_, i) => ({
    id: `12D3KooWPeer${String(i).padStart(40, 'x')}`, name: `peer-with-a-long-name-${i}`, addresses: [`/ip4/10.0.0.${i}/tcp/4001`], connected: i % 3 !== 0, lastSeen: NOW - i * 1000, rttMs: i
  }))
  const manyProjects: ProjectSummary[] = [ownProject, ...Array.from({ length: 30 }, (_, i) =>
    project({ id: `proj-${i}`, name: `a-project-with-a-very-long-name-number-${i}`, dims: '16384x16384 · 16384x16384', chunks: { done: i, total: 30 } }))]
  const records = ownRecords()
  const states: ChunkState[] = ['verified', 'verifying', 'leased', 'queued', 'failed']
  const chunks: ChunkRecord[] = Array.from({ length: 400 }, (_, index) => ({
    index, state: states[index % 5], attempts: 1, leasedAt: NOW - 30_000, verifiedAt: index % 5 === 0 ? NOW - index * 50 : undefined,
    volunteer: `12D3KooWVol${index % 15}`, computeMs: 800, transferMs: 100, bytesMoved: 1e6, flops: 1e10
  }))
  const crowdedStats = computeProjectStats({
    ...records,
    chunks,
    volunteers: Array.from({ length: 15 }, (_, i) => ({ peer: `12D3KooWVol${i}`, name: `volunteer-number-${i}`, status: 'active' as const })),
    timeline: Array.from({ length: 40 }, (_, i) => ({ at: NOW - 40_000 + i * 1000, kind: i % 7 === 0 ? 'requeued' as const : 'verified' as const, text: `chunk ${i} event with a long explanation that goes on and on past the edge of the screen` })),
    failure: 'chunk 3 failed on 5 volunteers in a row, so the project stopped'
  }, NOW)
  const crowded = {
    ...crowdedStats,
    flopsKnown: false,
    waiting: Array.from({ length: 3 }, (_, i) => `${i + 1} volunteers cannot run it: this device stops loops after 65,535 iterations; the project needs more, and so on`)
  }
  const history: HistoryEntry[] = Array.from({ length: 30 }, (_, i) => ({ ...sampleHistory()[0], projectId: `old-${i}`, name: `an-old-project-with-a-long-name-${i}` }))
  const leaders = Array.from({ length: 3 }, () => sampleLeaderboard()).flat().map((e, i) => ({ ...e, rank: i + 1, peer: `${e.peer}${i}` })).slice(0, 10)
  return {
    peers: manyPeers,
    projects: manyProjects,
    stats: new Map([[ownProject.id, crowded]]),
    history,
    leaderboard: leaders,
    status: { projectId: 'proj-3', state: 'computing', currentChunk: 12, chunksComputed: 99, creditsFlops: 1e15, receipts: 99, lastError: 'a long error message '.repeat(10) },
    prefs: { paused: false, maxDutyCycle: 0.5, acceptCustomWgsl: true }
  }
}

function assertFits (frame: string, columns: number, rows: number, what: string): void {
  const lines = frame.split('\n')
  assert.equal(lines.length, rows, `${what}: ${lines.length} lines, not ${rows}:\n${frame}`)
  for (const line of lines) assert.ok([...line].length <= columns, `${what}: a line is wider than ${columns}:\n${line}`)
  assert.match(lines[0], /1 Home/, `${what}: tab bar not on the first line`)
  assert.match(lines.at(-1) ?? '', /quit|cancel|undo/, `${what}: keys not on the last line`)
}

test('at 80x24 every screen fits a crowded mesh: tabs first, keys last, nothing wider', async () => {
  await withApp(crowdedState(), async ({ press, see }) => {
    assertFits(await see('+'), 80, 24, 'home')
    await press(keys.enter)
    let frame = await see('Failed: chunk 3')
    assertFits(frame, 80, 24, 'dashboard')
    assert.match(frame, /Volunteers \(15 active\)/)
    assert.match(frame, /^waiting: {4}1 volunteers cannot run it/m)
    assert.match(frame, /GFLOPS unknown/)
    assert.match(frame, /\+\d+ more/)
    await press('x')
    assertFits(await see('Export format'), 80, 24, 'dashboard export')
    await press(keys.escape, keys.escape)
    await see('[1 Home]')
    for (const [key, text] of [['2', 'Publish a project'], ['3', 'Last error'], ['4', 'Top volunteers'], ['5', 'Response time'], ['6', 'an-old-project']]) {
      await press(key)
      frame = await see(text)
      assertFits(frame, 80, 24, text)
    }
    // The longest form: the wgsl kernel with an image's size.
    await press('2', keys.down, keys.right, keys.right, ...Array.from({ length: 8 }, () => keys.down), keys.left)
    frame = await see('‹ image ›')
    assert.match(frame, /Image WxH/)
    assertFits(frame, 80, 24, 'wgsl publish form')
  })
  const longWgsl = { ...mapProject, customWgsl: Array.from({ length: 60 }, (_, i) => `let v${i} = ${'x * '.repeat(30)}1.0;`).join('\n') }
  await withApp({ projects: [ownProject, longWgsl] }, async ({ press, see }) => {
    await press(keys.down, keys.enter)
    assertFits(await see('more lines'), 80, 24, 'WGSL prompt')
  })
})

test('a resized terminal is redrawn at its new size', async () => {
  await withApp({}, async ({ ui, see }) => {
    ui.resize(120, 40)
    let frame = await see(/History\s+alice AAself01$/m)
    assertFits(frame, 120, 40, 'home at 120x40')
    ui.resize(60, 20)
    frame = await waitForFrame(ui.lastFrame, f => f.split('\n').length === 20)
    assertFits(frame, 60, 20, 'home at 60x20')
    assert.match(frame, /mm-own/)
  })
})

test('state is read at a bounded rate however many events arrive', async () => {
  await withApp({}, async ({ port }) => {
    const readsBefore = port.reads
    const started = Date.now()
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < 100; i++) port.emit('chunk:verified', { projectId: 'p', chunk: i, volunteer: 'v', computeMs: 1, flops: 1 })
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    await waitUntil(() => Date.now() - started >= 600, 'the bursts')
    const elapsed = Date.now() - started
    // Home reads peers and projects once per refresh; refreshes come at most every 250 ms.
    const refreshes = (port.reads - readsBefore) / 2
    console.log(`1000 events in ${elapsed} ms caused ${refreshes} refreshes`)
    assert.ok(refreshes >= 1, 'events cause a refresh')
    assert.ok(refreshes <= Math.floor(elapsed / 250) + 1, `${refreshes} refreshes in ${elapsed} ms`)
  })
})
