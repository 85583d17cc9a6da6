import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { GlobalOptions } from './global-options.ts'
import type { Output } from './command.ts'
import { UsageError } from './errors.ts'
import { MeshNode, type MeshNodeOptions } from '../node/mesh-node.ts'
import { readSwarmKeyFile } from '../node/network/swarm-key.ts'
import { StoreLockedError } from '../store/store.ts'

/** Separates meshes on one LAN without encryption (tests run several side by side). */
export const MDNS_TAG_ENV = 'MESH_MDNS_SERVICE_TAG'

function parseAddress (text: string, flag: string, example: string): Multiaddr {
  try {
    return multiaddr(text)
  } catch {
    throw new UsageError(`${flag} expects a multiaddr like ${example} (got '${text}')`)
  }
}

function checkBootstrap (text: string): string {
  const example = '/ip4/10.0.0.5/tcp/4001/p2p/12D3KooW...'
  const peer = parseAddress(text, '--bootstrap', example).getComponents().findLast(c => c.name === 'p2p')?.value
  try {
    if (peer == null) throw new Error('no peer id')
    peerIdFromString(peer)
  } catch {
    throw new UsageError(`--bootstrap expects a multiaddr ending in /p2p/<peer id>, like ${example} (got '${text}')`)
  }
  return text
}

/** MeshNode options from the global flags; reads the swarm key file (exit 2 when missing or bad). */
export async function nodeOptionsFrom (global: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<MeshNodeOptions> {
  const tag = env[MDNS_TAG_ENV]
  for (const address of global.listen) parseAddress(address, '--listen', '/ip4/0.0.0.0/tcp/4001')
  return {
    dataDir: global.dataDir,
    listen: global.listen,
    bootstrap: global.bootstrap.map(checkBootstrap),
    mdns: global.mdns,
    ...(tag != null && tag !== '' ? { mdnsServiceTag: tag } : {}),
    ...(global.swarmKeyFile != null ? { swarmKey: await readSwarmKeyFile(global.swarmKeyFile) } : {}),
    ...(global.name != null ? { name: global.name } : {})
  }
}

/** Starts the peer of a headless command; a data dir in use by another process is the user's to fix (exit 2). */
export async function startNode (options: MeshNodeOptions): Promise<MeshNode> {
  try {
    return await MeshNode.start(options)
  } catch (err) {
    if (err instanceof StoreLockedError) throw new UsageError(err.message)
    throw err
  }
}

/** The first line of every long-running headless command. */
export function reportStarted (out: Output, node: MeshNode<any>, json: boolean): void {
  if (json) {
    out.json({ event: 'started', peerId: node.peerId, addresses: node.addresses() })
  } else {
    out.info(`mesh: peer ${node.peerId} (${node.name}) listening on ${node.addresses().join(' ')}`)
  }
}

/** Prints peers joining and leaving and rejected messages while a command runs. */
export function reportNodeEvents (out: Output, node: MeshNode<any>, json: boolean): void {
  node.addEventListener('peer:joined', ({ detail }) => {
    if (json) out.json({ event: 'peer:joined', peer: detail.id, name: detail.name })
    else out.info(`mesh: peer joined ${detail.name ?? ''} ${detail.id}`)
  })
  node.addEventListener('peer:left', ({ detail }) => {
    if (json) out.json({ event: 'peer:left', peer: detail.id })
    else out.info(`mesh: peer left ${detail.id}`)
  })
  node.addEventListener('rejected', ({ detail }) => {
    if (json) out.json({ event: 'rejected', ...detail })
    else out.info(`mesh: rejected ${detail.what} from ${detail.from ?? 'unknown'}: ${detail.reason}`)
  })
}

/** Resolves when the command is interrupted (SIGINT/SIGTERM) or after ms. */
export async function waitUntilAborted (signal: AbortSignal, ms?: number): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>(resolve => {
    const timer = ms == null ? undefined : setTimeout(done, ms)
    function done (): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/** After an own project finished: long enough for volunteers asking for work to hear it is over. */
export const DONE_LINGER_MS = 1_000

/**
 * Announces the finished projects and stays up a moment before a
 * researcher command exits, so its volunteers learn the project is over
 * from it, rather than by waiting for a peer that is gone.
 */
export async function lingerAfterFinish (node: MeshNode<any>, signal: AbortSignal): Promise<void> {
  await node.announceNow()
  await waitUntilAborted(signal, DONE_LINGER_MS)
}
