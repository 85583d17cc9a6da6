import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { statusLine } from '../../src/cli/commands/status.ts'
import { StoredPeer } from '../../src/node/stored-peer.ts'
import { App } from '../../src/tui/app.tsx'
import { uniqueTag, waitFor } from '../helpers/peers.ts'
import { startAliceBobCarol, type UiPeer } from './support/real-peers.ts'
import { keys, renderSized, waitForFrame, type SizedRender } from './support/render-sized.ts'

/**
 * Redundancy 2 with real peers on loopback: every chunk is computed by both
 * volunteers, and the researcher's figures (dashboard and `mesh status
 * --json`) credit both, not only the one whose copy was accepted first.
 */

let device: ComputeDevice
const peers: UiPeer[] = []
const uis: SizedRender[] = []

before(async () => {
  device = await openComputeDevice()
})

after(async () => {
  for (const ui of uis) ui.unmount()
  await Promise.all(peers.map(async peer => {
    await peer.port.stop().catch(() => {})
    await peer.dir.remove().catch(() => {})
  }))
  await device?.destroy()
})

test('under redundancy 2 both volunteers are credited with every chunk, and a chunk with one copy back is not queued', async () => {
  const tag = uniqueTag('tui-redundancy')
  const { alice, bob, carol } = await startAliceBobCarol(tag, device, peers)
  const ui = renderSized(<App port={alice.port} color={false} />, 80, 30)
  uis.push(ui)
  const see = async (match: string | RegExp, timeoutMs = 30_000): Promise<string> =>
    await waitForFrame(ui.lastFrame, f => typeof match === 'string' ? f.includes(match) : match.test(f), timeoutMs)

  const project = await alice.port.publish({ kernel: 'matmul', name: 'twice', inputs: { from: 'shape', m: 48, k: 32, n: 24 }, rowsPerChunk: 8, redundancy: 2, spotCheck: 0 })
  const chunks = 6
  await see(/twice\s+you\s+matmul/)
  await ui.press(keys.enter)
  await see(`0/${chunks} chunks`)
  await waitFor('bob and carol to see the project', async () => {
    const seen = await Promise.all([bob, carol].map(async p => (await p.port.projects()).some(s => s.id === project.id)))
    return seen.every(Boolean)
  }, 20_000)

  // Bob alone: he computes one copy of every chunk, and none is verified without a second.
  await bob.port.join(project.id, { acceptCustomWgsl: false })
  await waitFor('bob to compute every chunk once', async () => (await bob.port.volunteerStatus()).chunksComputed >= chunks, 60_000)
  let stats = (await alice.port.projectStats(project.id))!
  assert.equal(stats.verification.verified, 0)
  assert.deepEqual(stats.chunkStates, Array<string>(chunks).fill('verifying'), 'a chunk with one copy back waits for agreement; it is not queued')
  assert.equal((await alice.port.health()).chunksQueued, 0)
  let frame = await see(`verifying ${chunks}`)
  assert.match(frame, /queued 0/)

  // Carol computes the second copies: every chunk verified, by both.
  await carol.port.join(project.id, { acceptCustomWgsl: false })
  frame = await see(new RegExp(`${chunks}/${chunks} chunks`), 60_000)
  frame = await see(/twice \S+\s+matmul 48x32 · 32x24\s+done/)
  stats = (await alice.port.projectStats(project.id))!
  const credited = new Map(stats.volunteers.map(v => [v.name, v.chunksVerified]))
  assert.deepEqual(credited, new Map([['bob', chunks], ['carol', chunks]]), JSON.stringify(stats.volunteers))
  assert.equal(stats.contributors, 2)
  for (const v of stats.volunteers) assert.ok(v.gflops > 0, `${v.name ?? v.peer} has a measured speed`)

  // `mesh status --json` prints the same figures.
  const status = await alice.node.status()
  const line = statusLine(status.projects.find(s => s.project.id === project.id)!, status.running)
  assert.equal(line.contributors, 2)
  assert.deepEqual((line.volunteers as typeof stats.volunteers).map(v => [v.name, v.chunksVerified]).sort(), [['bob', chunks], ['carol', chunks]])

  // The dashboard: two volunteers in the speed-up, each with every chunk verified.
  frame = await see(/Speed-up {4}2 volunteers/)
  for (const name of ['bob', 'carol']) {
    assert.match(frame, new RegExp(`${name}\\s+\\S{8}\\s+${chunks}\\s+0\\s+[\\d.]+ [kMG]?FLOPS`), frame)
  }
  console.log(frame)

  // And once the researcher has stopped, `mesh status` reads the same credit from its store: every
  // agreeing volunteer, each with a speed from the receipts it was issued.
  await alice.port.stop()
  const stored = (await StoredPeer.open(alice.dir.path))!
  try {
    const offline = (await stored.status()).projects.find(p => p.project.id === project.id)!
    const byPeer = new Map(offline.volunteers.map(v => [v.peer, v]))
    for (const volunteer of [bob, carol]) {
      const row = byPeer.get(volunteer.node.peerId)
      assert.equal(row?.chunksVerified, chunks, `${volunteer.node.peerId} from the store: ${JSON.stringify(offline.volunteers)}`)
      assert.ok(row.gflops > 0, 'a speed from its receipts')
    }
    assert.equal(offline.contributors, 2)
  } finally {
    await stored.close()
  }
})
