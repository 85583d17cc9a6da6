import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { isIPv4, isIPv6, type AddressInfo, type Server } from 'node:net'
import { networkInterfaces } from 'node:os'
import type { Duplex } from 'node:stream'
import { InputError } from '../../errors.ts'
import type { PageAsset, VolunteerPage } from './build.ts'
import type { PageCertificate } from './page-certificate.ts'
import { PeerBridge, type BridgeTargets } from './peer-bridge.ts'
import { tlsOrPlainServer } from './tls-or-plain.ts'

/** Where the volunteer page is served (`--web HOST:PORT`): an IP address of this machine (0.0.0.0: all) and a TCP port (0: any free one). */
export interface WebPageAddress {
  readonly host: string
  readonly port: number
}

/** `--web` with, optionally, the lab's certificate for the page (`--web-cert`, `--web-key`; PEM files) instead of this peer's own. */
export interface WebPageOptions extends WebPageAddress {
  readonly certificateFiles?: { readonly cert: string, readonly key: string }
}

/** What the page server needs of the peer serving it. */
export interface PageServerInit {
  readonly peerId: string
  readonly name: string
  /** The certificate of the HTTPS side. */
  readonly certificate: PageCertificate
  /** Where the bridge may take a tab (the serving peer itself, researchers). */
  readonly bridgeTargets: BridgeTargets
  readonly log: (message: string) => void
}

/** What the page fetches first, at `/config.json`: the serving peer, which the page reaches at `/p2p/PEER` on its own origin. */
export interface PageConfig {
  readonly peerId: string
  readonly name: string
}

/**
 * The Content-Security-Policy of every answer: scripts and styles from this
 * server only (no inline script, no eval), nothing framed or embedded, and
 * connections to this server only: the tab reaches every peer through the
 * bridge at `/p2p/PEER` of its own origin (peer-bridge.ts).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
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

/**
 * The page's URL at each address a browser can open, every interface's for
 * an unspecified host and loopback last: `https://` from other machines
 * (WebGPU needs a secure context), `http://` on loopback, which is one.
 */
export function pageUrls (host: string, port: number, interfaces = networkInterfaces()): string[] {
  const url = (address: string): string => `${isLoopback(address) ? 'http' : 'https'}://${isIPv6(address) ? `[${address}]` : address}:${port}/`
  if (host !== '0.0.0.0' && host !== '::') return [url(host)]
  const external = Object.values(interfaces).flatMap(list => list ?? [])
    .filter(info => !info.internal && (info.family === 'IPv4' || (host === '::' && info.family === 'IPv6' && !info.address.startsWith('fe80'))))
    .map(info => url(info.address))
  return [...new Set([...external, url('127.0.0.1')])]
}

/**
 * Serves the volunteer page of this peer on one port, HTTPS and plain HTTP
 * (tls-or-plain.ts): the static assets built from src/web/page at start,
 * `/config.json`, and the bridge to mesh peers at `/p2p/PEER` (WebSocket
 * upgrades). Plain HTTP is for this machine only; a browser elsewhere that
 * typed http:// is sent to https://. GET and HEAD only; every answer carries
 * the CSP above.
 */
export class VolunteerPageServer {
  private constructor (
    private readonly server: Server,
    private readonly bridge: PeerBridge,
    private readonly page: VolunteerPage,
    private readonly init: PageServerInit,
    readonly host: string
  ) {}

  static async start (address: WebPageAddress, init: PageServerInit): Promise<VolunteerPageServer> {
    const { buildVolunteerPage } = await import('./build.ts')
    const page = await buildVolunteerPage()
    const plain = createHttpServer()
    const secure = createHttpsServer({ cert: init.certificate.cert, key: init.certificate.key })
    const server = tlsOrPlainServer(plain, secure)
    const bridge = new PeerBridge(init.bridgeTargets, init.log)
    const pageServer = new VolunteerPageServer(server, bridge, page, init, address.host)
    for (const side of [plain, secure]) {
      side.on('request', (req, res) => { pageServer.answer(req, res) })
      side.on('upgrade', (req, socket, head) => { pageServer.upgrade(req, socket, head) })
      side.on('clientError', (_err, socket) => { socket.destroy() })
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => { reject(listenProblem(err, address) ?? err) })
      server.listen(address.port, address.host, () => {
        server.removeAllListeners('error')
        server.on('error', err => { init.log(`page server: ${err.message}`) })
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

  get certificate (): PageCertificate {
    return this.init.certificate
  }

  config (): PageConfig {
    return { peerId: this.init.peerId, name: this.init.name }
  }

  async close (): Promise<void> {
    this.bridge.close()
    await new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
  }

  private upgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (PeerBridge.handles(req)) this.bridge.upgrade(req, socket, head)
    else socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
  }

  private answer (req: IncomingMessage, res: ServerResponse): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
    if (!('encrypted' in req.socket) && !isLoopback(req.socket.remoteAddress ?? '')) {
      // Plain HTTP from another machine gives no secure context, so no WebGPU: the same page over HTTPS.
      res.setHeader('location', `https://${req.headers.host ?? hostForUrl(this.host, this.port)}${req.url ?? '/'}`)
      this.send(req, res, 308, { body: new TextEncoder().encode('this page is served over https\n'), contentType: 'text/plain; charset=utf-8' })
      return
    }
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

/** Whether a client or listen address is this machine's loopback (IPv4-mapped included). */
export function isLoopback (address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.') || address === 'localhost'
}

function hostForUrl (host: string, port: number): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`
}

/** Whether `host` is an address of this machine (or 0.0.0.0 / ::, every one). */
export function isLocalAddress (host: string, interfaces = networkInterfaces()): boolean {
  if (host === '0.0.0.0' || host === '::' || isLoopback(host)) return true
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
