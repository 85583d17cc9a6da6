import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { JsonLines } from '../helpers/json-lines.ts'
import { uniqueTag } from '../helpers/peers.ts'
import { meshBin, runMesh, spawnMesh } from '../helpers/run-mesh.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import { TmuxSession } from '../helpers/tmux.ts'
import { MDNS_TAG_ENV } from '../../src/cli/node-options.ts'
import { savePolicy, UI_DEFAULT_POLICY, type VolunteerPolicy } from '../../src/node/volunteer/policy/index.ts'
import { openStore } from '../../src/store/store.ts'

async function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`timed out after ${ms} ms waiting for ${what}`)) }, ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Dawn's native messages, which must never reach the terminal (they go to the data dir's compute log); the UI's own device line may name Dawn. */
const DAWN = /Couldn't load Vulkan|maxDynamicUniformBuffersPerPipelineLayout|Warning:/

/** Waits for `text` on the screen and checks that nothing from Dawn is on it. */
async function see (tmux: TmuxSession, text: string | RegExp, timeoutMs?: number): Promise<string> {
  const screen = await tmux.waitForText(text, timeoutMs)
  assert.doesNotMatch(screen, DAWN, `Dawn on the terminal:\n${screen}`)
  return screen
}

/** The policy a data dir starts with, as a volunteer would have set it earlier. */
async function keepPolicy (dataDir: string, policy: VolunteerPolicy): Promise<void> {
  const store = await openStore(dataDir)
  try {
    await savePolicy(store, policy)
  } finally {
    await store.close()
  }
}

/** A weekday two days from now: a schedule of that day alone leaves out now. */
function dayAfterTomorrow (): string {
  return ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][(new Date().getDay() + 8) % 7]
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

    // The UI computes only when this machine is idle by default; w makes it compute while the test types.
    await see(tmux, /tmux-e2e\s+\S+\s+matmul/, 60_000)
    await tmux.sendKeys('3')
    await see(tmux, 'When        only when idle: after 3:00 without keyboard or mouse input')
    await tmux.sendKeys('w')
    await see(tmux, 'When        always, whether or not you use this computer')

    // Home lists the project with its owner; enter joins it and opens the Volunteer screen.
    await tmux.sendKeys('1')
    let screen = await see(tmux, /tmux-e2e\s+\S+\s+matmul/)
    assert.match(screen, /vol-ui \S{8}/)
    await tmux.sendKeys('Enter')
    await see(tmux, 'Contributing')
    screen = await see(tmux, '12/12 chunks', 60_000)
    assert.match(screen, /tmux-e2e \S+ by \S+ · matmul 96x64 · 64x48/)
    assert.match(screen, /█{10,}/, `the progress bar is full:\n${screen}`)
    screen = await see(tmux, 'finished: the project is done', 30_000)
    assert.match(screen, /[1-9]\d* receipts? · [1-9]\d* chunks? computed/)

    // The researcher, headless, saw the project through and exits 0.
    assert.equal(await within(researcher.exited, 30_000, 'the researcher to exit'), 0, researcher.stderr)
    assert.ok(researcher.lines.some(line => line.event === 'done'), JSON.stringify(researcher.lines.slice(-5)))

    await tmux.sendKeys('q')
    assert.equal(await tmux.waitForExit(30_000), 0, await tmux.capture({ scrollback: true }))
    assert.doesNotMatch(await tmux.capture({ scrollback: true }), DAWN)
  } finally {
    await tmux?.kill()
    researcher.child.kill('SIGKILL')
    await researcher.exited
    await researcherDir.remove()
    await volunteerDir.remove()
  }
})

/**
 * The volunteer screen of a real `mesh` in tmux says why it does not
 * compute: the user is active (idle time from --idle-command, read from a
 * file the test writes), snoozed with s or with `mesh snooze` from another
 * terminal, outside the schedule, other programs using the CPU. (On battery
 * needs a battery: the screen test covers it with the fixture port.)
 */
