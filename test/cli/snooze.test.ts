import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { CliMesh, events } from '../e2e/helpers/cli-peers.ts'

/**
 * `mesh snooze` against the real CLI: a running `mesh volunteer` pauses for
 * the snooze and resumes on `off`, and `mesh status` says why; bad input, no
 * peer running and a peer that does not volunteer each exit 2 in one line.
 */

let mesh: CliMesh
before(async () => { mesh = await CliMesh.create('snooze') })
after(async () => { await mesh.cleanup() })

async function waitFor<T> (probe: () => T | undefined, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = probe()
    if (value != null) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function oneLine (stderr: string): string {
  const lines = stderr.trim().split('\n')
  assert.equal(lines.length, 1, `one line, not:\n${stderr}`)
  return lines[0]
}

test('given a running volunteer, snooze pauses it with the reason and off resumes it; status says why', async () => {
  const volunteer = mesh.start('volunteer', ['volunteer', '--auto', '--json', '--on-battery', 'run'])
  const policy = await volunteer.waitFor('the policy', line => line.event === 'policy', 60_000)
  assert.equal(policy.compute, true, JSON.stringify(policy))

  const snoozed = await mesh.run('volunteer', ['snooze', '10m'])
  assert.equal(snoozed.code, 0, snoozed.stderr)
  assert.match(snoozed.stdout.trim(), /^snoozed until (\w{3} )?\d\d:\d\d \(for 10 min\)$/)
  const paused = await waitFor(() => events(volunteer, 'paused')[0], 5_000, 'the volunteer to pause')
  assert.equal(paused.code, 'snoozed')
  assert.match(paused.reason, /^snoozed for (9|10) min$/)

  const status = await mesh.run('volunteer', ['status'])
  assert.equal(status.code, 0, status.stderr)
  assert.match(status.stdout, /^volunteer: paused: snoozed for (9|10) min$/m)
  assert.match(status.stdout, /^volunteer policy: computes always · on battery: run · schedule: any time/m)
  const json = (await mesh.run('volunteer', ['status', '--json'])).stdout.trim().split('\n').map(line => JSON.parse(line))
  const line = json.find(l => l.kind === 'volunteer')
  assert.ok(line != null, JSON.stringify(json))
  assert.equal(line.state, 'paused')
  assert.match(line.pausedReason, /^snoozed for (9|10) min$/)
  assert.equal(line.code, 'snoozed')
  assert.equal(line.policy.when, 'always')
  assert.ok(line.policy.snoozeUntil > Date.now() + 9 * 60_000)

  const off = await mesh.run('volunteer', ['snooze', 'off'])
  assert.equal(off.code, 0, off.stderr)
  assert.equal(off.stdout.trim(), 'snooze off: computing')
  const resumed = await waitFor(() => events(volunteer, 'resumed')[0], 5_000, 'the volunteer to resume')
  assert.equal(resumed.code, 'computing')

  // Words of one duration, and --json.
  const long = await mesh.run('volunteer', ['snooze', '1h', '30m', '--json'])
  assert.equal(long.code, 0, long.stderr)
  const answer = JSON.parse(long.stdout)
  assert.deepEqual([answer.event, answer.code, answer.reason], ['snoozed', 'snoozed', 'snoozed for 1 h 30 min'])
  assert.equal((await mesh.run('volunteer', ['snooze', 'off'])).code, 0)

  const bad = await mesh.run('volunteer', ['snooze', '5', 'parsecs'])
  assert.equal(bad.code, 2)
  assert.match(oneLine(bad.stderr), /^mesh: snooze: '5 parsecs' is not a duration/)
  const none = await mesh.run('volunteer', ['snooze'])
  assert.equal(none.code, 2)
  assert.match(oneLine(none.stderr), /^mesh: snooze: missing DURATION or off/)
  assert.equal(events(volunteer, 'paused').length, 2, 'bad input paused nothing')

  volunteer.child.kill('SIGINT')
  assert.equal(await volunteer.exited, 0, volunteer.stderr)
})

test('with no peer running, or one that does not volunteer, snooze exits 2 in one line', async () => {
  const nobody = await mesh.run('nobody', ['snooze', '10m'])
  assert.equal(nobody.code, 2)
  assert.match(oneLine(nobody.stderr), /^mesh: snooze: no peer is running on \S+nobody \(start one with `mesh volunteer` or `mesh`, then snooze it\)$/)

  const researcher = mesh.start('researcher', ['serve', '--json'])
  await researcher.waitFor('the peer to start', line => line.event === 'started', 60_000)
  const refused = await mesh.run('researcher', ['snooze', '10m'])
  assert.equal(refused.code, 2)
  assert.match(oneLine(refused.stderr), /^mesh: the peer running on this data dir does not volunteer/)
  const status = await mesh.run('researcher', ['status', '--json'])
  assert.equal(status.stdout.trim(), '', 'no volunteer line for a peer that does not volunteer')
  researcher.child.kill('SIGINT')
  await researcher.exited
})
