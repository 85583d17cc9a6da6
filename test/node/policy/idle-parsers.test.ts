import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { parseIdleSeconds } from '../../../src/node/volunteer/policy/idle/command.ts'
import { chooseSession, LogindIdle, parseProperties, parseSessionIds, sessionFrom, sessionIdleMs } from '../../../src/node/volunteer/policy/idle/logind.ts'
import { MacIdle, parseIoregIdle } from '../../../src/node/volunteer/policy/idle/macos.ts'
import { IDLE_LOOP_SCRIPT, parseLastInputOutput } from '../../../src/node/volunteer/policy/idle/windows.ts'
import { parseXprintidle, X11Idle } from '../../../src/node/volunteer/policy/idle/x11.ts'
import { powershellArgs } from '../../../src/node/volunteer/policy/powershell.ts'

/** The recorded format samples in fixtures/ (see its README). */
async function fixture (name: string): Promise<string> {
  return await readFile(new URL(`fixtures/${name}`, import.meta.url), 'utf8')
}

test('logind: session ids from list-sessions, whatever the other columns', async () => {
  assert.deepEqual(parseSessionIds(await fixture('loginctl-list-sessions.txt')), ['2', '5', 'c1'])
  assert.deepEqual(parseSessionIds('3 1000 alice seat0 1234 user tty2 no -\n'), ['3'])
  assert.deepEqual(parseSessionIds(''), [])
})

test('logind: the local, active user session on a seat is the one that says whether the machine is idle', async () => {
  const sessions = parseProperties(await fixture('loginctl-show-session.txt')).map(sessionFrom)
  assert.deepEqual(sessions.map(s => s.id), ['2', '5', 'c1'])
  assert.deepEqual(sessions[0], {
    id: '2', uid: 1000, type: 'wayland', class: 'user', active: true, remote: false, seat: 'seat0',
    idleHint: true, idleSinceUs: 1765150200123456, idleSinceMonotonicUs: 8123456789
  })
  assert.equal(chooseSession(sessions, 1000)?.id, '2')
  assert.equal(chooseSession(sessions, 0)?.id, '2', 'root volunteering for the person at the seat')
  assert.equal(chooseSession(sessions.filter(s => s.id !== '2'), 1000)?.id, '5', 'the greeter is nobody\'s use')
  assert.equal(chooseSession(sessions.filter(s => s.class === 'greeter')), undefined)
})

