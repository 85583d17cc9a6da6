import type { ComputeDevice } from '../../../src/compute/device.ts'
import type { ChunkWork } from '../../../src/compute/kernel.ts'
import { meshPortFor, type MeshPortAdapter } from '../../../src/node/mesh-port-adapter.ts'
import { loopbackOptions, startPeer, type TestPeer } from '../../helpers/peers.ts'

/**
 * Real in-process peers for the UI tests: MeshNodes on loopback with a
 * test's own mDNS tag, each seen through the same port the `mesh` command
 * gives its UI. They share one compute device (Mesa's software WebGPU here),
 * opened by the test, so a 2-core machine runs one device worker, not one
 * per peer.
 */

export interface UiPeer extends TestPeer {
  readonly port: MeshPortAdapter
}

export interface UiPeerOptions {
  /** Every chunk this peer computes takes at least this long (a slower volunteer). */
  readonly chunkDelayMs?: number
}

/** The shared device as one peer sees it: the peer's stop leaves it open for the others. */
function lentDevice (device: ComputeDevice, delayMs = 0): ComputeDevice {
  return {
    info: device.info,
    async run (work: ChunkWork, options) {
      if (delayMs > 0) await new Promise(resolve => setTimeout(resolve, delayMs))
      return await device.run(work, options)
    },
    validateKernel: async (kernelId, params, inputs) => { await device.validateKernel(kernelId, params, inputs) },
    destroy: async () => {}
  }
}

export async function startUiPeer (tag: string, name: string, device: ComputeDevice, options: UiPeerOptions = {}): Promise<UiPeer> {
  const peer = await startPeer(loopbackOptions(tag, {
    name,
    openDevice: async () => lentDevice(device, options.chunkDelayMs),
    volunteer: { retryMinMs: 50, retryMaxMs: 500 }
  }))
  try {
    // These peers compute whatever the person at this machine does, as tests must.
    return { ...peer, port: await meshPortFor(peer.node, { policy: { when: 'always', onBattery: 'run' } }) }
  } catch (err) {
    await peer.node.stop().catch(() => {})
    await peer.dir.remove()
    throw err
  }
}

/** A researcher (alice) and two volunteers (bob, carol) on one mDNS tag, each pushed to `peers` as it starts (for the caller's teardown). */
export async function startAliceBobCarol (tag: string, device: ComputeDevice, peers: UiPeer[], options: { bob?: UiPeerOptions } = {}): Promise<{ alice: UiPeer, bob: UiPeer, carol: UiPeer }> {
  const start = async (name: string, peerOptions?: UiPeerOptions): Promise<UiPeer> => {
    const peer = await startUiPeer(tag, name, device, peerOptions)
    peers.push(peer)
    return peer
  }
  const alice = await start('alice')
  const bob = await start('bob', options.bob)
  const carol = await start('carol')
  return { alice, bob, carol }
}
