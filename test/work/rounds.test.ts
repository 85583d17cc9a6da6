import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import { exportProject } from '../../src/node/coordinator/index.ts'
import { buildProject } from '../../src/node/publish/project-builder.ts'
import { loadProject } from '../../src/node/publish/publish-request.ts'
import { loadRoundRecords } from '../../src/node/coordinator/round-records.ts'
import { instrumentedDevice, openDevice, startResearcher, startVolunteer, stopPeer, type TestResearcher, type TestVolunteer, stopAfterTests } from './helpers/mesh.ts'
import type { ProjectManifest } from '../../src/protocols/manifest-codec.ts'

let device: ComputeDevice | undefined
let researcher: TestResearcher | undefined
const volunteers: TestVolunteer[] = []

stopAfterTests(() => ({ volunteers, researcher, device }))

/** Stops this test's peers (stopAfterTests stops what a failed test leaves). */
async function stopPeers (): Promise<void> {
  await Promise.all(volunteers.splice(0).map(async v => { await stopPeer(v) }))
  if (researcher != null) await stopPeer(researcher)
  researcher = undefined
}

/**
 * A linear iteration the chunks compute together: item i holds (w_i, c_i)
 * and adds w_i * s + c_i to the round's sum, so with --aggregate sum the
 * state follows s' = W s + C (W, C the sums of the columns). Each round reads
 * the state the last one produced, so a round that read a stale or wrong
 * state shows in the closed form.
 */
const WGSL = `fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  let row = data_row(i);
  var out: array<f32, OUT_COLS>;
  out[0] = row[0] * state[0] + row[1] + f32(params.round) * 0.0;
  return out;
}`

const ITEMS = 256
const ITEMS_PER_CHUNK = 32
const CHUNKS = ITEMS / ITEMS_PER_CHUNK

/** Rows whose columns sum to W = 0.5 and C = 1 (in f64), so s* = 2. */
function rows (): Float32Array {
  const data = new Float32Array(ITEMS * 2)
  for (let i = 0; i < ITEMS; i++) {
    data[i * 2] = (i % 2 === 0 ? 0.75 : 0.25) / ITEMS
    data[i * 2 + 1] = (i % 4 === 0 ? 2.5 : 0.5) / ITEMS
  }
  return data
}

/** The iteration in f64 over the same fp32 rows, written apart from the WGSL. */
function expectedStates (data: Float32Array, s0: number, rounds: number): number[] {
  let w = 0
  let c = 0
  for (let i = 0; i < ITEMS; i++) {
    w += data[i * 2]!
    c += data[i * 2 + 1]!
  }
  const states = [s0]
  for (let r = 0; r < rounds; r++) states.push(w * states.at(-1)! + c)
  return states
}

async function publishIteration (owner: TestResearcher, rounds: { count: number, untilChange?: number, quorum?: number }): Promise<{ manifest: ProjectManifest, data: Float32Array }> {
  const wgslPath = join(owner.dir.path, 'iterate.wgsl')
  const dataPath = join(owner.dir.path, 'rows.npy')
  const statePath = join(owner.dir.path, 'state.npy')
  const data = rows()
  await writeFile(wgslPath, WGSL)
  await writeNpyMatrix(dataPath, { rows: ITEMS, cols: 2, data })
  await writeNpyMatrix(statePath, { rows: 1, cols: 1, data: Float32Array.of(0) })
  // What `mesh publish --kernel wgsl --wgsl iterate.wgsl --data rows.npy --out-cols 1 --state state.npy --rounds R --aggregate sum` does.
  const { spec } = await loadProject({
    kernel: 'wgsl', name: 'linear iteration', wgslPath, dataPath, outCols: 1, statePath, rounds: { ...rounds, aggregate: 'sum' }, rowsPerChunk: ITEMS_PER_CHUNK, redundancy: 1, spotCheck: 0
  })
  const manifest = await buildProject(spec, { privateKey: owner.privateKey, blobs: owner.blobs })
  await owner.store.projects.put(manifest.id, manifest.signedBytes)
  return { manifest, data }
}

