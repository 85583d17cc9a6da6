/**
 * A volunteer in its own process, for the reassignment benchmark (its parent
 * SIGKILLs it mid-chunk). Configured by one JSON argument:
 * { researcher: multiaddr, manifest: base64 signed manifest, dir: data dir }.
 * Prints one JSON line, {"event":"ready","peer":...}, once connected.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { decodeSignedManifest } from '../../src/protocols/manifest-codec.ts'
import { FixedTimeDevice, useFixedTimeKernel } from './fixed-time-kernel.ts'
import { startPeer, stopPeer } from './peers.ts'
import { Volunteer } from '../../src/node/volunteer/index.ts'

const config = JSON.parse(process.argv[2] ?? '{}') as { researcher: string, manifest: string, dir: string }
useFixedTimeKernel()
const manifest = await decodeSignedManifest(Buffer.from(config.manifest, 'base64'))
const peer = await startPeer({ dir: config.dir })
peer.volunteer = new Volunteer({ libp2p: peer.node, store: peer.store, blobs: peer.blobs, device: new FixedTimeDevice() })
// Retried: libp2p refuses more than a few connections per second from one host, and every peer here is 127.0.0.1.
for (let attempt = 1; ; attempt++) {
  try {
    await peer.node.dial(multiaddr(config.researcher))
    break
  } catch (err) {
    if (attempt >= 20) throw err
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}
process.stdout.write(JSON.stringify({ event: 'ready', peer: peer.node.peerId.toString() }) + '\n')
await peer.volunteer.join(manifest)
await stopPeer(peer)
