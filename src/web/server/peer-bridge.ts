import { connect, type Socket } from 'node:net'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws'

/** A TCP listener of a mesh peer. */
export interface BridgeTarget {
  readonly host: string
  readonly port: number
}

/**
 * Where a tab may be taken to reach `peerId`: TCP addresses where that peer
 * was seen answering with its key, or undefined for a peer a tab has no
 * business reaching (the bridge is not a general-purpose proxy).
 */
export type BridgeTargets = (peerId: string) => Promise<BridgeTarget[] | undefined>

export interface PeerBridgeLimits {
  /** Bridged connections one browser address may hold at once (a tab needs two: the serving peer and a researcher). */
  readonly perClient: number
  readonly total: number
  /** How long one TCP connection attempt may take. */
  readonly connectMs: number
}

const DEFAULT_LIMITS: PeerBridgeLimits = { perClient: 16, total: 256, connectMs: 3_000 }
/** libp2p frames travel as WebSocket messages; a yamux frame is at most 256 KiB and its header. */
const MAX_MESSAGE_BYTES = 1024 * 1024
const PEER_PATH = /^\/+p2p\/([1-9A-HJ-NP-Za-km-z]{32,64})\/?$/

/**
 * Carries a tab's libp2p connection to a mesh peer's TCP listener: the tab
 * opens a WebSocket to `/p2p/PEER` on the page's own origin (the only
 * endpoint a page loaded over HTTPS with this peer's certificate can reach)
 * and the bridge pipes its bytes to PEER's TCP port. Noise runs end to end
 * between the tab and PEER, so the bridge sees only ciphertext and PEER sees
 * the tab's own key: to a researcher it is a volunteer like any other.
 */
export class PeerBridge {
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false })
  private readonly open = new Set<Duplex>()
  private readonly perClient = new Map<string, number>()
  private readonly limits: PeerBridgeLimits

  constructor (
    private readonly targets: BridgeTargets,
    private readonly log: (message: string) => void,
    limits: Partial<PeerBridgeLimits> = {}
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits }
  }

  /** Whether an HTTP upgrade request is addressed to the bridge. */
  static handles (req: IncomingMessage): boolean {
    return PEER_PATH.test(new URL(req.url ?? '/', 'http://page').pathname)
  }

  /** Answers an upgrade request: a WebSocket joined to the peer's TCP listener, or a plain HTTP refusal. */
  upgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => { socket.destroy() })
    void this.bridge(req, socket, head).catch(err => {
      this.log(`bridge: ${(err as Error).message}`)
      refuse(socket, 502, 'Bad Gateway')
    })
  }

  close (): void {
    for (const socket of this.open) socket.destroy()
    this.sockets.close()
  }

  private async bridge (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const peerId = PEER_PATH.exec(new URL(req.url ?? '/', 'http://page').pathname)?.[1]
    const client = req.socket.remoteAddress ?? 'unknown'
    if (peerId == null) { refuse(socket, 404, 'Not Found'); return }
    const held = this.perClient.get(client) ?? 0
    if (held >= this.limits.perClient || this.open.size >= this.limits.total) {
      this.log(`bridge: refused ${client}: ${held} connections held`)
      refuse(socket, 429, 'Too Many Requests')
      return
    }
    this.perClient.set(client, held + 1)
    this.open.add(socket)
    const released = once(() => {
      this.open.delete(socket)
      const left = (this.perClient.get(client) ?? 1) - 1
      if (left > 0) this.perClient.set(client, left)
      else this.perClient.delete(client)
    })
    socket.once('close', released)
    const targets = await this.targets(peerId)
    if (targets == null || targets.length === 0) {
      this.log(`bridge: refused ${client}: ${peerId} is not a peer a tab may reach`)
      refuse(socket, 404, 'Not Found')
      return
    }
    const tcp = await this.reach(targets)
    if (socket.destroyed) { tcp.destroy(); return }
    this.sockets.handleUpgrade(req, socket, head, (webSocket: WebSocket) => { join(webSocket, tcp) })
  }

  /** The first target that accepts a TCP connection. */
  private async reach (targets: BridgeTarget[]): Promise<Socket> {
    const failures: string[] = []
    for (const target of targets) {
      try {
        return await connectWithin(target, this.limits.connectMs)
      } catch (err) {
        failures.push(`${target.host}:${target.port} ${(err as Error).message}`)
      }
    }
    throw new Error(`no listener of the peer answered (${failures.join('; ')})`)
  }
}

/** Pipes both ways; either end closing or failing closes the other. */
function join (webSocket: WebSocket, tcp: Socket): void {
  const stream = createWebSocketStream(webSocket)
  tcp.setNoDelay(true)
  const end = once(() => {
    stream.destroy()
    tcp.destroy()
  })
  for (const side of [stream, tcp]) {
    side.on('error', end)
    side.on('close', end)
  }
  stream.pipe(tcp)
  tcp.pipe(stream)
}

async function connectWithin (target: BridgeTarget, ms: number): Promise<Socket> {
  return await new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port })
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer in ${ms} ms`)) }, ms)
    socket.once('connect', () => { clearTimeout(timer); socket.removeAllListeners('error'); resolve(socket) })
    socket.once('error', err => { clearTimeout(timer); reject(err) })
  })
}

function refuse (socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
}

function once (action: () => void): () => void {
  let done = false
  return () => {
    if (done) return
    done = true
    action()
  }
}
