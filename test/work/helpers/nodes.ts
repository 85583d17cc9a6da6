import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { blob, type BlobInit, type BlobTransfer } from '../../../src/protocols/blob/index.ts'
import { work, type Work, type WorkInit } from '../../../src/protocols/work/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export type WorkNode = Libp2p<{ work: Work, blob: BlobTransfer }>

export interface WorkNodeOptions {
  privateKey?: PrivateKey
  /** @default ['/ip4/127.0.0.1/tcp/0'] */
  listen?: string[]
  work?: WorkInit
  blob?: BlobInit
}

/** A real libp2p peer on loopback TCP (noise, yamux) with the work and blob services. */
export async function startWorkNode (options: WorkNodeOptions = {}): Promise<WorkNode> {
  return await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      work: work(options.work),
      blob: blob(options.blob)
    }
  })
}

/** Stops every node, ignoring ones already stopped. */
export async function stopAll (nodes: Array<{ stop: () => unknown } | undefined>): Promise<void> {
  await Promise.allSettled(nodes.map(async node => node?.stop()))
}