test('logind: idle time from IdleSinceHint, monotonic where known', () => {
  const [wayland, tty, greeter] = parseProperties(`Id=2\nType=wayland\nClass=user\nIdleHint=yes\nIdleSinceHint=1765150200000000\nIdleSinceHintMonotonic=8000000000\n
Id=5\nType=tty\nClass=user\nIdleHint=no\nIdleSinceHint=1765150290000000\nIdleSinceHintMonotonic=0\n
Id=c1\nType=x11\nClass=greeter\nIdleHint=no\nIdleSinceHint=0\nIdleSinceHintMonotonic=0\n`).map(sessionFrom) as [any, any, any]
  assert.equal(sessionIdleMs(wayland, { realtimeMs: 1765150300000, monotonicUs: 8_042_000_000 }), 42_000)
  assert.equal(sessionIdleMs(wayland, { realtimeMs: 1765150300000 }), 100_000)
  // The desktop says the user is back: idle 0, whenever the hint last changed.
  assert.equal(sessionIdleMs({ ...wayland, idleHint: false }, { realtimeMs: 1765150300000 }), 0)
  // A text session: the terminal's last input, whatever the hint.
  assert.equal(sessionIdleMs(tty, { realtimeMs: 1765150300000 }), 10_000)
  assert.throws(() => sessionIdleMs(greeter, { realtimeMs: 1765150300000 }), /never set logind's idle hint \(IdleSinceHint=0\)/)
})

test('logind: the backend asks loginctl for the session and reads its idle time', async () => {
  const calls: string[][] = []
  const list = await fixture('loginctl-list-sessions.txt')
  const show = await fixture('loginctl-show-session.txt')
  const logind = new LogindIdle({
    env: {},
    uid: 1000,
    now: () => ({ realtimeMs: 1765150300000, monotonicUs: 8_123_456_789 + 30_000_000 }),
    run: async (file, args) => {
      calls.push([file, ...args])
      if (args[0] === 'list-sessions') return list
      // `show-session 2 5 c1 -p ...` while choosing, then `show-session 2 -p ...` each poll.
      return args[2] === '-p' ? show.split('\n\n')[0]! : show
    }
  })
  assert.deepEqual(await logind.probe(), { works: true, detail: 'session 2, wayland on seat0: idle 30 s' })
  assert.equal(await logind.idleMs(), 30_000)
  assert.deepEqual(calls[0], ['loginctl', 'list-sessions', '--no-legend'])
  assert.deepEqual(calls.at(-1)!.slice(0, 3), ['loginctl', 'show-session', '2'])
  assert.ok(calls.at(-1)!.includes('IdleSinceHint'))

  const broken = new LogindIdle({ env: {}, run: async () => { throw new Error('loginctl exited with status 1: System has not been booted with systemd as init system (PID 1). Can\'t operate.') } })
  const probe = await broken.probe()
  assert.equal(probe.works, false)
  assert.match(probe.detail, /not been booted with systemd/)
})

test('logind: $XDG_SESSION_ID names the session without listing them', async () => {
  const calls: string[][] = []
  const logind = new LogindIdle({
    env: { XDG_SESSION_ID: '5' },
    now: () => ({ realtimeMs: 1765151000000 + 7_000 }),
    run: async (file, args) => { calls.push(args as string[]); return (await fixture('loginctl-show-session.txt')).split('\n\n')[1]! }
  })
  assert.equal((await logind.probe()).works, true)
  assert.equal(await logind.idleMs(), 7_000)
  assert.equal(calls.some(args => args[0] === 'list-sessions'), false)
})

test('X11: xprintidle\'s milliseconds; no display, Wayland and a missing xprintidle are said plainly', async () => {
  assert.equal(parseXprintidle('4521\n'), 4521)
  assert.throws(() => parseXprintidle('couldn\'t open display'), /not milliseconds/)
  assert.deepEqual(await new X11Idle({ env: {} }).probe(), { works: false, detail: 'no DISPLAY' })
  assert.match((await new X11Idle({ env: { DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0' } }).probe()).detail, /^Wayland session/)
  const missing = new X11Idle({ env: { DISPLAY: ':0' }, run: async () => { throw new Error('xprintidle is not installed (not found on PATH)') } })
  assert.deepEqual(await missing.probe(), { works: false, detail: 'DISPLAY :0, but xprintidle is not installed (Debian/Ubuntu: apt install xprintidle)' })
  const works = new X11Idle({ env: { DISPLAY: ':1' }, run: async () => '61234\n' })
  assert.deepEqual(await works.probe(), { works: true, detail: 'DISPLAY :1: idle 61 s' })
})

test('macOS: HIDIdleTime of ioreg -c IOHIDSystem, nanoseconds to milliseconds', async () => {
  const sample = await fixture('ioreg-iohidsystem.txt')
  assert.equal(parseIoregIdle(sample), 12_871)
  assert.throws(() => parseIoregIdle('+-o Root  <class IORegistryEntry>'), /no HIDIdleTime/)
  const mac = new MacIdle({ run: async (file, args) => { assert.deepEqual([file, ...args], ['ioreg', '-c', 'IOHIDSystem']); return sample } })
  assert.deepEqual(await mac.probe(), { works: true, detail: 'ioreg: idle 13 s' })
})

test('Windows: the PowerShell script\'s idle-ms lines', async () => {
  assert.equal(parseLastInputOutput(await fixture('powershell-idle.txt')), 4172)
  assert.equal(parseLastInputOutput('idle-ms 10\r\nidle-ms 523\r\n'), 523)
  assert.throws(() => parseLastInputOutput('idle-ms -1\r\n'), /GetLastInputInfo failed/)
  assert.throws(() => parseLastInputOutput('Add-Type : Cannot add type.\r\n'), /printed no idle time/)
  // The script travels encoded: PowerShell gets it back exactly.
  const args = powershellArgs(IDLE_LOOP_SCRIPT)
  assert.equal(args.at(-2), '-EncodedCommand')
  assert.equal(Buffer.from(args.at(-1)!, 'base64').toString('utf16le'), IDLE_LOOP_SCRIPT)
  assert.match(IDLE_LOOP_SCRIPT, /GetLastInputInfo/)
})

test('idle command: seconds, a float allowed, the last line counting', () => {
  assert.equal(parseIdleSeconds('12\n'), 12_000)
  assert.equal(parseIdleSeconds('0.25'), 250)
  assert.equal(parseIdleSeconds('starting\n3.5 seconds\n'), 3_500)
  assert.throws(() => parseIdleSeconds(''), /printed nothing/)
  assert.throws(() => parseIdleSeconds('idle\n'), /printed 'idle', not seconds/)
  assert.throws(() => parseIdleSeconds('-3'), /not seconds/)
})
