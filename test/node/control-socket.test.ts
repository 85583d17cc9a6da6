import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ControlServer } from '../../src/node/control/control-server.ts'
import { callRunningPeer, ControlCallError } from '../../src/node/control/control-client.ts'
import { controlSocketPath } from '../../src/node/control/constants.ts'
import { controlHandlers } from '../../src/node/control/control-handlers.ts'
import { DEFAULT_POLICY, evaluatePolicy, type PolicyState, type VolunteerPolicy } from '../../src/node/volunteer/policy/index.ts'

test('a command reaches the running peer through the control socket, and errors come back by name', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-control-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  // Given a stale socket file of a dead peer, the new server replaces it.
  await writeFile(controlSocketPath(dir), '')
  const server = await ControlServer.listen(dir, {
    status: async () => ({ projects: 2 }),
    fail: async () => { const err = new Error('no such project'); err.name = 'InputError'; throw err }
  })
  try {
    assert.deepEqual(await callRunningPeer(dir, 'status'), { result: { projects: 2 } })
    await assert.rejects(callRunningPeer(dir, 'fail'), (err: any) => err instanceof ControlCallError && err.errorName === 'InputError' && /no such project/.test(err.message))
    await assert.rejects(callRunningPeer(dir, 'nope'), /unknown control method 'nope'/)
  } finally {
    await server.close()
  }
  // When no peer runs, callers learn it and open the store themselves.
  assert.equal(await callRunningPeer(dir, 'status'), undefined)
})

/** A node that volunteers (its policy state made by the real engine) or, with `policy: false`, does not. */
function fakeNode (options: { policy: boolean }): { node: Parameters<typeof controlHandlers>[0], updates: Array<Partial<VolunteerPolicy>> } {
  let policy: VolunteerPolicy = DEFAULT_POLICY
  const updates: Array<Partial<VolunteerPolicy>> = []
  const state = (): PolicyState => evaluatePolicy(policy, { now: Date.now(), power: { onBattery: false } })
  const node = {
    status: async () => ({ peerId: 'p', name: 'v', running: true, projects: [] }),
    volunteerStatus: () => ({ state: 'waiting', projectId: 'proj-1', currentChunk: 3, chunksComputed: 2, creditsFlops: 0, receipts: 1 }),
    projects: () => [{ id: 'proj-1', name: 'pi' }],
    doctor: () => ({ noDirectPath: [] }),
    policyState: () => options.policy ? state() : undefined,
    volunteerPolicy: () => options.policy ? policy : undefined,
    updatePolicy: async (update: Partial<VolunteerPolicy>) => {
      updates.push(update)
      policy = { ...policy, ...update }
      return state()
    }
  } as unknown as Parameters<typeof controlHandlers>[0]
  return { node, updates }
}

test('snooze over the control socket changes the running policy; status carries the volunteer, its state and policy', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-control-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  const { node, updates } = fakeNode({ policy: true })
  const server = await ControlServer.listen(dir, controlHandlers(node))
  try {
    const until = Date.now() + 42 * 60_000 - 1_000
    const snoozed = await callRunningPeer(dir, 'snooze', { untilMs: until }) as { result: any }
    assert.deepEqual([snoozed.result.untilMs, snoozed.result.state.code, snoozed.result.state.text], [until, 'snoozed', 'paused: snoozed for 42 min'])
    assert.equal(snoozed.result.state.readings, undefined, 'raw readings stay in the peer')
    const status = await callRunningPeer(dir, 'status') as { result: any }
    assert.deepEqual(status.result.volunteer.status.currentChunk, 3)
    assert.equal(status.result.volunteer.projectName, 'pi')
    assert.equal(status.result.volunteer.policy.snoozeUntil, until)
    assert.equal(status.result.volunteer.state.reason, 'snoozed for 42 min')
    const off = await callRunningPeer(dir, 'snooze', { untilMs: null }) as { result: any }
    assert.equal(off.result.state.text, 'computing')
    assert.deepEqual(updates, [{ snoozeUntil: until }, { snoozeUntil: undefined }])
    for (const untilMs of [undefined, 'soon', -5, 1.5]) {
      await assert.rejects(callRunningPeer(dir, 'snooze', { untilMs }), (err: any) => err instanceof ControlCallError && err.inputError && /untilMs must be a time/.test(err.message))
    }
    assert.equal(updates.length, 2, 'bad params change nothing')
  } finally {
    await server.close()
  }
})

test('a peer that does not volunteer refuses a snooze as the caller\'s mistake, and its status has no volunteer', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-control-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  const { node, updates } = fakeNode({ policy: false })
  const idle = { ...node, volunteerStatus: () => ({ state: 'idle', chunksComputed: 0, creditsFlops: 0, receipts: 0 }) } as typeof node
  const server = await ControlServer.listen(dir, controlHandlers(idle))
  try {
    await assert.rejects(callRunningPeer(dir, 'snooze', { untilMs: Date.now() + 60_000 }),
      (err: any) => err instanceof ControlCallError && err.inputError && err.errorName === 'PolicyNotRunningError' && /does not volunteer/.test(err.message))
    const status = await callRunningPeer(dir, 'status') as { result: any }
    assert.equal(status.result.volunteer, undefined)
    assert.equal(updates.length, 0)
  } finally {
    await server.close()
  }
})
