import type { ComputeDevice } from '../../compute/device.ts'
import type { Kernel } from '../../compute/kernel.ts'
import type { Work } from '../../protocols/work/index.ts'
import type { MeshStore } from '../../store/store.ts'
import type { MeshEventSink } from './events.ts'
import type { InputBlobs } from './project-inputs.ts'
import type { SpotCheckDeviceKind } from './verify-chunk.ts'
import type { Libp2p, PrivateKey } from '@libp2p/interface'

/** The parts of a libp2p node the coordinator uses. */
export type CoordinatorLibp2p = Pick<Libp2p<{ work: Work }>, 'peerId' | 'services' | 'logger' | 'addEventListener' | 'removeEventListener'>

export interface CoordinatorInit {
  libp2p: CoordinatorLibp2p
  store: MeshStore
  /** Where the projects' input blobs are (the node's BlobStore). */
  blobs: InputBlobs
  /** The researcher's key: signs receipts. Must be the key of `libp2p.peerId`. */
  privateKey: PrivateKey
  /** @default the built-in kernel registry */
  getKernel?: (id: string) => Kernel<any>
  /** Where events go (a MeshNode); @default a new emitter, `coordinator.events` */
  events?: MeshEventSink
  /** Spot-check draws; @default Math.random */
  random?: () => number
  /**
   * Opens a device spot checks run on, in another process so a check of a
   * large chunk never stalls heartbeats; opened at the first spot check of
   * its kind: 'cpu' the CPU references, 'gpu' this peer's WebGPU device for
   * researcher WGSL. @default openComputeDevice({ prefer: 'cpu' }) / openComputeDevice()
   */
  openSpotCheckDevice?: (kind: SpotCheckDeviceKind) => Promise<ComputeDevice>
  /** @default HEARTBEAT_INTERVAL_MS */
  heartbeatIntervalMs?: number
  /** @default HEARTBEAT_TIMEOUT_MS */
  heartbeatTimeoutMs?: number
  /** @default SWEEP_INTERVAL_MS */
  sweepIntervalMs?: number
  /** @default UNKNOWN_SPEED_LEASE_MS */
  unknownSpeedLeaseMs?: number
  /** @default MIN_LEASE_MS */
  minLeaseMs?: number
  /** @default MAX_LEASE_MS */
  maxLeaseMs?: number
  /** @default LEASE_SLACK_FACTOR */
  leaseSlackFactor?: number
  /** @default MAX_CHUNK_FAILURES */
  maxChunkFailures?: number
  /** @default MAX_KERNEL_TIMEOUTS */
  maxKernelTimeouts?: number
  /** @default MAX_EXTRA_REPLICAS */
  maxExtraReplicas?: number
  /** @default MAX_LEASES_PER_PEER */
  maxLeasesPerPeer?: number
  /** @default LEASE_REQUESTS_PER_SECOND */
  leaseRequestsPerSecond?: number
  /** @default NO_WORK_RETRY_MS */
  noWorkRetryMs?: number
  /** @default ROUND_WAIT_MS */
  roundWaitMs?: number
  /** @default MAX_BACKUPS_PER_CHUNK */
  maxBackupsPerChunk?: number
  /** @default BACKUP_MIN_AGE_MS */
  backupMinAgeMs?: number
  /** @default MAX_TIMELINE_ENTRIES */
  maxTimelineEntries?: number
  /** @default MAX_RESPONSE_SAMPLES */
  maxResponseSamples?: number
}
