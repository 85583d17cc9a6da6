import { ANNOUNCE_TOPIC } from '../../src/protocols/announce.ts'
import { loopbackOptions, startPeer, uniqueTag, waitFor, type TestPeer } from './peers.ts'
import type { MeshEvents } from '../../src/node/types.ts'

export interface AnnouncementAttack {
  readonly receiver: TestPeer
  readonly attacker: TestPeer
  readonly honest: TestPeer
  /** What the receiver rejected, in order. */
  readonly rejected: Array<MeshEvents['rejected']>
  /** Publishes `bytes` on the announcement topic from the attacker, past every check of its own peer. */
  publishFromAttacker: (bytes: Uint8Array) => Promise<void>
}

/**
 * A receiver, an attacker and an honest peer on loopback with their own
 * mDNS tag (pushed to `peers` for the caller's teardown), once the attacker
 * and the honest peer see the receiver on the announcement topic.
 */
export async function startAnnouncementAttack (name: string, peers: TestPeer[]): Promise<AnnouncementAttack> {
  const tag = uniqueTag(name)
  const receiver = await startPeer(loopbackOptions(tag))
  const attacker = await startPeer(loopbackOptions(tag))
  const honest = await startPeer(loopbackOptions(tag))
  peers.push(receiver, attacker, honest)
  const rejected: Array<MeshEvents['rejected']> = []
  receiver.node.addEventListener('rejected', event => { rejected.push(event.detail) })
  const pubsub = (peer: TestPeer): any => peer.node.libp2p.services.pubsub
  await waitFor('the attacker and the honest peer see the receiver on the topic', () =>
    [attacker, honest].every(peer => pubsub(peer).getSubscribers(ANNOUNCE_TOPIC).some((id: any) => id.toString() === receiver.node.peerId)))
  return { receiver, attacker, honest, rejected, publishFromAttacker: async bytes => { await pubsub(attacker).publish(ANNOUNCE_TOPIC, bytes) } }
}
