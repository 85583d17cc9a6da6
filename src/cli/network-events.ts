import type { Output } from './command.ts'
import type { MeshNode } from '../node/mesh-node.ts'

function short (peer: string): string {
  return peer.slice(-8)
}

/**
 * Prints what happens beyond the LAN while a command runs: with --json
 * `relay-reservation` / `relay-lost` (this peer's reservations),
 * `direct-path` (a peer first reached through a relay, now direct, with
 * holePunchMs), `no-direct-path` (hole punching did not get through) and,
 * for a volunteer, `no-lease-over-relay` (it takes no chunks from that
 * researcher); each with `at`. Without --json, one line each on stderr.
 */
export function reportNetworkEvents (out: Output, node: MeshNode<any>, json: boolean): void {
  const print = (event: Record<string, unknown>, text: string): void => {
    if (json) out.json({ ...event, at: Date.now() })
    else out.info(`mesh: ${text}`)
  }
  node.addEventListener('relay:reserved', ({ detail }) => { print({ event: 'relay-reservation', ...detail }, `reachable through the relay ${short(detail.relay)} (${detail.address})`) })
  node.addEventListener('relay:lost', ({ detail }) => { print({ event: 'relay-lost', ...detail }, `lost the reservation on the relay ${short(detail.relay)}`) })
  node.addEventListener('path:direct', ({ detail }) => {
    print({ event: 'direct-path', ...detail }, `direct connection to ${short(detail.peer)} at ${detail.address}${detail.holePunchMs != null ? ` (hole punched in ${detail.holePunchMs} ms)` : ''}`)
  })
  node.addEventListener('path:none', ({ detail }) => { print({ event: 'no-direct-path', ...detail }, `no direct path to ${short(detail.peer)}: ${detail.reason}`) })
  node.addEventListener('work:no-direct-path', ({ detail }) => { print({ event: 'no-lease-over-relay', ...detail }, `taking no chunks of ${detail.projectId} from ${short(detail.researcher)}: ${detail.reason}`) })
}