test('given a wgsl project of 6 rounds on two volunteers, every round reads the state the last one folded, and volunteers keep their shards', async () => {
  device = await openDevice()
  researcher = await startResearcher()
  const { manifest, data } = await publishIteration(researcher, { count: 6 })
  assert.equal(manifest.chunkCount, CHUNKS)
  await researcher.coordinator.addProject(manifest)
  const leased: Array<{ chunk: number, round?: number, rowsHeld?: boolean, volunteer: string }> = []
  researcher.coordinator.events.addEventListener('chunk:leased', (evt: any) => { leased.push(evt.detail) })
  const closed: any[] = []
  researcher.coordinator.events.addEventListener('round:closed', (evt: any) => { closed.push(evt.detail) })

  const a = await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 5 }))
  const b = await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 5 }))
  volunteers.push(a, b)
  const runs = [a.volunteer.join(manifest, { acceptCustomWgsl: true }), b.volunteer.join(manifest, { acceptCustomWgsl: true })]
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  for (const summary of await Promise.all(runs)) assert.equal(summary.outcome, 'done')

  const expected = expectedStates(data, 0, 6)
  assert.deepEqual(closed.map(c => c.round), [0, 1, 2, 3, 4, 5])
  assert.deepEqual(closed.map(c => c.final), [false, false, false, false, false, true])
  assert.ok(closed.every(c => c.chunks === CHUNKS && c.dropped === 0))
  const records = await loadRoundRecords(researcher.store, manifest.id)
  assert.equal(records.length, 6)
  for (const [r, record] of records.entries()) {
    assert.ok(Math.abs(record.change - Math.abs(expected[r + 1]! - expected[r]!)) < 1e-5, `round ${r} change ${record.change}`)
  }

  // Every round leased all its chunks with the round's number and project-wide indexes.
  for (let r = 0; r < 6; r++) {
    const chunks = new Set(leased.filter(l => l.round === r).map(l => l.chunk))
    assert.deepEqual([...chunks].sort((x, y) => x - y), Array.from({ length: CHUNKS }, (_, i) => r * CHUNKS + i), `round ${r}`)
  }
  // After round 0, a volunteer that computed a shard before gets it again without its rows.
  const held = leased.filter(l => (l.round ?? 0) > 0 && l.rowsHeld === true).length
  const later = leased.filter(l => (l.round ?? 0) > 0).length
  console.log(`${held} of ${later} leases after round 0 went without rows`)
  assert.ok(held >= later / 2, `${held} of ${later} leases after round 0 left the rows out`)

  const snapshot = researcher.coordinator.snapshot(manifest.id)!
  assert.equal(snapshot.rounds?.closed.length, 6)
  assert.equal(snapshot.rounds?.of, 6)
  assert.equal(snapshot.receipts.length, 6 * CHUNKS)

  const out = join(researcher.dir.path, 'state.out.npy')
  const summary = await exportProject(researcher.store, manifest.id, 'npy', out)
  assert.equal(summary.chunks, 6)
  const state = await readNpyMatrix(out)
  assert.deepEqual([state.rows, state.cols], [1, 1])
  assert.ok(Math.abs(state.data[0]! - expected[6]!) < 1e-5, `final state ${state.data[0]} vs ${expected[6]}`)

  await stopPeers()
})

test('given --until-change, the project stops at the first round whose state moved less, and says it converged', async () => {
  device ??= await openDevice()
  researcher = await startResearcher()
  const { manifest, data } = await publishIteration(researcher, { count: 50, untilChange: 0.01 })
  await researcher.coordinator.addProject(manifest)
  const volunteer = await startVolunteer(researcher, device)
  volunteers.push(volunteer)
  const run = volunteer.volunteer.join(manifest, { acceptCustomWgsl: true })
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  await run

  // The change of round r is 2 * 0.5^(r+1): below 0.01 first at round 7 (0.0078).
  const expected = expectedStates(data, 0, 50)
  const firstSmall = expected.findIndex((s, r) => r < 49 && Math.abs(expected[r + 1]! - s) < 0.01)
  const snapshot = researcher.coordinator.snapshot(manifest.id)!
  assert.equal(snapshot.rounds?.closed.length, firstSmall + 1)
  assert.equal(snapshot.rounds?.converged, true)
  assert.ok(snapshot.timeline.some(e => e.kind === 'done' && /converged/.test(e.text)))

  await stopPeers()
})

