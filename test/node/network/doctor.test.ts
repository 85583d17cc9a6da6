import { test } from 'node:test'
import assert from 'node:assert/strict'
import { diagnose, type DoctorInput } from '../../../src/node/doctor/doctor.ts'
import { classifyNat } from '../../../src/node/network/nat-behaviour.ts'
import type { DirectPath, ReachabilityReport } from '../../../src/node/network/reachability.ts'
import { DEFAULT_RELAY_LIMITS, relayedChunksPerSecond, resolveRelayLimits } from '../../../src/node/network/relay.ts'

const RELAY = '12D3KooWRelayRelayRelayRelayRelayRelayRelayRelayRelay'

function report (change: Partial<ReachabilityReport> = {}): ReachabilityReport {
  return {
    reachability: 'unreachable',
    confirmed: false,
    listening: ['/ip4/10.1.0.2/tcp/4001'],
    publicAddresses: [],
    nat: classifyNat([], []),
    upnp: { enabled: true, mapped: [] },
    reservations: [],
    relaysConnected: [],
    relay: { serving: false, reservations: 0 },
    inboundFromPublic: 0,
    paths: [],
    ...change
  }
}

function input (change: Partial<DoctorInput> = {}): DoctorInput {
  return { peerId: 'me', addresses: [], report: report(), tcpPort: 4001, projects: [], pathTo: peer => ({ peer, state: 'not-connected' }), swarmKey: false, ...change }
}

const codes = (input: DoctorInput): string[] => diagnose(input).verdicts.map(v => v.code)

test('given no public address and no reservation, the peer is unreachable, with the one-line fix', () => {
  const result = diagnose(input())
  const unreachable = result.verdicts.find(v => v.code === 'unreachable')!
  assert.equal(unreachable.level, 'problem')
  assert.equal(unreachable.fix, 'open TCP port 4001 on your router or run a relay with `mesh serve --relay` on a public host and start peers with --bootstrap <its address>')
  assert.equal(result.ok, false)
})

test('given a reservation, the peer is reachable only through the relay (a warning, not a problem)', () => {
  const result = diagnose(input({ report: report({ reachability: 'relay', reservations: [{ relay: RELAY, address: `/ip4/11.77.0.10/tcp/4001/p2p/${RELAY}/p2p-circuit` }] }) }))
  assert.deepEqual(result.verdicts.map(v => [v.code, v.level]), [['relay-only', 'warn'], ['nat-unknown', 'info']])
  assert.equal(result.ok, true)
})

test('given a confirmed public address, the peer is reachable directly; unconfirmed, it is told to check its firewall', () => {
  const confirmed = report({ reachability: 'direct', confirmed: true, publicAddresses: [{ address: '/ip4/11.77.0.11/tcp/4001', via: 'interface', confirmed: true }] })
  assert.deepEqual(codes(input({ report: confirmed })), ['reachable-direct'])
  const unconfirmed = diagnose(input({ report: { ...confirmed, confirmed: false } }))
  assert.equal(unconfirmed.verdicts[0].code, 'public-unconfirmed')
  assert.match(unconfirmed.verdicts[0].fix!, /open TCP port 4001 in this machine's firewall/)
})

test('given a symmetric NAT, the doctor names it as a problem with a fix', () => {
  const nat = classifyNat([
    { observer: 'x', observerHost: '11.0.0.1', observedHost: '11.77.0.22', observedPort: 10623, localPort: 4001, at: 1 },
    { observer: 'y', observerHost: '11.0.0.2', observedHost: '11.77.0.22', observedPort: 31871, localPort: 4001, at: 2 }
  ], [])
  const verdict = diagnose(input({ report: report({ nat, reachability: 'relay' }) })).verdicts.find(v => v.code === 'nat-symmetric')
  assert.equal(verdict?.level, 'problem')
  assert.match(verdict!.fix!, /forward TCP port 4001/)
})

test('given projects of other peers, each gets the path to its researcher; own and finished projects none', () => {
  const paths: Record<string, DirectPath> = {
    alice: { peer: 'alice', state: 'direct', holePunchMs: 84.2 },
    bob: { peer: 'bob', state: 'no-direct-path', reason: 'hole punching through the relay failed' }
  }
  const result = diagnose(input({
    projects: [
      { id: 'p1', name: 'pi', owner: 'alice', own: false, status: 'running' },
      { id: 'p2', name: 'sum', owner: 'bob', ownerName: 'Bob', own: false, status: 'running' },
      { id: 'p3', name: 'mine', owner: 'me', own: true, status: 'running' },
      { id: 'p4', name: 'old', owner: 'alice', own: false, status: 'done' }
    ],
    pathTo: peer => paths[peer] ?? { peer, state: 'not-connected' }
  }))
  assert.deepEqual(result.projects.map(p => [p.projectId, p.path]), [['p1', 'direct'], ['p2', 'no-direct-path']])
  const direct = result.verdicts.find(v => v.projectId === 'p1')!
  assert.match(direct.text, /hole punched in 84 ms/)
  const none = result.verdicts.find(v => v.projectId === 'p2')!
  assert.equal(none.code, 'no-direct-path')
  assert.match(none.text, /researcher of sum \(Bob\).*chunks never cross a relay/)
})

test('given this peer serves a relay without a public address, that is a problem', () => {
  assert.ok(codes(input({ report: report({ relay: { serving: true, reservations: 0 } }) })).includes('relay-not-public'))
  const serving = report({ reachability: 'direct', confirmed: true, relay: { serving: true, reservations: 2 }, publicAddresses: [{ address: '/ip4/11.77.0.10/tcp/4001', via: 'interface', confirmed: true }] })
  assert.match(diagnose(input({ report: serving, swarmKey: true })).verdicts.find(v => v.code === 'relay-serving')!.text, /swarm key keeps other meshes out\): 2 reservations/)
})

test('relay limits default to libp2p\'s, and bound what a relayed connection could carry', () => {
  assert.deepEqual(resolveRelayLimits({ maxReservations: 3 }), { ...DEFAULT_RELAY_LIMITS, maxReservations: 3 })
  // 128 KiB every 2 minutes: two 64 KiB chunks, 1/60 chunk a second; a chunk over the data limit: none.
  assert.equal(relayedChunksPerSecond(DEFAULT_RELAY_LIMITS, 65_536), 2 / 120)
  assert.equal(relayedChunksPerSecond(DEFAULT_RELAY_LIMITS, 200_000), 0)
})
