import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PageConfig } from '../server/page-server.ts'

export type { PageConfig }

/** The serving peer's config (`/config.json`), fetched from the server the page came from. */
export async function fetchPageConfig (): Promise<PageConfig> {
  const response = await fetch('/config.json')
  if (!response.ok) throw new Error(`the page's server answered ${response.status} for /config.json`)
  return await response.json() as PageConfig
}

/** The serving peer's WebSocket addresses, on the host this page was loaded from (the name or address the person typed). */
export function servingPeerAddresses (config: PageConfig, hostname: string): Multiaddr[] {
  const host = hostname.replace(/^\[(.*)\]$/, '$1')
  const protocol = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? 'ip4' : host.includes(':') ? 'ip6' : 'dns'
  return config.webSocketPorts.map(port => multiaddr(`/${protocol}/${host}/tcp/${port}/ws/p2p/${config.peerId}`))
}
