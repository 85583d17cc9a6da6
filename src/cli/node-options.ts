import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { GlobalOptions } from './global-options.ts'
import type { Output, OptionValues } from './command.ts'
import { UsageError } from './errors.ts'
import { MeshNode, type MeshNodeOptions } from '../node/mesh-node.ts'
import { readSwarmKeyFile } from '../node/network/swarm-key.ts'
import { StoreLockedError } from '../store/store.ts'
import { reportNetworkEvents } from './network-events.ts'
import { WEB_WITH_SWARM_KEY } from '../node/config.ts'
import { isLocalAddress, parseWebAddress, type WebPageOptions } from '../web/server/page-server.ts'
import { qrLines, urlToShare } from './qr-text.ts'

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
    nat: { upnp: global.upnp !== false },
    ...(tag != null && tag !== '' ? { mdnsServiceTag: tag } : {}),
    ...(global.swarmKeyFile != null ? { swarmKey: await readSwarmKeyFile(global.swarmKeyFile) } : {}),
    ...(global.name != null ? { name: global.name } : {})
  }
}

/** `--web HOST:PORT` of serve and publish: the option spec. */
export const WEB_OPTION = { web: { type: 'string' }, 'web-cert': { type: 'string' }, 'web-key': { type: 'string' } } as const
/** Its help lines, the text starting at `column` as the command's other options do. */
export function webOptionHelp (column: number): string {
  const name = '  --web HOST:PORT'
  const indent = ' '.repeat(column)
  const first = name.length < column ? name.padEnd(column) : `${name}\n${indent}`
  const certificate = '  --web-cert FILE --web-key FILE'
  return `${first}serve the volunteer page there (0.0.0.0: every interface; port 0: any free one),
${indent}so a browser tab volunteers: https:// from other machines, http:// on this one
${indent}(not with --swarm-key)
${certificate}\n${indent}the page's certificate and key (PEM), e.g. from the lab's CA; default a
${indent}certificate this peer makes (the browser warns once: compare its fingerprint)`
}

/** The page address of `--web`, checked (exit 2 when malformed, or with a swarm key). */
export function webOptionFrom (options: OptionValues, global: GlobalOptions): { web?: WebPageOptions } {
  const text = options.web
  const cert = options['web-cert']
  const key = options['web-key']
  if (text === undefined) {
    if (cert !== undefined || key !== undefined) throw new UsageError(`--${cert !== undefined ? 'web-cert' : 'web-key'} is for the page of --web HOST:PORT, which is not given`)
    return {}
  }
  if ((cert === undefined) !== (key === undefined)) throw new UsageError(cert === undefined ? '--web-key needs --web-cert, the certificate it belongs to' : '--web-cert needs --web-key, its private key')
  if ((cert !== undefined && typeof cert !== 'string') || (key !== undefined && typeof key !== 'string')) throw new UsageError('--web-cert and --web-key expect a PEM file each')
  if (typeof text !== 'string') throw new UsageError('--web expects HOST:PORT')
  if (global.swarmKeyFile != null) throw new UsageError(WEB_WITH_SWARM_KEY)
  const web = parseWebAddress(text)
  if (web == null) throw new UsageError(`--web expects HOST:PORT with an IP address of this machine, like 0.0.0.0:8080 or [::1]:8080 (got '${text}')`)
  if (!isLocalAddress(web.host)) throw new UsageError(`--web ${text}: no interface of this machine has that address (0.0.0.0 serves on every one)`)
  return { web: typeof cert === 'string' && typeof key === 'string' ? { ...web, certificateFiles: { cert, key } } : web }
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
  const web = node.webPageUrls()
  if (json) {
    const certificate = node.webPageCertificate()
    out.json({ event: 'started', peerId: node.peerId, addresses: node.addresses(), ...(web.length > 0 ? { web: { url: web[0], urls: web, certificate } } : {}) })
  } else {
    out.info(`mesh: peer ${node.peerId} (${node.name}) listening on ${node.addresses().join(' ')}`)
    if (web.length > 0) {
      out.info(`mesh: volunteer from a browser: open ${web.join(' or ')}`)
      const fingerprint = node.webPageFingerprint()
      if (fingerprint != null) out.info(`mesh: the browser warns about this peer's own certificate once; its SHA-256 fingerprint is ${fingerprint}`)
      // A phone or the next desk scans the address rather than typing it.
      for (const line of qrLines(urlToShare(web)!)) out.info(line)
    }
  }
}

/** Prints peers joining and leaving and rejected messages while a command runs. */
export function reportNodeEvents (out: Output, node: MeshNode<any>, json: boolean): void {
  reportNetworkEvents(out, node, json)
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
