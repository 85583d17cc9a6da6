import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { meshNoiseCrypto } from './noise-crypto.ts'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { mdns } from '@libp2p/mdns'
import { bootstrap } from '@libp2p/bootstrap'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { preSharedKey } from '@libp2p/pnet'
import type { Identify } from '@libp2p/identify'
import type { Ping } from '@libp2p/ping'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import type { PrivateKey, ServiceMap } from '@libp2p/interface'
import { ANNOUNCE_TOPIC, MAX_ANNOUNCEMENT_BYTES } from '../../protocols/announce.ts'
import { work, type Work, type WorkInit } from '../../protocols/work/index.ts'
import { blob, type BlobInit, type BlobTransfer } from '../../protocols/blob/index.ts'
import { version } from '../../version.ts'
import { natTraversal, type NatTraversalOptions } from './nat-traversal.ts'
import { reachability, type ReachabilityService } from './reachability.ts'

/**
 * The one place that decides which libp2p services a mesh peer runs:
 * discovery, announcements, and our work and blob protocols. Tests and
 * benchmarks may add more through `services`.
 */

export const DHT_PROTOCOL = '/mesh/kad/1.0.0'
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0']
export const DEFAULT_MDNS_SERVICE_TAG = 'constellation-mesh'
export const DEFAULT_MDNS_INTERVAL_MS = 5_000

export interface MeshServices extends ServiceMap {
  identify: Identify
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
  work: Work
  blob: BlobTransfer
  reachability: ReachabilityService
}

export type ServiceFactories = Record<string, (components: any) => unknown>

export interface MeshLibp2pOptions<Extra extends ServiceFactories = {}> {
  readonly privateKey: PrivateKey
  readonly listen?: string[]
  readonly bootstrap?: string[]
  readonly mdns?: boolean
  readonly mdnsServiceTag?: string
  readonly mdnsIntervalMs?: number
  /** A swarm key file's bytes (see swarm-key.ts): only peers with the same key connect. */
  readonly swarmKey?: Uint8Array
  /** Display name, sent to peers in identify's agent version. */
  readonly name?: string
  /** The work protocol's limits and timeouts; the coordinator attaches its handler later. */
  readonly work?: WorkInit
  /** Where served blobs come from (the node's BlobStore), and the blob protocol's limits. */
  readonly blob?: BlobInit
  readonly services?: Extra
  /** Relays, hole punching, AutoNAT, UPnP and reachability (nat-traversal.ts); false: LAN only. Default: on, without UPnP or a relay. */
  readonly nat?: NatTraversalOptions | false
}

export type MeshLibp2p<Extra extends ServiceFactories = {}> = Libp2p<MeshServices & { [K in keyof Extra]: ReturnType<Extra[K]> }>

/** Identify's agent version carries the display name: `mesh/<version> name=<uri-encoded>`. */
export function agentVersionFor (name?: string): string {
  return name == null || name === '' ? `mesh/${version}` : `mesh/${version} name=${encodeURIComponent(name)}`
}

export function nameFromAgentVersion (agentVersion: string): string | undefined {
  const match = /^mesh\/\S+ name=(\S+)$/.exec(agentVersion)
  if (match == null) return undefined
  try {
    return decodeURIComponent(match[1]).slice(0, 64)
  } catch {
    return undefined
  }
}

/**
 * Gossipsub scores only topics it has parameters for. Announcements are rare
 * (one per project every few seconds), so delivery-rate penalties are off;
 * invalid messages cost a lot: two push a peer below the graylist threshold.
 */
const announceTopicScore = createTopicScoreParams({
  topicWeight: 1,
  timeInMeshWeight: 0.1,
  timeInMeshQuantum: 1000,
  timeInMeshCap: 100,
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesDecay: 0.9,
  firstMessageDeliveriesCap: 10,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: -20,
  invalidMessageDeliveriesDecay: 0.95
})

/** Returns the node unstarted, so the caller can attach listeners before discovery begins. */
export async function createMeshLibp2p<Extra extends ServiceFactories = {}> (options: MeshLibp2pOptions<Extra>): Promise<MeshLibp2p<Extra>> {
  const peerDiscovery: Array<ReturnType<typeof mdns> | ReturnType<typeof bootstrap>> = []
  if (options.mdns !== false) {
    peerDiscovery.push(mdns({
      serviceTag: options.mdnsServiceTag ?? DEFAULT_MDNS_SERVICE_TAG,
      interval: options.mdnsIntervalMs ?? DEFAULT_MDNS_INTERVAL_MS
    }))
  }
  if (options.bootstrap != null && options.bootstrap.length > 0) {
    peerDiscovery.push(bootstrap({ list: options.bootstrap }))
  }
  const nat = options.nat === false ? undefined : natTraversal(options.nat ?? {})
  const node = await createLibp2p({
    start: false,
    privateKey: options.privateKey,
    addresses: { listen: options.listen ?? DEFAULT_LISTEN },
    nodeInfo: { name: 'mesh', version, userAgent: agentVersionFor(options.name) },
    // Browser volunteers come in over the page's bridge to the TCP listener (web/server/peer-bridge.ts).
    transports: [nat?.tcp ?? tcp(), ...(nat?.transports ?? [])],
    connectionEncrypters: [noise({ crypto: meshNoiseCrypto })],
    streamMuxers: [yamux()],
    ...(options.swarmKey != null ? { connectionProtector: preSharedKey({ psk: options.swarmKey }) } : {}),
    peerDiscovery,
    services: {
      identify: identify(),
      ping: ping(),
      // Server mode and private addresses kept: a lab's DHT lives on its LAN.
      dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        allowedTopics: [ANNOUNCE_TOPIC],
        maxInboundDataLength: 4 * MAX_ANNOUNCEMENT_BYTES,
        scoreParams: {
          topics: { [ANNOUNCE_TOPIC]: announceTopicScore },
          // Many peers on one machine (tests, benchmarks) are not a Sybil attack.
          IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1'])
        }
      }),
      work: work(options.work),
      blob: blob(options.blob),
      ...(nat?.services ?? { reachability: reachability({ reserve: false }) }),
      ...options.services
    } as any
  })
  return node as unknown as MeshLibp2p<Extra>
}
