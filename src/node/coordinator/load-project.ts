import { chunkOutputRows, planChunks, type Kernel } from '../../compute/kernel.ts'
import { InputError } from '../../errors.ts'
import { MAX_LEASE_BYTES, MAX_RESULT_BYTES, Receipt as ReceiptMessage, SignedReceipt } from '../../protocols/work/index.ts'
import { ChunkRun } from './chunk-run.ts'
import { ProjectInputs, type InputBlobs } from './project-inputs.ts'
import { ProjectRun, type ProjectRunLimits } from './project-run.ts'
import { loadChunkRecords, loadIssuedReceipts, loadProjectRecord, type WorkProjectRecord } from './records.ts'
import type { ProjectManifest } from '../../protocols/manifest-codec.ts'
import type { MeshStore } from '../../store/store.ts'
import type { Receipt } from '../metrics.ts'
import type { Logger } from '@libp2p/interface'

export interface LoadDeps {
  readonly selfId: string
  readonly store: MeshStore
  readonly blobs: InputBlobs
  readonly getKernel: (id: string) => Kernel<any>
  readonly random: () => number
  readonly limits: ProjectRunLimits
  readonly log: Logger
}

/**
 * An own project's in-memory run, new or resumed from the store: its kernel
 * and inputs checked, chunks planned, chunks verified before kept verified
 * (everything else queued), issued receipts reloaded. Throws InputError when
 * the project is not ours or its inputs are missing.
 */
export async function loadProjectRun (manifest: ProjectManifest, deps: LoadDeps): Promise<ProjectRun> {
  if (manifest.owner !== deps.selfId) throw new InputError(`project ${manifest.id} belongs to ${manifest.owner}, not to this peer`)
  const kernel = deps.getKernel(manifest.kernel)
  const params = kernel.parseParams(manifest.params)
  const shapes = manifest.inputs.map(({ name, rows, cols }) => ({ name, rows, cols }))
  kernel.validateInputs(params, shapes)
  const split = manifest.inputs.find(input => input.name === kernel.splitInput)
  if (split == null) throw new InputError(`project ${manifest.id} has no input '${kernel.splitInput}' to split`)
  const sharedNames = kernel.sharedInputs(params)
  const shared = manifest.inputs.filter(input => sharedNames.includes(input.name))
  const inputs = new ProjectInputs(deps.blobs, split, shared)
  await inputs.check()
  const ranges = planChunks(split.rows, manifest.rowsPerChunk)
  if (ranges.length !== manifest.chunkCount) {
    throw new InputError(`project ${manifest.id}: ${split.rows} rows in chunks of ${manifest.rowsPerChunk} make ${ranges.length} chunks, the manifest says ${manifest.chunkCount}`)
  }
  checkWireSizes(manifest, split.cols, chunkOutputRows(kernel, params, { index: 0, rowStart: 0, rowEnd: manifest.rowsPerChunk }))
  const now = Date.now()
  const stored = await loadProjectRecord(deps.store, manifest.id)
  const record: WorkProjectRecord = stored ?? {
    projectId: manifest.id,
    status: 'running',
    kernel: manifest.kernel,
    rows: split.rows,
    outputCols: manifest.outputCols,
    rowsPerChunk: manifest.rowsPerChunk,
    chunkCount: manifest.chunkCount,
    startedAt: now,
    mismatches: 0,
    spotChecks: 0
  }
  const { redundancy, spotCheck } = manifest.verification
  // Researcher-written WGSL has no CPU reference: its spot checks run on the researcher's own WebGPU device.
  const canSpotCheck = kernel.hasCpuReference !== false || kernel.gpu != null
  const chunkRecords = await loadChunkRecords(deps.store, manifest.id)
  const chunks = ranges.map(range => {
    const chunk = new ChunkRun(range, kernel.flops(params, shapes, range), redundancy, canSpotCheck && spotCheck > 0 && deps.random() < spotCheck)
    const stored = chunkRecords.get(range.index)
    if (stored != null) chunk.restore(stored)
    return chunk
  })
  const run = new ProjectRun(manifest, kernel, params, shapes, inputs, chunks, record, deps.limits)
  for (const bytes of await loadIssuedReceipts(deps.store, manifest.id)) {
    const receipt = decodeIssued(bytes)
    if (receipt != null) run.receipts.push(receipt)
  }
  if (stored == null) {
    await deps.store.projectState.put(manifest.id, record)
    run.note('published', `coordinating ${manifest.chunkCount} chunks`, now)
  } else {
    const verified = chunks.length - run.open.size
    run.note('resumed', `resumed with ${verified}/${chunks.length} chunks verified`, now)
    deps.log('resumed %s: %d/%d chunks verified', manifest.id, verified, chunks.length)
  }
  return run
}

/** A chunk's rows and its result must each fit one work-protocol frame. */
function checkWireSizes (manifest: ProjectManifest, splitCols: number, outputRows: number): void {
  const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)
  const leaseBytes = manifest.rowsPerChunk * splitCols * 4
  const resultBytes = outputRows * manifest.outputCols * 4
  if (leaseBytes > MAX_LEASE_BYTES || resultBytes > MAX_RESULT_BYTES) {
    throw new InputError(`project ${manifest.id}: chunks of ${manifest.rowsPerChunk} rows carry ${mib(leaseBytes)} MiB in and ${mib(resultBytes)} MiB out, over the work protocol's ${mib(MAX_LEASE_BYTES)} MiB frames: use fewer rows per chunk`)
  }
}

/** An issued receipt from the ledger, as the figures count it. */
function decodeIssued (bytes: Uint8Array): Receipt | undefined {
  try {
    const { projectId, chunk, volunteer, flops, computeMs, issuedAt } = ReceiptMessage.decode(SignedReceipt.decode(bytes).receipt)
    return { projectId, chunk, volunteer, flops, computeMs, issuedAt }
  } catch {
    return undefined
  }
}
