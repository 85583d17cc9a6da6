import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PageConfig } from '../server/page-server.ts'

export type { PageConfig }

/** The serving peer's config (`/config.json`), fetched from the server the page came from. */
export async function fetchPageConfig (): Promise<PageConfig> {
  const response = await fetch('/config.json')
  if (!response.ok) throw new Error(`the page's server answered ${response.status} for /config.json`)
  return await response.json() as PageConfig
}

/** Where the page came from: the name or address the person typed, and the scheme and port. */
export interface PageOrigin {
  readonly protocol: string
  readonly hostname: string
  readonly port: string
}

/**
 * How the tab reaches `peerId`: a WebSocket to `/p2p/PEER` on the page's own
 * origin, which the serving peer bridges to that peer's TCP listener
 * (web/server/peer-bridge.ts). Secure (`/tls/ws`) when the page came over
 * HTTPS, as a page from HTTPS may open no plain WebSocket.
 */
export function bridgeAddress (origin: PageOrigin, peerId: string): Multiaddr {
  const host = origin.hostname.replace(/^\[(.*)\]$/, '$1')
  const protocol = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? 'ip4' : host.includes(':') ? 'ip6' : 'dns'
  const secure = origin.protocol === 'https:'
  const port = origin.port !== '' ? origin.port : secure ? '443' : '80'
  return multiaddr(`/${protocol}/${host}/tcp/${port}${secure ? '/tls' : ''}/ws/http-path/${encodeURIComponent(`p2p/${peerId}`)}/p2p/${peerId}`)
}
