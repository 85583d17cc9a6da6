import { openComputeDevice, type ComputeDevice, type OpenComputeDeviceOptions } from '../../src/compute/device.ts'
import { startResearcher, startVolunteer, stopPeers, type BenchPeer } from './peers.ts'
import type { CoordinatorInit } from '../../src/node/coordinator/index.ts'
import type { VolunteerDevice, VolunteerInit } from '../../src/node/volunteer/index.ts'

/** What one benchmark starts, each stopped or released however the benchmark ends. */
export interface BenchSession {
  /** Opens a compute device (by default as a volunteer opens it: in its own process). */
  openDevice (options?: OpenComputeDeviceOptions): Promise<ComputeDevice>
  startResearcher (init?: Partial<CoordinatorInit>): Promise<BenchPeer>
  startVolunteer (researcher: BenchPeer, device: VolunteerDevice, init?: Partial<VolunteerInit>): Promise<BenchPeer>
}

export async function withSession<T> (body: (session: BenchSession) => Promise<T>): Promise<T> {
  const peers: BenchPeer[] = []
  const devices: ComputeDevice[] = []
  try {
    return await body({
      openDevice: async options => keep(devices, await openComputeDevice(options)),
      startResearcher: async init => keep(peers, await startResearcher(init)),
      startVolunteer: async (researcher, device, init) => keep(peers, await startVolunteer(researcher, device, init))
    })
  } finally {
    await stopPeers(peers)
    await Promise.allSettled(devices.map(async d => { await d.destroy() }))
  }
}

function keep<V> (list: V[], value: V): V {
  list.push(value)
  return value
}
