import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { CliMesh, events } from './helpers/cli-peers.ts'

/**
 * Issue: volunteering on the volunteer's terms. Real `mesh` processes: a
 * volunteer that computes only when idle (its idle time read by
 * --idle-command from a file), and volunteers that a hostile kernel cannot
 * hang.
 */

// Each item runs 60,000 steps of a recurrence: a chunk is sized by the trial to about --seconds-per-chunk here.
const stepsWgsl = `fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  var x = f32(i % 1000u) * 0.001;
  for (var k = 0u; k < params.steps; k++) { x = x * 0.99999 + 0.5; }
  return array<f32, OUT_COLS>(x, f32(i));
}
`
const STEPS = 60_000
const ITEMS = 100_000

/** The same recurrence in fp32 on the CPU (items repeat every 1,000). */
const expected = Array.from({ length: 1000 }, (_, r) => {
  let x = Math.fround(Math.fround(r) * Math.fround(0.001))
  for (let k = 0; k < STEPS; k++) x = Math.fround(Math.fround(x * Math.fround(0.99999)) + 0.5)
  return x
})

// Items from 65,536 on (all but the first chunk) run 60,000 iterations of 32 dependent steps: no loop reaches
// llvmpipe's loop budget, but a chunk of them would compute for many minutes. The first chunk passes the trial.
const HEAVY_STEPS = Array.from({ length: 32 }, () => '      x = x * 1.0000001 + 0.5;').join('\n')
const hangingWgsl = `fn compute_item(i: u32) -> array<f32, OUT_COLS> {
  var x = f32(i);
  if (i >= 65536u) {
    for (var a = 0u; a < 60000u; a++) {
${HEAVY_STEPS}
    }
  }
  return array<f32, OUT_COLS>(x, f32(i));
}
`

let mesh: CliMesh
before(async () => {
  mesh = await CliMesh.create('policy')
  await writeFile(mesh.dataDir('steps.wgsl'), stepsWgsl)
  await writeFile(mesh.dataDir('hang.wgsl'), hangingWgsl)
})
after(async () => { await mesh.cleanup() })

