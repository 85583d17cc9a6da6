import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Coordinator, type CoordinatorInit } from '../../src/node/coordinator/index.ts'
import { createMeshLibp2p } from '../../src/node/network/libp2p.ts'
import { Volunteer, type VolunteerDevice, type VolunteerInit } from '../../src/node/volunteer/index.ts'
import type { BlobInit, BlobTransfer } from '../../src/protocols/blob/index.ts'
import type { Work, WorkInit } from '../../src/protocols/work/index.ts'
import { BlobStore } from '../../src/store/blob-store.ts'
import { openStore, type MeshStore } from '../../src/store/store.ts'
import type { Libp2p, PrivateKey } from '@libp2p/interface'

/**
 * Benchmark peers: the libp2p configuration every mesh peer runs
 * (src/node/network/libp2p.ts: TCP, noise, yamux, identify, DHT, gossipsub) on
 * 127.0.0.1 without mDNS (peers are dialled by address, so no traffic
 * leaves loopback), with the work and blob services, a LevelDB store and a
 * blob store in a temp dir.
 */

export type BenchNode = Libp2p<{ work: Work, blob: BlobTransfer }>

export interface BenchPeer {
  readonly node: BenchNode
  readonly store: MeshStore
  readonly blobs: BlobStore
  readonly privateKey: PrivateKey
  readonly dir: string
  coordinator?: Coordinator
  volunteer?: Volunteer
}

export interface BenchPeerOptions {
  /** @default a new temp dir, removed by stopPeer */
  readonly dir?: string
  readonly work?: WorkInit
  readonly blob?: Omit<BlobInit, 'source'>
}

export async function makeTempDir (): Promise<string> {
  return await mkdtemp(join(tmpdir(), 'mesh-bench-'))
}

export async function startPeer (options: BenchPeerOptions = {}): Promise<BenchPeer> {
  const dir = options.dir ?? await makeTempDir()
  const privateKey = await generateKeyPair('Ed25519')
  const store = await openStore(dir)
  const blobs = new BlobStore(store)
  const node = await createMeshLibp2p({
    privateKey,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    work: options.work,
    blob: { ...options.blob, source: blobs }
  })
  await node.start()
  return { node, store, blobs, privateKey, dir }
}

/** A researcher peer with a started coordinator. */
export async function startResearcher (init: Partial<CoordinatorInit> = {}, options: BenchPeerOptions = {}): Promise<BenchPeer> {
  const peer = await startPeer(options)
  peer.coordinator = new Coordinator({ libp2p: peer.node, store: peer.store, blobs: peer.blobs, privateKey: peer.privateKey, ...init })
  peer.coordinator.start()
  return peer
}

/** A volunteer peer connected to `researcher`. */
export async function startVolunteer (researcher: BenchPeer, device: VolunteerDevice, init: Partial<VolunteerInit> = {}): Promise<BenchPeer> {
  const peer = await startPeer()
  peer.volunteer = new Volunteer({ libp2p: peer.node, store: peer.store, blobs: peer.blobs, device, ...init })
  await connect(peer, researcher)
  return peer
}

/**
 * Dials `to` by address. libp2p refuses more than a few new connections per
 * second from one host (inboundConnectionThreshold), and every benchmark
 * peer is 127.0.0.1, so a refused dial is retried.
 */
export async function connect (from: BenchPeer, to: BenchPeer): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await from.node.dial(to.node.getMultiaddrs()[0])
      return
    } catch (err) {
      if (attempt >= 20) throw err
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  }
}

/** Stops the peer's loops and node, closes its store and removes its temp dir. */
export async function stopPeer (peer: BenchPeer | undefined): Promise<void> {
  if (peer == null) return
  await peer.volunteer?.stop().catch(() => {})
  peer.coordinator?.stop()
  await Promise.resolve(peer.node.stop()).catch(() => {})
  await peer.store.close().catch(() => {})
  await rm(peer.dir, { recursive: true, force: true })
}

export async function stopPeers (peers: ReadonlyArray<BenchPeer | undefined>): Promise<void> {
  await Promise.allSettled(peers.map(stopPeer))
}
