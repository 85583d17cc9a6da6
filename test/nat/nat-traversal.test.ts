import { test, after, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { Internet, internetUnavailable, type NetHost } from '../helpers/nat-internet.ts'
import { JsonLines } from '../helpers/json-lines.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import { runMesh } from '../helpers/run-mesh.ts'
import { compareWithReference, events } from '../e2e/helpers/cli-peers.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { generateSwarmKey } from '../../src/node/network/swarm-key.ts'

/**
 * Two networks (DESIGN.md section 14, issue 15): real `mesh` CLI processes
 * in a simulated internet of network namespaces (test/helpers/nat-internet.ts):
 * a relay on the public bridge, labs behind NAT routers. Each peer is told
 * only the relay's address.
 */

const unavailable = await internetUnavailable()
if (unavailable != null) console.log(`# NAT test skipped: ${unavailable}`)

const dir = await makeTempDir('mesh-nat-')
const internets: Internet[] = []
after(async () => {
  for (const internet of internets) await internet.cleanup()
  await dir.remove()
})

const PORT = 4001
const common = ['--no-mdns', '--no-upnp', '--json']

/** A fresh simulated internet for one test, removed (with every process in it) when the test ends. */
async function internet (t: TestContext, spec: Parameters<typeof Internet.create>[0]): Promise<Internet> {
  const made = await Internet.create(spec)
  internets.push(made)
  t.after(async () => { await made.cleanup() })
  return made
}

function mesh (net: Internet, host: NetHost, dataDir: string, args: string[], port = PORT): JsonLines {
  return new JsonLines(net.spawnMesh(host, [...args, ...common, '--listen', `/ip4/0.0.0.0/tcp/${port}`, '--data-dir', join(dir.path, net.id, dataDir)]))
}

/** Starts a relay on a public host; answers its process and its address for --bootstrap. */
async function startRelay (net: Internet, label: string, extra: string[] = []): Promise<{ proc: JsonLines, address: string }> {
  const host = net.host(label)
  const proc = mesh(net, host, label, ['serve', '--relay', ...extra])
  const started = await proc.waitFor('started', line => line.event === 'started')
  return { proc, address: `/ip4/${host.ip}/tcp/${PORT}/p2p/${started.peerId}` }
}

/** `mesh doctor --json` on a host, to completion. */
async function doctor (net: Internet, host: NetHost, dataDir: string, args: string[], port = PORT + 1): Promise<any> {
  const proc = mesh(net, host, dataDir, ['doctor', ...args], port)
  assert.equal(await proc.exited, 0, proc.stderr)
  assert.equal(proc.lines.length, 1, `one JSON object: ${JSON.stringify(proc.lines)}`)
  return proc.lines[0]
}

test('a researcher and a volunteer behind two NATs, told only the relay, hole punch and finish a project over the direct connection', { skip: unavailable }, async (t) => {
  const net = await internet(t, { publicHosts: ['relay'], lans: [{ label: 'a', nat: 'cone' }, { label: 'b', nat: 'cone' }] })
  const relay = await startRelay(net, 'relay')
  const routerA = net.lan('a').router
  const routerB = net.lan('b').router
  // What crosses the relay host, and what goes between the two routers directly.
  await net.addCounters(net.host('relay').ns, 'input', { relayIn: '' })
  await net.addCounters(routerB.ns, 'forward', { toA: `ip daddr ${routerA.ip}`, fromA: `ip saddr ${routerA.ip}` })

  const a = generateMatrix(256, 256, 31)
  const b = generateMatrix(256, 256, 32)
  await writeNpyMatrix(join(dir.path, 'A.npy'), a)
  await writeNpyMatrix(join(dir.path, 'B.npy'), b)
  const researcher = mesh(net, net.host('a'), 'researcher', ['publish', '--kernel', 'matmul', '--a', join(dir.path, 'A.npy'), '--b', join(dir.path, 'B.npy'), '--rows-per-chunk', '64', '--until-done', '--bootstrap', relay.address])
  const volunteer = mesh(net, net.host('b'), 'volunteer', ['volunteer', '--auto', '--until-done', '--bootstrap', relay.address])

  assert.equal(await researcher.exited, 0, researcher.stderr)
  assert.equal(await volunteer.exited, 0, volunteer.stderr)
  const volunteerId = volunteer.lines[0].peerId
  const researcherId = researcher.lines[0].peerId

  // Each side held a reservation on the relay, met the other through it, and hole punched.
  for (const proc of [researcher, volunteer]) assert.ok(events(proc, 'relay-reservation').length > 0, `a reservation: ${proc.stderr}`)
  const punchedAtResearcher = events(researcher, 'direct-path').find(e => e.peer === volunteerId)
  const punchedAtVolunteer = events(volunteer, 'direct-path').find(e => e.peer === researcherId)
  assert.ok(punchedAtResearcher != null && punchedAtVolunteer != null, `direct paths: ${JSON.stringify(events(researcher, 'direct-path'))} ${JSON.stringify(events(volunteer, 'direct-path'))}`)
  assert.match(punchedAtVolunteer.address, new RegExp(`^/ip4/${routerA.ip.replaceAll('.', '\\.')}/tcp/${PORT}/`), 'the volunteer reached the researcher at its router\'s mapped port, not through the relay')
  assert.match(punchedAtResearcher.address, new RegExp(`^/ip4/${routerB.ip.replaceAll('.', '\\.')}/tcp/${PORT}/`))
  assert.ok(punchedAtVolunteer.holePunchMs != null && punchedAtVolunteer.holePunchMs < 15_000)
  console.log(`# hole punched in ${punchedAtVolunteer.holePunchMs} ms (volunteer) / ${punchedAtResearcher.holePunchMs} ms (researcher)`)

  // Every chunk was leased after the direct connection existed, and the bytes went between the routers, not through the relay.
  const leased = events(researcher, 'chunk-leased')
  assert.ok(leased.length >= 4)
  for (const lease of leased) assert.ok(lease.at >= punchedAtResearcher.at, 'no chunk leased before the direct path')
  assert.equal(events(volunteer, 'no-lease-over-relay').length, 0)
  const done = events(researcher, 'done')[0]
  assert.equal(done.chunks, 4)
  const counted = { ...await net.counters(net.host('relay').ns), ...await net.counters(routerB.ns) }
  const direct = counted.toA + counted.fromA
  console.log(`# bytes moved ${done.bytesMoved}; between the routers directly ${direct}; into the relay ${counted.relayIn}`)
  assert.ok(direct >= done.bytesMoved, `the chunks' ${done.bytesMoved} bytes crossed the direct path (${direct})`)
  assert.ok(counted.relayIn < done.bytesMoved / 2, `the relay carried signalling only (${counted.relayIn} bytes in)`)

  const exported = await runMesh(['export', done.projectId, '--format', 'npy', '--out', join(dir.path, 'C.npy'), '--data-dir', join(dir.path, net.id, 'researcher')])
  assert.equal(exported.code, 0, exported.stderr)
  const compared = compareWithReference(a, b, await readNpyMatrix(join(dir.path, 'C.npy')))
  assert.ok(compared.ok, JSON.stringify(compared))
  relay.proc.child.kill('SIGINT')
  assert.equal(await relay.proc.exited, 0, relay.proc.stderr)
})

test('with a symmetric NAT on one side there is no direct path: both sides say so, no chunk crosses the relay, and `mesh doctor` names the NAT', { skip: unavailable }, async (t) => {
  const net = await internet(t, { publicHosts: ['relay', 'public'], lans: [{ label: 'a', nat: 'cone' }, { label: 'b', nat: 'symmetric' }] })
  const relay = await startRelay(net, 'relay')
  // A second public peer, so the volunteer's NAT is seen by two observers.
  const publicPeer = mesh(net, net.host('public'), 'public', ['serve', '--bootstrap', relay.address])
  const publicId = (await publicPeer.waitFor('started', line => line.event === 'started')).peerId
  const publicAddress = `/ip4/${net.host('public').ip}/tcp/${PORT}/p2p/${publicId}`

  const researcher = mesh(net, net.host('a'), 'researcher', ['publish', '--kernel', 'matmul', '--size', '64', '--rows-per-chunk', '16', '--bootstrap', relay.address])
  const volunteer = mesh(net, net.host('b'), 'volunteer', ['volunteer', '--auto', '--bootstrap', relay.address, '--bootstrap', publicAddress])
  const researcherId = (await researcher.waitFor('started', line => line.event === 'started')).peerId
  const volunteerId = (await volunteer.waitFor('started', line => line.event === 'started')).peerId

  const atVolunteer = await volunteer.waitFor('no-direct-path to the researcher', line => line.event === 'no-direct-path' && line.peer === researcherId, 120_000)
  const atResearcher = await researcher.waitFor('no-direct-path to the volunteer', line => line.event === 'no-direct-path' && line.peer === volunteerId, 120_000)
  const refused = await volunteer.waitFor('no-lease-over-relay', line => line.event === 'no-lease-over-relay', 60_000)
  console.log(`# volunteer: ${atVolunteer.reason}\n# researcher: ${atResearcher.reason}\n# volunteer: ${refused.reason}`)
  assert.match(atVolunteer.reason, /symmetric|port-changing/)
  assert.equal(refused.researcher, researcherId)
  assert.equal(events(researcher, 'chunk-leased').length, 0, 'no chunk leased over the relay')
  assert.equal(events(volunteer, 'chunk-computed').length, 0)
  assert.equal(events(volunteer, 'direct-path').filter(e => e.peer === researcherId).length, 0)

  // The volunteer's running peer answers `mesh doctor` through its control socket.
  const report = await doctor(net, net.host('b'), 'volunteer', [])
  assert.equal(report.running, true)
  assert.equal(report.nat.kind, 'symmetric', JSON.stringify(report.nat))
  assert.ok(report.verdicts.some((v: any) => v.code === 'nat-symmetric' && v.level === 'problem' && v.fix != null), JSON.stringify(report.verdicts))
  const path = report.projects.find((p: any) => p.researcher === researcherId)
  assert.equal(path?.path, 'no-direct-path', JSON.stringify(report.projects))
  assert.ok(report.verdicts.some((v: any) => v.code === 'no-direct-path' && v.projectId === path.projectId))
  assert.equal(report.reachability, 'relay')
  // The researcher's side lists the volunteer among the peers without a direct path.
  const researcherReport = await doctor(net, net.host('a'), 'researcher', [])
  assert.ok(researcherReport.noDirectPath.some((p: any) => p.peer === volunteerId), JSON.stringify(researcherReport.noDirectPath))
  assert.notEqual(researcherReport.nat.kind, 'symmetric')
  // And `mesh status` of the running researcher says so too.
  const status = await runMesh(['status', '--json', '--data-dir', join(dir.path, net.id, 'researcher')])
  assert.equal(status.code, 0, status.stderr)
  const network = status.stdout.split('\n').filter(line => line.trim() !== '').map(line => JSON.parse(line)).find(line => line.kind === 'network')
  assert.ok(network?.noDirectPath.some((p: any) => p.peer === volunteerId), status.stdout)
})

test('`mesh doctor --json` on a public host, on a NATed host with a relay reservation, and on a NATed host without a relay', { skip: unavailable }, async (t) => {
  const net = await internet(t, { publicHosts: ['relay', 'public'], lans: [{ label: 'a', nat: 'cone' }, { label: 'b', nat: 'cone' }] })
  const relay = await startRelay(net, 'relay')
  // Two plain public peers (no relay): one knows the relay (its DHT holds the relay's key), one is alone.
  const linked = mesh(net, net.host('public'), 'linked', ['serve', '--bootstrap', relay.address])
  const alone = mesh(net, net.host('public'), 'alone', ['serve'], PORT + 2)
  const addressOf = async (proc: JsonLines, port: number): Promise<string> => `/ip4/${net.host('public').ip}/tcp/${port}/p2p/${(await proc.waitFor('started', line => line.event === 'started')).peerId}`
  const linkedAddress = await addressOf(linked, PORT)
  const aloneAddress = await addressOf(alone, PORT + 2)

  const [onPublic, withRelay, withoutRelay, throughDht] = await Promise.all([
    doctor(net, net.host('public'), 'doctor-public', ['--bootstrap', relay.address]),
    doctor(net, net.host('a'), 'doctor-a', ['--bootstrap', relay.address]),
    doctor(net, net.host('b'), 'doctor-b', ['--bootstrap', aloneAddress, '--wait', '6']),
    doctor(net, net.host('b'), 'doctor-b-dht', ['--bootstrap', linkedAddress], PORT + 2)
  ])
  const codes = (report: any): string[] => report.verdicts.map((v: any) => v.code)

  assert.equal(onPublic.reachability, 'direct', JSON.stringify(onPublic))
  assert.equal(onPublic.confirmed, true, 'AutoNAT (the relay dialled back) confirmed it')
  assert.ok(onPublic.publicAddresses.some((a: any) => a.address.startsWith(`/ip4/${net.host('public').ip}/tcp/`)))
  assert.ok(codes(onPublic).includes('reachable-direct'), JSON.stringify(onPublic.verdicts))
  assert.equal(onPublic.ok, true)
  assert.equal(onPublic.reservations.length, 0, 'a peer with a public address keeps no reservation')

  assert.equal(withRelay.reachability, 'relay', JSON.stringify(withRelay))
  assert.equal(withRelay.reservations.length, 1)
  assert.ok(withRelay.reservations[0].address.startsWith(relay.address), JSON.stringify(withRelay.reservations))
  assert.ok(codes(withRelay).includes('relay-only'))
  assert.equal(withRelay.nat.kind, 'port-preserving', JSON.stringify(withRelay.nat))
  // The router keeps the listen port (a dial that had to leave from another port is seen at that one).
  assert.ok(withRelay.nat.external.includes(`${net.lan('a').router.ip}:${PORT + 1}`), JSON.stringify(withRelay.nat))

  assert.equal(withoutRelay.reachability, 'unreachable', JSON.stringify(withoutRelay))
  assert.equal(withoutRelay.reservations.length, 0)
  const unreachable = withoutRelay.verdicts.find((v: any) => v.code === 'unreachable')
  assert.equal(unreachable?.level, 'problem')
  assert.match(unreachable.fix, new RegExp(`open TCP port ${PORT + 1} on your router or run a relay with \`mesh serve --relay\` on a public host`))
  assert.equal(withoutRelay.ok, false)
  // Told only of a peer that knows the relay, a NATed peer finds the relay through the DHT and reserves there.
  assert.equal(throughDht.reachability, 'relay', JSON.stringify(throughDht))
  assert.ok(throughDht.reservations[0]?.address.startsWith(relay.address))
  console.log(`# verdicts: public ${codes(onPublic).join(',')}; NATed with relay ${codes(withRelay).join(',')}; NATed without ${codes(withoutRelay).join(',')}; relay found in the DHT ${codes(throughDht).join(',')}`)
})

test('a private mesh: its relay serves only peers with the swarm key, and a relay without the key serves none of them', { skip: unavailable }, async (t) => {
  const net = await internet(t, { publicHosts: ['relay', 'other'], lans: [{ label: 'a', nat: 'cone' }, { label: 'b', nat: 'cone' }] })
  const key = join(dir.path, 'swarm.key')
  const otherKey = join(dir.path, 'other.key')
  await writeFile(key, generateSwarmKey())
  await writeFile(otherKey, generateSwarmKey())
  const relay = await startRelay(net, 'relay', ['--swarm-key', key])
  const keyless = await startRelay(net, 'other')

  const [member, withoutKey, otherMesh, atKeylessRelay] = await Promise.all([
    doctor(net, net.host('a'), 'member', ['--bootstrap', relay.address, '--swarm-key', key]),
    doctor(net, net.host('b'), 'outsider', ['--bootstrap', relay.address, '--wait', '5']),
    doctor(net, net.host('b'), 'other-mesh', ['--bootstrap', relay.address, '--swarm-key', otherKey, '--wait', '5'], PORT + 2),
    doctor(net, net.host('a'), 'member-at-keyless', ['--bootstrap', keyless.address, '--swarm-key', key, '--wait', '5'], PORT + 2)
  ])
  assert.equal(member.reachability, 'relay', JSON.stringify(member))
  assert.ok(member.reservations[0]?.address.startsWith(relay.address))
  for (const [label, report] of [['no key', withoutKey], ['another key', otherMesh], ['a keyless relay', atKeylessRelay]] as const) {
    assert.equal(report.reachability, 'unreachable', `${label}: ${JSON.stringify(report)}`)
    assert.equal(report.reservations.length, 0, label)
  }
  // The keyed relay saw the member join, never the outsiders.
  const joined = events(relay.proc, 'peer:joined').map(e => e.peer)
  assert.ok(joined.includes(member.peerId))
  assert.ok(!joined.includes(withoutKey.peerId) && !joined.includes(otherMesh.peerId))
  assert.ok(!events(keyless.proc, 'peer:joined').some(e => e.peer === atKeylessRelay.peerId))
})