test('given a researcher stopped mid-round and restarted on its store, it resumes at that round, keeps its verified chunks and ends with the same state', async () => {
  device ??= await openDevice()
  researcher = await startResearcher()
  const { manifest, data } = await publishIteration(researcher, { count: 4 })
  await researcher.coordinator.addProject(manifest)
  const computed: number[] = []
  researcher.coordinator.events.addEventListener('chunk:verified', (evt: any) => { computed.push(evt.detail.chunk) })
  let volunteer = await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 20 }))
  volunteers.push(volunteer)
  void volunteer.volunteer.join(manifest, { acceptCustomWgsl: true }).catch(() => {})
  // Stop once round 1 is under way with a few chunks verified.
  const midRound = CHUNKS + 3
  while (computed.filter(c => c >= CHUNKS).length < 3) await new Promise(resolve => setTimeout(resolve, 10))
  const { dir, privateKey } = researcher
  const verifiedBefore = [...computed]
  await stopPeer(volunteer)
  volunteers.splice(0)
  await stopPeer(researcher, true)

  researcher = await startResearcher({ dir, privateKey })
  const leasedAfter: number[] = []
  researcher.coordinator.events.addEventListener('chunk:leased', (evt: any) => { leasedAfter.push(evt.detail.chunk) })
  await researcher.coordinator.addProject(manifest)
  const resumed = researcher.coordinator.snapshot(manifest.id)!
  assert.equal(resumed.rounds?.round, 1, 'resumed in round 1')
  assert.equal(resumed.rounds?.closed.length, 1)
  assert.ok((resumed.rounds?.chunksDone ?? 0) >= midRound - CHUNKS)
  volunteer = await startVolunteer(researcher, device)
  volunteers.push(volunteer)
  const run = volunteer.volunteer.join(manifest, { acceptCustomWgsl: true })
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  await run
  assert.deepEqual(leasedAfter.filter(c => verifiedBefore.includes(c)), [], 'no chunk verified before the stop was leased again')

  const out = join(researcher.dir.path, 'resumed.npy')
  await exportProject(researcher.store, manifest.id, 'npy', out)
  const state = await readNpyMatrix(out)
  const expected = expectedStates(data, 0, 4)
  assert.ok(Math.abs(state.data[0]! - expected[4]!) < 1e-5, `resumed state ${state.data[0]} vs ${expected[4]}`)

  await stopPeers()
})

test('given --round-quorum 0.75 and a volunteer that stalls, each round closes without its stragglers and counts them as dropped', async () => {
  device ??= await openDevice()
  // No backup copies: they would finish the straggler's chunk elsewhere, and the quorum would never be needed.
  researcher = await startResearcher({ coordinator: { backupMinAgeMs: 300, maxBackupsPerChunk: 0 } })
  const { manifest } = await publishIteration(researcher, { count: 2, quorum: 0.75 })
  await researcher.coordinator.addProject(manifest)
  const fast = await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 10 }))
  // The staller never finishes a chunk within the test.
  const staller = await startVolunteer(researcher, instrumentedDevice(device, { delayMs: 600_000 }))
  volunteers.push(staller, fast)
  void staller.volunteer.join(manifest, { acceptCustomWgsl: true }).catch(() => {})
  await new Promise(resolve => setTimeout(resolve, 200))
  void fast.volunteer.join(manifest, { acceptCustomWgsl: true }).catch(() => {})
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  const records = await loadRoundRecords(researcher.store, manifest.id)
  assert.equal(records.length, 2)
  const dropped = records.reduce((sum, r) => sum + r.dropped, 0)
  console.log(`dropped per round: ${records.map(r => r.dropped).join(', ')}`)
  assert.ok(records.every(r => r.chunks >= Math.ceil(0.75 * CHUNKS)), 'every round folded at least its quorum')
  assert.ok(dropped >= 1, 'the staller\'s chunk was dropped at least once')
})