async function waitFor<T> (probe: () => T | undefined, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = probe()
    if (value != null && value !== false) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

test('given a volunteer that computes only when idle, it takes no lease while the user is active, computes when idle, and within about a second of activity hands its chunks back to be reassigned', async () => {
  const idleFile = mesh.dataDir('idle-seconds')
  await writeFile(idleFile, '0')
  const researcher = mesh.start('researcher', ['publish', '--kernel', 'wgsl', '--wgsl', mesh.dataDir('steps.wgsl'), '--items', String(ITEMS), '--out-cols', '2',
    '--param', `steps:u32=${STEPS}`, '--seconds-per-chunk', '2', '--name', 'steps', '--until-done', '--json'])
  const published = await waitFor(() => events(researcher, 'published')[0], 90_000, 'the project to be published')
  const shy = mesh.start('shy', ['volunteer', '--auto', '--accept-wgsl', '--json', '--when', 'idle', '--idle-after', '2s', '--idle-command', `cat ${idleFile}`])
  const policy = await waitFor(() => events(shy, 'policy')[0], 60_000, 'the volunteer policy')
  assert.equal(policy.compute, false, JSON.stringify(policy))
  assert.match(policy.reason, /you are using this computer \(idle 0:00 of 0:02\)/)
  assert.ok(policy.sources.some((line: string) => /idle detection: idle command .* works/.test(line)), policy.sources.join('; '))
  await waitFor(() => events(shy, 'joined')[0], 30_000, 'the volunteer to join')
  await new Promise(resolve => setTimeout(resolve, 2000))
  assert.equal(events(researcher, 'chunk-leased').length, 0, 'no lease while the user is active')

  await writeFile(idleFile, '120')
  await waitFor(() => events(shy, 'resumed')[0], 10_000, 'the volunteer to resume when idle')
  const leased = await waitFor(() => {
    const ofProject = events(researcher, 'chunk-leased').filter(e => e.projectId === published.id)
    return ofProject.length > 0 ? ofProject : undefined
  }, 10_000, 'a lease once idle')
  const shyPeer = leased[0].volunteer
  await new Promise(resolve => setTimeout(resolve, 500))

  await writeFile(idleFile, '0')
  const paused = await waitFor(() => events(shy, 'paused')[0], 10_000, 'the volunteer to pause on activity')
  assert.equal(paused.code, 'active-user')
  const handedBack = await waitFor(() => {
    const requeued = events(researcher, 'chunk-requeued').filter(e => e.volunteer === shyPeer)
    return requeued.length > 0 ? requeued : undefined
  }, 10_000, 'the chunks to be handed back').catch(err => {
    console.log(JSON.stringify(shy.lines), shy.stderr, JSON.stringify(researcher.lines.filter(l => l.event !== "chunk-verified")))
    throw err
  })
  console.log(`chunks ${handedBack.map(e => e.chunk).join(', ')} handed back ${handedBack[0].at - paused.at} ms after the pause (${handedBack[0].reason})`)
  assert.ok(handedBack.every(e => /released by the volunteer/.test(e.reason)), JSON.stringify(handedBack))

  // Another volunteer, computing always, finishes the project, the handed-back chunks included.
  const eager = mesh.start('eager', ['volunteer', '--auto', '--accept-wgsl', '--json'])
  assert.equal(await researcher.exited, 0, researcher.stderr)
  const verified = events(researcher, 'chunk-verified')
  for (const { chunk } of handedBack) assert.ok(verified.some(e => e.chunk === chunk && e.volunteer !== shyPeer), `chunk ${chunk} was reassigned and verified`)
  assert.equal(events(shy, 'chunk-computed').filter(e => verified.some(v => v.chunk === e.chunk && v.volunteer === shyPeer)).length, 0)

  const out = mesh.dataDir('steps.json')
  const exported = await mesh.run('researcher', ['export', published.id, '--format', 'json', '--out', out])
  assert.equal(exported.code, 0, exported.stderr)
  const rows = JSON.parse(await readFile(out, 'utf8')) as number[][]
  assert.equal(rows.length, ITEMS)
  // GPUs may fuse the multiply-add: 60,000 steps apart, a relative 1e-3 between the two.
  for (let i = 0; i < rows.length; i++) {
    const x = expected[i % 1000]
    assert.ok(Math.abs(rows[i][0] - x) <= 1e-3 * Math.abs(x), `item ${i}: ${rows[i][0]} vs ${x}`)
    assert.equal(rows[i][1], i)
  }
  for (const proc of [shy, eager]) {
    proc.child.kill('SIGINT')
    await proc.exited
    assert.doesNotMatch(proc.stderr, /Vulkan|Dawn|maxDynamicUniform|Warning:/, 'nothing from the native WebGPU library reaches the terminal')
  }
})

test('given a kernel that never finishes, each volunteer kills it at its time limit, stays up and computes another project, and the researcher fails the hostile project with the reason', async () => {
  const hostile = mesh.start('hostile', ['publish', '--kernel', 'wgsl', '--wgsl', mesh.dataDir('hang.wgsl'), '--items', String(4 * 65536), '--out-cols', '2',
    '--items-per-chunk', '65536', '--name', 'hangs', '--until-done', '--json'])
  const published = await waitFor(() => events(hostile, 'published')[0], 90_000, 'the hostile project to be published')
  const volunteers = ['one', 'two'].map(name => mesh.start(`v-${name}`, ['volunteer', '--auto', '--accept-wgsl', '--json', '--max-chunk-time', '3s']))
  assert.equal(await hostile.exited, 1, 'the hostile project failed')
  const failed = events(hostile, 'failed')[0]
  assert.match(failed.reason, /kernel exceeded its time limit on 2 volunteers/)
  for (const volunteer of volunteers) {
    const left = await waitFor(() => events(volunteer, 'left').find(e => e.projectId === published.id), 30_000, 'the volunteer to leave the hostile project')
    assert.equal(left.outcome, 'timed-out')
    assert.match(left.reason, /the kernel exceeded its time limit \(3\.0 s\)/)
  }

  // The same volunteers, still up, compute the next project.
  const good = mesh.start('good', ['publish', '--kernel', 'matmul', '--size', '64', '--name', 'after', '--until-done', '--json'])
  assert.equal(await good.exited, 0, good.stderr)
  const goodId = events(good, 'published')[0].id
  const computed = volunteers.flatMap(v => events(v, 'chunk-computed').filter(e => e.projectId === goodId))
  assert.ok(computed.length > 0, 'the volunteers computed the next project')
  const status = await mesh.run('hostile', ['status', '--json'])
  const project = status.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l)).find(p => p.projectId === published.id)
  assert.equal(project?.status, 'failed', status.stdout)
  for (const volunteer of volunteers) {
    assert.equal(volunteer.child.exitCode, null, 'the volunteer stayed up')
    volunteer.child.kill('SIGINT')
    await volunteer.exited
    assert.doesNotMatch(volunteer.stderr, /Vulkan|Dawn|maxDynamicUniform|Warning:/)
  }
})
