import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { generateSwarmKey, parseSwarmKey, readSwarmKeyFile, SwarmKeyError } from '../../src/node/network/swarm-key.ts'
import { loopbackOptions, startPeer, stopPeers, uniqueTag, waitFor, type TestPeer } from '../helpers/peers.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'

const peers: TestPeer[] = []
const keyDir = await makeTempDir()
after(async () => {
  await stopPeers(peers)
  await keyDir.remove()
})

test('swarm keys are generated in the libp2p format and bad ones are refused with the file named', async () => {
  const key = generateSwarmKey()
  assert.match(key, /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
  const path = join(keyDir.path, 'swarm.key')
  await writeFile(path, key)
  assert.equal(new TextDecoder().decode(await readSwarmKeyFile(path)), key.trimEnd())
  await assert.rejects(readSwarmKeyFile(join(keyDir.path, 'missing.key')), (err: Error) => err instanceof SwarmKeyError && /missing\.key: cannot read swarm key \(no such file\)/.test(err.message))
  assert.throws(() => parseSwarmKey('/key/swarm/psk/1.0.0/\n/base16/\nabc', 'k.key'), /k\.key: not a swarm key/)
})

test('peers with the same swarm key connect; a peer with another key cannot', async () => {
  const tag = uniqueTag('pnet')
  const labKey = parseSwarmKey(generateSwarmKey())
  const otherKey = parseSwarmKey(generateSwarmKey())
  const first = await startPeer(loopbackOptions(tag, { swarmKey: labKey }))
  peers.push(first)
  const second = await startPeer(loopbackOptions(tag, { swarmKey: labKey }))
  peers.push(second)
  const outsider = await startPeer(loopbackOptions(tag, { swarmKey: otherKey }))
  peers.push(outsider)

  await waitFor('the two lab peers to connect', () => first.node.peers().some(p => p.id === second.node.peerId && p.connected))
  await assert.rejects(outsider.node.libp2p.dial(multiaddr(first.node.addresses()[0]), { signal: AbortSignal.timeout(10_000) }))
  // Discovery may happen while the outsider is still starting, so ask its peer store, not its events.
  const known = async (peer: TestPeer): Promise<boolean> => await outsider.node.libp2p.peerStore.has(peer.node.libp2p.peerId)
  await waitFor('mDNS to tell the outsider about both lab peers', async () => await known(first) && await known(second))
  // The outsider dials what it discovers; give those dials time to fail.
  await sleep(1500)
  assert.equal(outsider.node.libp2p.getConnections().length, 0)
  assert.ok(!first.node.peers().some(p => p.id === outsider.node.peerId && p.connected))
})