test('mesh in tmux: the volunteer screen says why it pauses, s and mesh snooze snooze it, w makes it compute always', async () => {
  const env = { [MDNS_TAG_ENV]: uniqueTag('tui-policy') }
  const dir = await makeTempDir('mesh-tui-policy-')
  const dataDir = join(dir.path, 'volunteer')
  const idleFile = join(dir.path, 'idle-seconds')
  const ui = [process.execPath, meshBin, '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--name', 'vol-ui']
  let tmux: TmuxSession | undefined
  let busy: ReturnType<typeof spawn> | undefined
  try {
    await writeFile(idleFile, '5')
    await keepPolicy(dataDir, { ...UI_DEFAULT_POLICY, idleAfterMs: 60_000, onBattery: 'run', idleCommand: `cat ${idleFile}` })
    tmux = await TmuxSession.start(ui, { env })
    await see(tmux, '1 Home', 60_000)
    await tmux.sendKeys('3')
    await see(tmux, 'State       paused: you are using this computer (idle 0:05 of 1:00)')
    await writeFile(idleFile, '600')
    await see(tmux, 'State       ready to compute')

    await tmux.sendKeys('s')
    let screen = await see(tmux, 'State       paused: snoozed for 30 min')
    assert.match(screen, /Snooze {6}until \d\d:\d\d \(30 min left\)/)
    assert.match(screen, /s end snooze/)
    // From another terminal, through the UI peer's control socket.
    const snoozed = await runMesh(['snooze', '10m', '--data-dir', dataDir], { env })
    assert.equal(snoozed.code, 0, snoozed.stderr)
    await see(tmux, 'State       paused: snoozed for 10 min')
    const status = await runMesh(['status', '--data-dir', dataDir], { env })
    assert.match(status.stdout, /^volunteer: paused: snoozed for (9|10) min$/m)
    await tmux.sendKeys('s')
    screen = await see(tmux, 'snooze off: computing')
    await see(tmux, 'State       ready to compute')

    // Always: the user's activity pauses nothing.
    await tmux.sendKeys('w')
    await see(tmux, 'When        always, whether or not you use this computer')
    await writeFile(idleFile, '0')
    await new Promise(resolve => setTimeout(resolve, 1_500))
    await see(tmux, 'State       ready to compute')
    await tmux.sendKeys('q')
    assert.equal(await tmux.waitForExit(30_000), 0, await tmux.capture({ scrollback: true }))
    await tmux.kill()

    // Outside the schedule, with the user active and another program busy on a core: the first is the state, the rest follow.
    busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
    const halfACore = Math.max(1, Math.floor(50 / cpus().length))
    await keepPolicy(dataDir, { ...UI_DEFAULT_POLICY, idleAfterMs: 60_000, onBattery: 'run', idleCommand: `cat ${idleFile}`, schedule: dayAfterTomorrow(), maxOtherCpu: halfACore })
    tmux = await TmuxSession.start(ui, { env })
    await see(tmux, '1 Home', 60_000)
    await tmux.sendKeys('3')
    screen = await see(tmux, /State {7}paused: outside schedule \(resumes (mon|tue|wed|thu|fri|sat|sun) 00:00\)/)
    // The line wraps at 80 columns.
    screen = await see(tmux, /Also {8}you are using this computer \(idle 0:00 of 1:00\) · other\s+programs\s+are\s+using\s+the\s+CPU/, 20_000)
    assert.match(screen, new RegExp(`Schedule {4}${dayAfterTomorrow()}`))
    assert.match(screen, new RegExp(`other programs' CPU: pause over ${halfACore}%`))
    console.log(screen)
    await tmux.sendKeys('q')
    assert.equal(await tmux.waitForExit(30_000), 0, await tmux.capture({ scrollback: true }))
    assert.doesNotMatch(await tmux.capture({ scrollback: true }), DAWN)
  } finally {
    busy?.kill('SIGKILL')
    await tmux?.kill()
    await dir.remove()
  }
})
