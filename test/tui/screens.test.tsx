import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ReactElement } from 'react'
import { render } from 'ink-testing-library'
import { computeProjectStats } from '../../src/node/metrics.ts'
import { initialPublishForm, publishFormReducer } from '../../src/tui/hooks/use-publish-form.ts'
import { AcceptWgslScreen } from '../../src/tui/screens/accept-wgsl-screen.tsx'
import { DashboardScreen } from '../../src/tui/screens/dashboard-screen.tsx'
import { HealthScreen } from '../../src/tui/screens/health-screen.tsx'
import { HistoryScreen } from '../../src/tui/screens/history-screen.tsx'
import { HomeScreen } from '../../src/tui/screens/home-screen.tsx'
import { LeaderboardScreen } from '../../src/tui/screens/leaderboard-screen.tsx'
import { PublishScreen } from '../../src/tui/screens/publish-screen.tsx'
import { VolunteerScreen } from '../../src/tui/screens/volunteer-screen.tsx'
import { ThemeContext } from '../../src/tui/theme.tsx'
import {
  NOW, bobProject, defaultFixtureState, device, mapProject, ownProject, ownRecords, ownStats, peers, project, sampleHistory,
  sampleLeaderboard, selfId, wgslSource
} from './support/fixture-port.ts'

/** Renders a screen without colour and answers its text. */
function frameOf (screen: ReactElement): string {
  const { lastFrame, unmount } = render(<ThemeContext.Provider value={{ color: false }}>{screen}</ThemeContext.Provider>)
  const frame = lastFrame() ?? ''
  unmount()
  return frame
}

function lineWith (frame: string, text: string): string {
  const line = frame.split('\n').find(l => l.includes(text))
  assert.ok(line != null, `no line with "${text}" in:\n${frame}`)
  return line
}

