import { hostname } from 'node:os'
import type { MeshLibp2pOptions, ServiceFactories } from './network/libp2p.ts'
import type { ProgressProvider } from './coordinator/own-progress.ts'
import type { ComputeDevice, OpenComputeDeviceOptions } from '../compute/device.ts'
import type { CoordinatorInit } from './coordinator/index.ts'
import type { VolunteerInit } from './volunteer/index.ts'
import type { WebPageOptions } from '../web/server/page-server.ts'
import { DEFAULT_LISTEN, DEFAULT_MDNS_INTERVAL_MS, DEFAULT_MDNS_SERVICE_TAG } from './network/libp2p.ts'
import { DEFAULT_ANNOUNCE_INTERVAL_MS } from './discovery/announcer.ts'
import { DEFAULT_MAX_TRACKED_PROJECTS, DEFAULT_OFFLINE_AFTER_MS } from './discovery/project-registry.ts'
import { DEFAULT_RENDEZVOUS_INTERVAL_MS } from './discovery/dht-rendezvous.ts'
import { InputError } from '../errors.ts'

/**
 * How a peer is started. The network fields are libp2p's (see
 * MeshLibp2pOptions for each); defaults: listen on /ip4/0.0.0.0/tcp/0, mDNS
 * on, queried every 5 s, display name the host name.
 */
export interface MeshNodeOptions<Extra extends ServiceFactories = {}> extends
  Pick<MeshLibp2pOptions, 'listen' | 'bootstrap' | 'mdns' | 'mdnsServiceTag' | 'mdnsIntervalMs' | 'swarmKey' | 'name' | 'nat'> {
  /** Where the key and the LevelDB store live. */
  readonly dataDir: string
  /** Default 5 s. */
  readonly announceIntervalMs?: number
  /** A discovered project is offline after this long without an announcement; default 30 s. */
  readonly offlineAfterMs?: number
  /** Bound on discovered projects kept; default 500. */
  readonly maxTrackedProjects?: number
  /** How often the DHT rendezvous runs; default 30 s. */
  readonly rendezvousIntervalMs?: number
  /** Extra libp2p services (the work and blob protocols). */
  readonly services?: Extra
  /** Live progress of own projects; default: the coordinator's, else counted from the store. */
  readonly progress?: ProgressProvider
  /**
   * Opens the device volunteering computes on, once, when this peer first
   * joins a project; the node destroys it on stop. Default: the best device
   * on this machine (openComputeDevice).
   */
  readonly openDevice?: () => Promise<ComputeDevice>
  /** The volunteer's choice of adapter and memory cap for the default device (`--gpu`, `--max-memory`). */
  readonly volunteerDevice?: Pick<OpenComputeDeviceOptions, 'gpu' | 'maxMemoryMiB'>
  /** Serve the local control socket in the data dir (for `mesh status`, `mesh export`); default true. */
  readonly controlSocket?: boolean
  /** The coordinator's tuning (lease times, heartbeats, limits); default its constants. */
  readonly coordinator?: CoordinatorTuning
  /** The volunteer loop's tuning (retries, patience); default its constants. */
  readonly volunteer?: VolunteerTuning
  /**
   * Serve the volunteer page here (`--web HOST:PORT`; port 0: any free one),
   * over HTTPS with this peer's own certificate or the lab's, so browsers
   * join the mesh through it. Not with a swarm key: a browser cannot hold
   * one. Default: off.
   */
  readonly web?: WebPageOptions
}

export type CoordinatorTuning = Omit<Partial<CoordinatorInit>, 'libp2p' | 'store' | 'blobs' | 'privateKey' | 'events'>
export type VolunteerTuning = Omit<Partial<VolunteerInit>, 'libp2p' | 'store' | 'blobs' | 'device' | 'events' | 'prefs'>

export interface ResolvedNodeConfig {
  readonly dataDir: string
  readonly listen: string[]
  readonly bootstrap: string[]
  readonly mdns: boolean
  readonly mdnsServiceTag: string
  readonly mdnsIntervalMs: number
  readonly swarmKey?: Uint8Array
  readonly name: string
  readonly announceIntervalMs: number
  readonly offlineAfterMs: number
  readonly maxTrackedProjects: number
  readonly rendezvousIntervalMs: number
  readonly progress?: ProgressProvider
  readonly openDevice?: () => Promise<ComputeDevice>
  readonly volunteerDevice: Pick<OpenComputeDeviceOptions, 'gpu' | 'maxMemoryMiB'>
  readonly controlSocket: boolean
  readonly coordinator: CoordinatorTuning
  readonly volunteer: VolunteerTuning
  readonly web?: WebPageOptions
  readonly nat?: MeshLibp2pOptions['nat']
}

export function resolveNodeConfig (options: MeshNodeOptions<any>): ResolvedNodeConfig {
  const listen = options.listen != null && options.listen.length > 0 ? options.listen : DEFAULT_LISTEN
  if (options.web != null && options.swarmKey != null) throw new InputError(WEB_WITH_SWARM_KEY)
  return {
    dataDir: options.dataDir,
    listen,
    bootstrap: options.bootstrap ?? [],
    mdns: options.mdns ?? true,
    mdnsServiceTag: options.mdnsServiceTag ?? DEFAULT_MDNS_SERVICE_TAG,
    mdnsIntervalMs: options.mdnsIntervalMs ?? DEFAULT_MDNS_INTERVAL_MS,
    ...(options.swarmKey != null ? { swarmKey: options.swarmKey } : {}),
    name: options.name != null && options.name !== '' ? options.name : hostname(),
    announceIntervalMs: options.announceIntervalMs ?? DEFAULT_ANNOUNCE_INTERVAL_MS,
    offlineAfterMs: options.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS,
    maxTrackedProjects: options.maxTrackedProjects ?? DEFAULT_MAX_TRACKED_PROJECTS,
    rendezvousIntervalMs: options.rendezvousIntervalMs ?? DEFAULT_RENDEZVOUS_INTERVAL_MS,
    ...(options.progress != null ? { progress: options.progress } : {}),
    ...(options.openDevice != null ? { openDevice: options.openDevice } : {}),
    volunteerDevice: options.volunteerDevice ?? {},
    controlSocket: options.controlSocket ?? true,
    coordinator: options.coordinator ?? {},
    volunteer: options.volunteer ?? {},
    ...(options.web != null ? { web: options.web } : {}),
    ...(options.nat != null ? { nat: options.nat } : {})
  }
}

/** Why `--web` and `--swarm-key` do not go together. */
export const WEB_WITH_SWARM_KEY = '--web cannot serve a private mesh (--swarm-key): a browser cannot hold a pnet swarm key over WebSockets, so browser volunteers could not connect'
