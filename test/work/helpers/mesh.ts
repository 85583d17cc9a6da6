import { after } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { generateMatrix } from '../../../src/compute/data/generate.ts'
import { openComputeDevice, type ComputeDevice } from '../../../src/compute/device.ts'
import { getKernel } from '../../../src/compute/kernels/index.ts'
import { Coordinator, type CoordinatorInit } from '../../../src/node/coordinator/index.ts'
import { buildProject } from '../../../src/node/publish/project-builder.ts'
import { Volunteer, type VolunteerDevice, type VolunteerInit } from '../../../src/node/volunteer/index.ts'
import { BlobStore } from '../../../src/store/blob-store.ts'
import { openStore, type MeshStore } from '../../../src/store/store.ts'
import { makeTempDir, type TempDir } from '../../helpers/tmpdir.ts'
import { startWorkNode, type WorkNode } from './nodes.ts'
import type { ChunkWork } from '../../../src/compute/kernel.ts'
import type { Matrix } from '../../../src/compute/data/matrix.ts'
import type { ProjectManifest } from '../../../src/protocols/manifest-codec.ts'
import type { PrivateKey } from '@libp2p/interface'

/** One peer's parts: a libp2p node with the work and blob services, its store and blob store. */
export interface TestPeerParts {
  readonly node: WorkNode
  readonly store: MeshStore
  readonly blobs: BlobStore
  readonly dir: TempDir
  readonly privateKey: PrivateKey
}

export interface TestResearcher extends TestPeerParts {
  readonly coordinator: Coordinator
}

export interface TestVolunteer extends TestPeerParts {
  readonly volunteer: Volunteer
}

async function startParts (options: { dir?: TempDir, privateKey?: PrivateKey, listen?: string[] }): Promise<TestPeerParts> {
  const dir = options.dir ?? await makeTempDir('mesh-work-')
  const privateKey = options.privateKey ?? await generateKeyPair('Ed25519')
  const store = await openStore(dir.path)
  const blobs = new BlobStore(store)
  const node = await startWorkNode({ privateKey, listen: options.listen, blob: { source: blobs } })
  return { node, store, blobs, dir, privateKey }
}

/** A researcher peer running a coordinator (started). Pass `dir` and `privateKey` to restart one on the same store. */
export async function startResearcher (options: { dir?: TempDir, privateKey?: PrivateKey, listen?: string[], coordinator?: Partial<CoordinatorInit> } = {}): Promise<TestResearcher> {
  const parts = await startParts(options)
  const coordinator = new Coordinator({ libp2p: parts.node, store: parts.store, blobs: parts.blobs, privateKey: parts.privateKey, ...options.coordinator })
  coordinator.start()
  return { ...parts, coordinator }
}

/** A volunteer peer connected to `researcher`. */
export async function startVolunteer (researcher: { node: WorkNode }, device: VolunteerDevice, init: Partial<VolunteerInit> = {}): Promise<TestVolunteer> {
  const parts = await startParts({})
  const volunteer = new Volunteer({ libp2p: parts.node, store: parts.store, blobs: parts.blobs, device, retryMinMs: 50, retryMaxMs: 500, ...init })
  await parts.node.dial(researcher.node.getMultiaddrs()[0])
  return { ...parts, volunteer }
}

/** Stops the node and closes the store; `keepDir` leaves the data dir for a restart. */
export async function stopPeer (peer: TestPeerParts & { coordinator?: Coordinator, volunteer?: Volunteer } | undefined, keepDir = false): Promise<void> {
  if (peer == null) return
  await peer.volunteer?.stop().catch(() => {})
  peer.coordinator?.stop()
  await Promise.resolve(peer.node.stop()).catch(() => {})
  await peer.store.close().catch(() => {})
  if (!keepDir) await peer.dir.remove().catch(() => {})
}

export interface MatmulShape {
  readonly m: number
  readonly k: number
  readonly n: number
  readonly rowsPerChunk: number
  readonly redundancy?: number
  readonly spotCheck?: number
  readonly seed?: number
}

/** A matmul project of the researcher (inputs stored in its blob store, manifest signed and stored) and its inputs. */
export async function publishMatmul (researcher: TestPeerParts, shape: MatmulShape): Promise<{ manifest: ProjectManifest, a: Matrix, b: Matrix }> {
  const seed = shape.seed ?? 7
  const a = generateMatrix(shape.m, shape.k, seed)
  const b = generateMatrix(shape.k, shape.n, seed + 1)
  const manifest = await buildProject({
    name: `matmul ${shape.m}x${shape.k}x${shape.n}`,
    kernel: 'matmul',
    inputs: [{ name: 'a', matrix: a }, { name: 'b', matrix: b }],
    rowsPerChunk: shape.rowsPerChunk,
    verification: { redundancy: shape.redundancy ?? 1, spotCheck: shape.spotCheck ?? 0 }
  }, { privateKey: researcher.privateKey, blobs: researcher.blobs })
  await researcher.store.projects.put(manifest.id, manifest.signedBytes)
  return { manifest, a, b }
}

/** The whole product on the CPU with the kernel's reference. */
export function cpuMatmul (a: Matrix, b: Matrix): Float32Array {
  const kernel = getKernel('matmul')
  return kernel.cpuReference({ kernel: 'matmul', params: kernel.parseParams({}), range: { index: 0, rowStart: 0, rowEnd: a.rows }, rows: a.data, rowCols: a.cols, shared: { b } })
}

/** The machine's compute device (Mesa's software WebGPU here), opened once per test file. */
export async function openDevice (): Promise<ComputeDevice> {
  return await openComputeDevice()
}

/** Wraps a device: records each chunk index computed, optionally delays, optionally corrupts the output. */
export function instrumentedDevice (device: VolunteerDevice, options: { delayMs?: number, corrupt?: boolean } = {}): VolunteerDevice & { readonly computed: number[] } {
  const computed: number[] = []
  return {
    info: device.info,
    computed,
    async run (work: ChunkWork, runOptions?: { signal?: AbortSignal }): Promise<Float32Array> {
      if (options.delayMs != null) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, options.delayMs)
          runOptions?.signal?.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('compute aborted')) }, { once: true })
        })
      }
      const output = await device.run(work, runOptions)
      computed.push(work.range.index)
      if (options.corrupt === true) return output.map((v, i) => v + 1 + (i % 3))
      return output
    }
  }
}

/**
 * Registers the teardown every work test file needs: its volunteers, then its
 * researcher, then the shared device. `peers` is read when the tests are over.
 */
export function stopAfterTests (peers: () => { volunteers: TestVolunteer[], researcher?: TestResearcher, device?: ComputeDevice }): void {
  after(async () => {
    const { volunteers, researcher, device } = peers()
    await Promise.all(volunteers.map(async v => { await stopPeer(v) }))
    await stopPeer(researcher)
    await device?.destroy()
  })
}
