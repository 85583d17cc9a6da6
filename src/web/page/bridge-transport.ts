import { transportSymbol, type Transport } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import type { Multiaddr } from '@multiformats/multiaddr'

type TransportFactory = ReturnType<typeof webSockets>

/**
 * js-libp2p's WebSockets transport, dialling the page's bridge addresses
 * (page-config.ts bridgeAddress: `…/ws/http-path/p2p%2FPEER/p2p/PEER`). The
 * WebSockets transport turns such an address into the right URL but its
 * filter takes no path, so this one accepts exactly those and leaves the
 * dialling to it. A tab listens on nothing.
 */
export function pageBridge (): TransportFactory {
  const inner = webSockets()
  return (components) => {
    const webSocketTransport = inner(components)
    const transport: Transport = {
      [transportSymbol]: true,
      [Symbol.toStringTag]: '@constellation-mesh/page-bridge',
      dial: async (address, options) => await webSocketTransport.dial(address, options),
      createListener: options => webSocketTransport.createListener(options),
      listenFilter: () => [],
      dialFilter: addresses => addresses.filter(isBridgeAddress)
    }
    return transport
  }
}

export function isBridgeAddress (address: Multiaddr): boolean {
  const names = address.getComponents().map(c => c.name)
  const pathAt = names.indexOf('http-path')
  return pathAt > 0 && names[pathAt - 1] === 'ws' && ['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(names[0] ?? '') && names[1] === 'tcp'
}