test('home: this peer and its device, projects with owner, kernel, progress and volunteers, peers', () => {
  const frame = frameOf(<HomeScreen self={{ peerId: selfId, name: 'alice', device }} peers={peers}
    projects={[ownProject, bobProject, mapProject]} selected={1} width={100} height={21} now={NOW} />)
  assert.match(lineWith(frame, 'alice'), /AAself01\s+opengles \(compatibility\) · llvmpipe \(Mesa\)/)
  assert.match(lineWith(frame, 'mm-own'), /you\s+matmul\s+512x512 · 512x512\s+████░░░░░░\s+41%\s+2 running/)
  // The highlighted project carries the marker.
  assert.match(lineWith(frame, 'bob-matmul'), /^› bob-matmul\s+bob\s+matmul .* 18%\s+1 running/)
  assert.match(lineWith(frame, 'norms'), /carol\s+map\*/)
  assert.match(frame, /\* runs the researcher's own WGSL/)
  assert.match(frame, /Peers \(2 connected\)/)
  assert.match(lineWith(frame, '/ip4/10.0.0.3'), /carol\s+Ccarol03\s+connected\s+14 ms\s+5s ago\s+\/ip4\/10\.0\.0\.3\/tcp\/4001/)
})

test('home: rows the projects leave go to the peers, connected ones first; a long list of each shares the screen', () => {
  const many = Array.from({ length: 16 }, (_, i) => ({
    id: `12D3KooWPeer${String(i).padStart(2, '0')}XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`, name: `peer-${i}`, addresses: [], connected: i >= 2, lastSeen: NOW - i * 1000
  }))
  let frame = frameOf(<HomeScreen self={{ peerId: selfId, name: 'alice', device }} peers={many}
    projects={[ownProject]} selected={0} width={80} height={21} now={NOW} />)
  assert.match(frame, /Peers \(14 connected\)/)
  const peerLines = frame.split('\n').filter(line => /peer-\d+/.test(line))
  assert.equal(peerLines.length, 12, `every row under the peers heading is used:\n${frame}`)
  assert.ok(peerLines.every(line => /connected/.test(line)), `connected peers first:\n${frame}`)
  assert.match(frame, /\+4 more/)
  const projects = Array.from({ length: 20 }, (_, i) => project({ id: `proj-${i}`, name: `p-${i}` }))
  frame = frameOf(<HomeScreen self={{ peerId: selfId, name: 'alice', device }} peers={many}
    projects={projects} selected={0} width={80} height={21} now={NOW} />)
  assert.equal(frame.split('\n').filter(line => /peer-\d+/.test(line)).length, 3, frame)
  assert.match(frame, /\+11 more/)
  assert.match(frame, /\+13 more/)
})

test('home: empty mesh says what to do; the CPU fallback is named', () => {
  const frame = frameOf(<HomeScreen self={{ peerId: selfId, name: 'alice', device: { backend: 'cpu', featureLevel: 'cpu', description: '', fallbackReasons: [] } }}
    peers={[]} projects={[]} selected={0} width={100} height={21} now={NOW} />)
  assert.match(frame, /CPU reference \(no WebGPU adapter\)/)
  assert.match(frame, /none yet: publish one \(2\)/)
  assert.match(frame, /Peers \(0 connected\)/)
})

test('dashboard: progress, chunk grid, rates, speed-up, efficiency, verification, volunteers, events', () => {
  const frame = frameOf(<DashboardScreen stats={ownStats()} width={100} height={21} />)
  assert.match(frame, /mm-own.*matmul 512x512 · 512x512\s+running\s+redundancy 1 · spot-check 0%/)
  assert.match(frame, /41%\s+10\/24 chunks/)
  // 24 chunks fit on one grid line: 10 verified, 3 leased, 11 queued.
  assert.match(frame, /^██████████▒▒▒···········$/m)
  assert.match(frame, /█ verified 10\s+▓ verifying 0\s+▒ leased 3\s+· queued 11/)
  assert.match(frame, /Throughput\s+1\.00 chunks\/s\s+2\.0 GFLOPS\s+[▁-█]+\s+ETA 14\.0 s/)
  assert.match(frame, /Speed-up\s+2 volunteers, 1\.5x\s+over one peer, wall 10\.0 s/)
  assert.match(frame, /efficiency 83%\s+compute 15\.0 s · transfer 3\.0 s · 20\.0 MiB moved/)
  assert.match(frame, /Verified\s+10 · mismatches 1 · spot checks 2 · banned 0/)
  assert.match(frame, /Volunteers \(2 active\)/)
  assert.match(lineWith(frame, 'bob '), /5\s+3\s+1\.3 GFLOPS active/)
  assert.match(lineWith(frame, 'dave'), /0\s+0\s+0 GFLOPS lost/)
  assert.match(frame, /dave left: chunk 13 requeued/)
  assert.match(frame, /chunk 13 requeued \(connection closed\)/)
})

test('dashboard: events name volunteers as the table does', () => {
  const records = ownRecords()
  const stats = computeProjectStats({ ...records, timeline: [{ at: NOW, kind: 'lost', text: 'Ccarol03 lost (connection closed); requeued chunks 11' }] }, NOW)
  const frame = frameOf(<DashboardScreen stats={stats} width={100} height={21} />)
  assert.match(frame, /carol lost \(connection closed\); requeued chunks 11/)
})

test('dashboard: a finished project, a failed one, and the export line', () => {
  const records = ownRecords()
  const finished = computeProjectStats({
    ...records,
    project: { ...records.project, status: 'done' },
    chunks: records.chunks.map(c => ({ ...c, state: 'verified' as const, verifiedAt: c.verifiedAt ?? NOW, volunteer: c.volunteer ?? 'B', computeMs: 1_500 })),
    finishedAt: NOW
  }, NOW + 60_000)
  const done = frameOf(<DashboardScreen stats={finished} width={100} height={21} exportForm={{ format: 'csv', path: 'mm-own.csv', pathEdited: false }} />)
  assert.match(done, /100%\s+24\/24 chunks/)
  assert.match(done, /ETA done/)
  assert.match(done, /Export format ‹csv›\s+path mm-own\.csv█/)
  const failed = frameOf(<DashboardScreen stats={{ ...finished, failure: 'chunk 7 failed on 5 volunteers' }} width={100} height={21} />)
  assert.match(failed, /Failed: chunk 7 failed on 5 volunteers/)
  const reduced = frameOf(<DashboardScreen stats={{ ...finished, result: [10.450583572, 1048576, 0.25] }} width={100} height={21} />)
  assert.match(reduced, /result:\s+10\.4506, 1048576, 0\.250000/)
})

test('dashboard: why chunks wait, under the progress bar; FLOPs a researcher did not count read as unknown; the publish notes', () => {
  const waiting = [
    'chunks need 2 distinct volunteers whose results agree; only 1 has joined (redundancy 2): waiting for more',
    '1 volunteer cannot run it: this device stops loops after 65,535 iterations; the project needs more'
  ]
  const stats = { ...ownStats(), project: { ...ownProject, kernel: 'wgsl', dims: '20000 items -> 2 cols' }, waiting, flopsKnown: false }
  const frame = frameOf(<DashboardScreen stats={stats} notes={['trial: 4,096 items in 21 ms on llvmpipe (Mesa); 20,000 items per chunk']} width={100} height={24} />)
  const lines = frame.split('\n')
  const at = lines.findIndex(l => l.startsWith('waiting:'))
  assert.ok(at > 0 && /chunks$/.test(lines[at - 1]), `the waiting block follows the progress bar:\n${frame}`)
  assert.match(lines[at], /^waiting: {4}chunks need 2 distinct volunteers whose results agree; only 1 has joined \(redundancy$/)
  // A reason too long for one line goes on under the label, not off the screen.
  assert.match(lines[at + 1], /^ {14}2\): waiting for more$/)
  assert.match(lines[at + 2], /^ {12}1 volunteer cannot run it: this device stops loops after 65,535 iterations; the$/)
  assert.match(lines[at + 3], /^ {14}project needs more$/)
  assert.match(frame, /Throughput .*GFLOPS unknown /)
  assert.match(frame, /^ {12}FLOPs unknown — publish with --flops-per-item$/m)
  assert.doesNotMatch(frame, /\d GFLOPS/)
  assert.match(lineWith(frame, 'bob '), /\sunknown\s+active/)
  assert.match(frame, /^Published {3}trial: 4,096 items in 21 ms on llvmpipe \(Mesa\); 20,000 items per chunk$/m)
  assert.ok(lines.length <= 24, `fits its height:\n${frame}`)
  // Nothing waits once the project is done.
  const done = frameOf(<DashboardScreen stats={{ ...stats, project: { ...stats.project, status: 'done' } }} width={100} height={24} />)
  assert.doesNotMatch(done, /waiting:/)
})

test('volunteer: why it waits, and why it left a project its device cannot run', () => {
  const wgslProject = project({ id: 'proj-pi-000004', name: 'pi', kernel: 'wgsl', dims: '20000 items -> 2 cols' })
  const reason = 'llvmpipe (Mesa): this device stops loops after 65,535 iterations; the project needs more'
  const left = frameOf(<VolunteerScreen device={device} project={wgslProject}
    status={{ projectId: wgslProject.id, state: 'stopped', chunksComputed: 0, creditsFlops: 0, receipts: 0, lastError: reason, ended: { projectId: wgslProject.id, outcome: 'unsupported', reason } }}
    prefs={{ paused: false, maxDutyCycle: 1, acceptCustomWgsl: true }} width={100} height={21} />)
  assert.match(left, /State\s+left: this device cannot run the project/)
  assert.match(left, /Why\s+llvmpipe \(Mesa\): this device stops loops after 65,535 iterations; the project needs more/)
  assert.doesNotMatch(left, /Last error/, 'the reason is said once')
  const waiting = frameOf(<VolunteerScreen device={device} project={wgslProject}
    status={{ projectId: wgslProject.id, state: 'waiting', chunksComputed: 2, creditsFlops: 0, receipts: 0 }}
    prefs={{ paused: false, maxDutyCycle: 1, acceptCustomWgsl: true }} width={100} height={21} />)
  assert.match(waiting, /State\s+waiting for work/)
  assert.match(waiting, /Why\s+the researcher has no chunk for this peer now/)
  // Stopped by this peer: nothing to explain.
  const stopped = frameOf(<VolunteerScreen device={device} project={wgslProject}
    status={{ projectId: wgslProject.id, state: 'stopped', chunksComputed: 2, creditsFlops: 0, receipts: 0, ended: { projectId: wgslProject.id, outcome: 'stopped' } }}
    prefs={{ paused: false, maxDutyCycle: 1, acceptCustomWgsl: true }} width={100} height={21} />)
  assert.match(stopped, /State\s+stopped$/m)
  assert.doesNotMatch(stopped, /Why/)
})

test('volunteer: project, current chunk, device, credits and preferences', () => {
  const frame = frameOf(<VolunteerScreen device={device} project={bobProject}
    status={{ projectId: bobProject.id, state: 'computing', currentChunk: 7, chunksComputed: 12, creditsFlops: 24e9, receipts: 11, lastError: 'lease 9 expired' }}
    prefs={{ paused: false, maxDutyCycle: 0.5, acceptCustomWgsl: false }} width={100} height={21} />)
  assert.match(frame, /bob-matmul .* by bob · matmul 512x512 · 512x512/)
  assert.match(frame, /18%\s+3\/16 chunks/)
  assert.match(frame, /State\s+computing chunk 7/)
  assert.match(frame, /Device\s+opengles \(compatibility\) · llvmpipe \(Mesa\)/)
  assert.match(frame, /no core adapter \(no Vulkan\)/)
  assert.match(frame, /24\.0 GFLOP verified · 11 receipts · 12 chunks computed/)
  assert.match(frame, /Last error: lease 9 expired/)
  assert.match(frame, /Duty cycle\s+GPU busy at most 50% of the time/)
  assert.match(frame, /Custom WGSL off: built-in kernels only/)
  const idle = frameOf(<VolunteerScreen device={device} status={{ state: 'idle', chunksComputed: 0, creditsFlops: 0, receipts: 0 }}
    prefs={{ paused: true, maxDutyCycle: 1, acceptCustomWgsl: true }} width={100} height={21} />)
  assert.match(idle, /not contributing: pick a project on Home/)
  assert.match(idle, /Paused\s+yes/)
  const pausing = frameOf(<VolunteerScreen device={device} project={bobProject}
    status={{ projectId: bobProject.id, state: 'computing', currentChunk: 7, chunksComputed: 1, creditsFlops: 0, receipts: 0 }}
    prefs={{ paused: true, maxDutyCycle: 1, acceptCustomWgsl: false }} width={100} height={21} />)
  assert.match(pausing, /State\s+computing chunk 7 \(pausing after this chunk\)/)
  assert.match(pausing, /1 chunk computed/)
})

test('custom-WGSL prompt: the whole source with line numbers, and the preference', () => {
  const frame = frameOf(<AcceptWgslScreen project={mapProject} prefs={{ paused: false, maxDutyCycle: 1, acceptCustomWgsl: true }} scroll={0} width={100} height={21} />)
  assert.match(frame, /norms by carol runs its own WGSL on your GPU/)
  for (const [i, line] of wgslSource.split('\n').entries()) assert.ok(frame.includes(`${i + 1} ${line}`), `line ${i + 1} missing:\n${frame}`)
  const refused = frameOf(<AcceptWgslScreen project={mapProject} prefs={{ paused: false, maxDutyCycle: 1, acceptCustomWgsl: false }} scroll={0} width={100} height={21} />)
  assert.match(refused, /allow built-in kernels only/)
  const long = { ...mapProject, customWgsl: Array.from({ length: 40 }, (_, i) => `// line ${i + 1}`).join('\n') }
  const scrolled = frameOf(<AcceptWgslScreen project={long} scroll={10} width={100} height={21} />)
  assert.match(scrolled, /11 \/\/ line 11/)
  assert.doesNotMatch(scrolled, /\/\/ line 10$/m)
  assert.match(scrolled, /… 14 more lines/)
})

test('leaderboard: top volunteers by verified work with gold, silver and bronze', () => {
  const frame = frameOf(<LeaderboardScreen entries={sampleLeaderboard()} selfId={selfId} width={100} height={21} />)
  assert.match(lineWith(frame, 'bob'), /1 ★ gold\s+bob\s+.*12\.0 GFLOP\s+6\s+9\.0 s/)
  assert.match(lineWith(frame, 'carol'), /2 ★ silver\s+carol\s+.*8\.0 GFLOP\s+4/)
  assert.match(lineWith(frame, 'alice'), /3 ★ bronze\s+alice \(you\)/)
  assert.match(lineWith(frame, 'eve05'), /^\s*4\s+EEEeve05/)
  assert.match(frameOf(<LeaderboardScreen entries={[]} selfId={selfId} width={100} height={21} />), /no verified work yet/)
})

test('health: peers, queue, in flight, done, mean and p95 response time, connections', () => {
  const { health } = defaultFixtureState()
  const frame = frameOf(<HealthScreen health={health} peers={peers} width={100} height={21} now={NOW} />)
  assert.match(frame, /Peers connected 2\s+connections 2\s+projects known 3/)
  assert.match(frame, /Chunks queued 11\s+in flight 3\s+done 10/)
  assert.match(frame, /mean 10 ms\s+p95 30 ms/)
  assert.match(lineWith(frame, 'bob'), /connected\s+3\.2 ms/)
})

test('history: past projects with size, volunteers, duration, throughput, efficiency', () => {
  const frame = frameOf(<HistoryScreen entries={sampleHistory()} selected={0} width={100} height={21} now={NOW} />)
  assert.match(lineWith(frame, 'old-run'), /^› old-run\s+matmul\s+512x512 · 512x512\s+1\s+9\.5 s\s+5\.1 GFLOPS\s+88%\s+2\.5x\s+just now\s+done/)
})

test('publish: the form for the chosen kernel, inline field errors and the peer\'s problems', () => {
  let form = publishFormReducer(initialPublishForm, { type: 'field-errors', errors: { size: 'size must be a positive whole number' } })
  form = publishFormReducer(form, { type: 'spec-errors', errors: ['B.npy: expected a 2-D float32 array, got float64 (3, 4)'] })
  const frame = frameOf(<PublishScreen form={form} width={100} height={21} />)
  assert.match(frame, /Kernel\s+‹ matmul ›/)
  assert.match(frame, /› Size N\s+512\s+size must be a positive whole number/)
  assert.match(frame, /✗ B\.npy: expected a 2-D float32 array, got float64 \(3, 4\)/)
  assert.match(frame, /A and B are N x N, generated from the seed/)
  const map = publishFormReducer(publishFormReducer(initialPublishForm, { type: 'move', step: 1 }), { type: 'choose', step: 1 })
  const mapFrame = frameOf(<PublishScreen form={map} pending='checking and publishing' width={100} height={21} />)
  assert.match(mapFrame, /WGSL file\s+\(empty\)/)
  assert.match(mapFrame, /Dataset\s+\(empty\)/)
  assert.match(mapFrame, /Output cols\s+1/)
  assert.match(mapFrame, /\[ checking and publishing \]/)
})
