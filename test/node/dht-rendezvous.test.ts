import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { rendezvousCid } from '../../src/node/discovery/dht-rendezvous.ts'
import { loopbackOptions, startPeer, stopPeers, uniqueTag, waitFor, type TestPeer } from '../helpers/peers.ts'

const peers: TestPeer[] = []
after(async () => { await stopPeers(peers) })

test('without mDNS, peers that only know a bootstrap peer find a project owner through the DHT', async () => {
  const options = loopbackOptions(uniqueTag('dht'), { mdns: false, rendezvousIntervalMs: 1000 })
  const hub = await startPeer(options)
  peers.push(hub)
  const bootstrap = [hub.node.addresses()[0]]
  const researcher = await startPeer({ ...options, bootstrap })
  peers.push(researcher)
  const watcher = await startPeer({ ...options, bootstrap })
  peers.push(watcher)

  const published = await researcher.node.publish({
    name: 'far away',
    kernel: 'matmul',
    inputs: [{ name: 'a', matrix: generateMatrix(8, 8, 5) }, { name: 'b', matrix: generateMatrix(8, 8, 6) }]
  })
  const cid = await rendezvousCid()
  const provider = await waitFor('the researcher to be a provider of the rendezvous key', async () => {
    for await (const found of watcher.node.libp2p.contentRouting.findProviders(cid, { signal: AbortSignal.timeout(5000) })) {
      if (found.id.toString() === researcher.node.peerId) return found
    }
    return undefined
  }, 20_000, 500)
  assert.ok(provider.multiaddrs.length > 0)
  await waitFor('the watcher to connect to the researcher itself', () => watcher.node.peers().some(p => p.id === researcher.node.peerId && p.connected), 20_000)
  await waitFor('the watcher to list the project', () => watcher.node.project(published.id), 20_000)
})
