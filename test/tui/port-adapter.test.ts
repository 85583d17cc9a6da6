import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MeshPortAdapter, meshPortFor, type PortNode } from '../../src/node/mesh-port-adapter.ts'
import { defaultPolicy, evaluatePolicy, type PolicyState, type VolunteerPolicy } from '../../src/node/volunteer/policy/index.ts'
import type { VolunteerRunSummary } from '../../src/node/volunteer/project-worker.ts'
import type { VolunteerStatus } from '../../src/node/types.ts'
import { device } from './support/fixture-port.ts'

/** A node whose runs end when the test says, and whose status the test sets. */
function fakeNode (): { node: PortNode, status: { current: VolunteerStatus }, end: (summary: VolunteerRunSummary) => void, published: unknown[] } {
  const status = { current: { state: 'idle', chunksComputed: 0, creditsFlops: 0, receipts: 0 } as VolunteerStatus }
  let end: (summary: VolunteerRunSummary) => void = () => {}
  const published: unknown[] = []
  const node = {
    peerId: 'self',
    name: 'alice',
    volunteerStatus: () => status.current,
    join: async (projectId: string) => {
      status.current = { ...status.current, projectId, state: 'computing' }
      return { projectId, finished: new Promise<VolunteerRunSummary>(resolve => { end = resolve }) }
    },
    publish: async (spec: { name: string }) => {
      published.push(spec)
      return { id: 'p1', name: spec.name, chunks: { done: 0, total: 4 } }
    }
  } as unknown as PortNode
  return { node, status, end: summary => { end(summary) }, published }
}

test('port adapter: a run that ends on its own says how, until the next join', async () => {
  const { node, status, end } = fakeNode()
  const port = new MeshPortAdapter(node, device)
  await port.join('pi', { acceptCustomWgsl: true })
  assert.equal(port.volunteerStatus().ended, undefined)
  const reason = 'llvmpipe: this device stops loops after 65,535 iterations; the project needs more'
  status.current = { ...status.current, state: 'stopped', lastError: reason }
  end({ projectId: 'pi', outcome: 'unsupported', reason, chunksComputed: 0, receipts: 0, creditsFlops: 0 })
  await new Promise(resolve => setImmediate(resolve))
  assert.deepEqual(port.volunteerStatus().ended, { projectId: 'pi', outcome: 'unsupported', reason })
  await port.join('other', { acceptCustomWgsl: false })
  assert.equal(port.volunteerStatus().ended, undefined)
})

test('port adapter: publishing answers the project with the notes of loading it', async () => {
  const { node, published } = fakeNode()
  const port = new MeshPortAdapter(node, device)
  const spec = { kernel: 'matmul', name: 'tiny', inputs: { from: 'size', size: 4 } } as const
  assert.deepEqual(await port.validatePublish(spec), [])
  const project = await port.publish(spec)
  assert.equal(project.name, 'tiny')
  assert.deepEqual(project.notes, [])
  assert.equal(published.length, 1)
  assert.deepEqual(await port.validatePublish({ kernel: 'matmul', inputs: { from: 'size', size: 0 } }), ['rows of A must be an integer from 1 to 16384 (got 0)'])
})

test('port adapter: the UI\'s peer starts the volunteer policy with the UI\'s defaults, and the port changes it', async () => {
  const starts: unknown[] = []
  let policy: VolunteerPolicy | undefined
  const state = (): PolicyState => evaluatePolicy(policy!, { now: Date.now(), idle: { idleMs: 0 } })
  const node = {
    peerId: 'self',
    name: 'alice',
    deviceSummary: async () => device,
    startPolicy: async (options: { mode: 'ui' | 'headless', update?: Partial<VolunteerPolicy> }) => {
      starts.push(options)
      policy = { ...defaultPolicy(options.mode), ...options.update }
      return { policy, state: state(), sources: [], problems: [] }
    },
    volunteerPolicy: () => policy,
    policyState: () => policy == null ? undefined : state(),
    updatePolicy: async (update: Partial<VolunteerPolicy>) => { policy = { ...policy!, ...update }; return state() }
  } as unknown as Parameters<typeof meshPortFor>[0]
  const port = await meshPortFor(node)
  assert.deepEqual(starts, [{ mode: 'ui' }])
  assert.equal(port.policy()?.policy.when, 'idle')
  assert.match(port.policy()?.state.reason ?? '', /^you are using this computer \(idle 0:00 of 3:00\)$/)
  const changed = await port.updatePolicy({ when: 'always' })
  assert.deepEqual([changed.policy.when, changed.state.compute], ['always', true])
  // Tests' peers compute whatever the person at the machine does, and keep nothing of it.
  await meshPortFor(node, { policy: { when: 'always' } })
  assert.deepEqual(starts.at(-1), { mode: 'ui', update: { when: 'always' }, persist: false })
})
