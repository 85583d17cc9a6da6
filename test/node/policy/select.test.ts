import assert from 'node:assert/strict'
import { test } from 'node:test'
import { idleBackendsFor, idleSummary, selectIdleBackend } from '../../../src/node/volunteer/policy/idle/select.ts'
import type { IdleBackend } from '../../../src/node/volunteer/policy/idle/backend.ts'

function fake (name: string, works: boolean, detail: string, idleMs = 1_000): IdleBackend & { closed: boolean } {
  return {
    name,
    closed: false,
    probe: async () => ({ works, detail }),
    idleMs: async () => idleMs,
    close () { this.closed = true }
  }
}

test('the first backend that works is used; the others are listed with why not, and let go', async () => {
  const input = fake('input devices', false, 'no /dev/input')
  const x11 = fake('X11', false, 'no DISPLAY')
  const logind = fake('logind', true, 'session 3', 42_000)
  const selection = await selectIdleBackend({ backends: [input, x11, logind] })
  assert.equal(selection.backend, logind)
  assert.equal(selection.summary, 'idle detection: input devices: no /dev/input; X11: no DISPLAY; logind (session 3) works')
  assert.deepEqual(await selection.source.readIdle(), { idleMs: 42_000 })
  assert.deepEqual([input.closed, x11.closed, logind.closed], [true, true, false])
  selection.close()
  assert.equal(logind.closed, true)
})

test('none works: the source says so and the summary too; a probe that throws counts as not working', async () => {
  const broken: IdleBackend = { name: 'X11', probe: async () => { throw new Error('boom') }, idleMs: async () => 0 }
  const selection = await selectIdleBackend({ backends: [fake('logind', false, 'no systemd'), broken] })
  assert.equal(selection.backend, undefined)
  assert.equal(selection.summary, 'idle detection: logind: no systemd; X11: boom (none works here)')
  assert.deepEqual(await selection.source.readIdle(), { unavailable: 'no idle detection works here' })
})

test('a working backend whose reading fails is unavailable for that poll, with its name', async () => {
  const flaky: IdleBackend = { name: 'logind', probe: async () => ({ works: true, detail: 'session 3' }), idleMs: async () => { throw new Error('loginctl gave no answer within 2000 ms') } }
  const selection = await selectIdleBackend({ backends: [flaky] })
  assert.deepEqual(await selection.source.readIdle(), { unavailable: 'logind: loginctl gave no answer within 2000 ms' })
})

test('the backends of each platform, the most exact first', () => {
  assert.deepEqual(idleBackendsFor('linux').map(b => b.name), ['input devices', 'X11', 'logind'])
  assert.deepEqual(idleBackendsFor('darwin').map(b => b.name), ['HIDIdleTime'])
  assert.deepEqual(idleBackendsFor('win32').map(b => b.name), ['GetLastInputInfo'])
  assert.deepEqual(idleBackendsFor('freebsd').map(b => b.name), ['X11'])
  assert.deepEqual(idleBackendsFor('linux', 'cat /run/idle').map(b => b.name), ['idle command'])
  assert.equal(idleSummary([]), 'idle detection: no backend for this platform')
})
