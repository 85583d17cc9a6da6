import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIPv4, isIPv6, type AddressInfo } from 'node:net'
import { networkInterfaces } from 'node:os'
import type { Multiaddr } from '@multiformats/multiaddr'
import { InputError } from '../../errors.ts'
import type { PageAsset, VolunteerPage } from './build.ts'

/** Where the volunteer page is served (`--web HOST:PORT`): an IP address of this machine (0.0.0.0: all) and a TCP port (0: any free one). */
export interface WebPageAddress {
  readonly host: string
  readonly port: number
}

/** What the page server reads of the peer: its id, name and the WebSocket addresses browsers dial. */
export interface PagePeer {
  readonly peerId: { toString: () => string }
  getMultiaddrs: () => Multiaddr[]
}

/** What the page fetches first, at `/config.json`: how to reach the serving peer. */
export interface PageConfig {
  readonly peerId: string
  readonly name: string
  /** Ports of the serving peer's WebSocket listener; the page dials the host it was loaded from. */
  readonly webSocketPorts: number[]
}

/**
 * The Content-Security-Policy of every answer: scripts and styles from this
 * server only (no inline script, no eval), nothing framed or embedded, and
 * connections to this server and to WebSocket endpoints. WebSockets of any
 * host: the page dials the serving peer and, directly, each project's
 * researcher at the addresses it announces, which are not known when the
 * page loads (chunks and blobs travel on a direct connection, DESIGN.md
 * section 14).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Built at each start from the running version: never a stale copy.
  'cache-control': 'no-store'
}

/** The WebSocket listen address `--web` adds, unless `listen` already has one: same host, any free port. */
export function webSocketListenFor (web: WebPageAddress, listen: readonly string[]): string[] {
  if (listen.some(address => /\/ws(\/|$)/.test(address))) return []
  return [`/${isIPv6(web.host) ? 'ip6' : 'ip4'}/${web.host}/tcp/0/ws`]
}

/** `http://HOST:PORT/` for each address a browser can open: every interface's for an unspecified host, loopback last. */
export function pageUrls (host: string, port: number, interfaces = networkInterfaces()): string[] {
  const url = (address: string): string => `http://${isIPv6(address) ? `[${address}]` : address}:${port}/`
  if (host !== '0.0.0.0' && host !== '::') return [url(host)]
  const external = Object.values(interfaces).flatMap(list => list ?? [])
    .filter(info => !info.internal && (info.family === 'IPv4' || (host === '::' && info.family === 'IPv6' && !info.address.startsWith('fe80'))))
    .map(info => url(info.address))
  return [...new Set([...external, url('127.0.0.1')])]
}

/**
 * Serves the volunteer page of this peer over HTTP: the static assets built
 * from src/web/page at start, and `/config.json`. GET and HEAD only; every
 * answer carries the CSP above.
 */
export class VolunteerPageServer {
  private constructor (
    private readonly server: Server,
    private readonly page: VolunteerPage,
    private readonly peer: PagePeer,
    private readonly name: string,
    readonly host: string
  ) {}

  static async start (address: WebPageAddress, peer: PagePeer, name: string): Promise<VolunteerPageServer> {
    const { buildVolunteerPage } = await import('./build.ts')
    const page = await buildVolunteerPage()
    const server = createServer()
    const pageServer = new VolunteerPageServer(server, page, peer, name, address.host)
    server.on('request', (req, res) => { pageServer.answer(req, res) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => { reject(listenProblem(err, address) ?? err) })
      server.listen(address.port, address.host, () => {
        server.removeAllListeners('error')
        resolve()
      })
    })
    return pageServer
  }

  get port (): number {
    return (this.server.address() as AddressInfo).port
  }

  /** The page's URLs, the one to share first. */
  urls (): string[] {
    return pageUrls(this.host, this.port)
  }

  config (): PageConfig {
    const ports = this.peer.getMultiaddrs().map(address => address.getComponents())
      .filter(components => components.some(c => c.name === 'ws') && !components.some(c => c.name === 'tls' || c.name === 'p2p-circuit'))
      .map(components => Number(components.find(c => c.name === 'tcp')?.value))
    return { peerId: this.peer.peerId.toString(), name: this.name, webSocketPorts: [...new Set(ports)].filter(port => port > 0) }
  }

  async close (): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
  }

  private answer (req: IncomingMessage, res: ServerResponse): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      this.send(req, res, 405, { body: new TextEncoder().encode('method not allowed\n'), contentType: 'text/plain; charset=utf-8' })
      return
    }
    const path = new URL(req.url ?? '/', 'http://page').pathname
    if (path === '/config.json') {
      this.send(req, res, 200, { body: new TextEncoder().encode(JSON.stringify(this.config())), contentType: 'application/json; charset=utf-8' })
      return
    }
    const asset = this.page.assets.get(path === '/index.html' ? '/' : path)
    if (asset == null) {
      this.send(req, res, 404, { body: new TextEncoder().encode('not found\n'), contentType: 'text/plain; charset=utf-8' })
      return
    }
    this.send(req, res, 200, asset)
  }

  private send (req: IncomingMessage, res: ServerResponse, status: number, asset: PageAsset): void {
    res.statusCode = status
    res.setHeader('content-type', asset.contentType)
    res.setHeader('content-length', asset.body.byteLength)
    res.end(req.method === 'HEAD' ? undefined : asset.body)
  }
}

/** Whether `host` is an address of this machine (or 0.0.0.0 / ::, every one). */
export function isLocalAddress (host: string, interfaces = networkInterfaces()): boolean {
  if (host === '0.0.0.0' || host === '::' || host.startsWith('127.') || host === '::1') return true
  return Object.values(interfaces).some(list => list?.some(info => info.address === host) === true)
}

/** Parses `HOST:PORT` (`[v6]:PORT` for IPv6; `localhost` is 127.0.0.1); undefined when it is not one. */
export function parseWebAddress (text: string): WebPageAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim())
  if (match == null) return undefined
  const host = match[1] ?? (match[2] === 'localhost' ? '127.0.0.1' : match[2]!)
  const port = Number(match[3])
  if (port > 65535) return undefined
  if (match[1] != null ? !isIPv6(host) : !isIPv4(host)) return undefined
  return { host, port }
}

/** A one-line InputError (exit 2) for an address the page cannot be served on. */
function listenProblem (err: NodeJS.ErrnoException, address: WebPageAddress): InputError | undefined {
  const where = `--web ${isIPv6(address.host) ? `[${address.host}]` : address.host}:${address.port}`
  if (err.code === 'EADDRINUSE') return new InputError(`${where}: the port is in use (pick another, or 0 for any free one)`)
  if (err.code === 'EACCES') return new InputError(`${where}: not allowed to listen on this port (ports below 1024 need privileges)`)
  if (err.code === 'EADDRNOTAVAIL') return new InputError(`${where}: no interface of this machine has that address (0.0.0.0 serves on every one)`)
  return undefined
}
