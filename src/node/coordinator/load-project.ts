import { chunkOutputRows, planChunks, type Kernel } from '../../compute/kernel.ts'
import { InputError } from '../../errors.ts'
import { MAX_LEASE_BYTES, MAX_RESULT_BYTES, Receipt as ReceiptMessage, SignedReceipt } from '../../protocols/work/index.ts'
import { ChunkRun } from './chunk-run.ts'
import { ProjectInputs, type InputBlobs } from './project-inputs.ts'
import { ProjectRun, type ProjectRunLimits } from './project-run.ts'
import { RoundRun } from './round-run.ts'
import { loadCheckpoint, loadRoundRecords } from './round-records.ts'
import { ownFloatsOf } from './floats.ts'
import { STATE_INPUT } from '../../compute/rounds.ts'
import { chunkKey } from '../../store/store.ts'
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
  const researcherNames = kernel.researcherInputs?.(params) ?? []
  const inputs = new ProjectInputs(deps.blobs, split, shared, manifest.inputs.filter(input => researcherNames.includes(input.name)))
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
  // Round r's chunk i has the project-wide index base + i (base = r * chunks per round); a one-pass project has base 0.
  const planChunksFrom = (base: number): ChunkRun[] => ranges.map(local => {
    const range = { ...local, index: base + local.index }
    const chunk = new ChunkRun(range, kernel.flops(params, shapes, range), redundancy, canSpotCheck && spotCheck > 0 && deps.random() < spotCheck)
    const stored = chunkRecords.get(range.index)
    if (stored != null) chunk.restore(stored)
    return chunk
  })
  const rounds = await resumeRounds(manifest, kernel, params, ranges.length, inputs, deps)
  const chunks = planChunksFrom(rounds?.base ?? 0)
  const run = new ProjectRun(manifest, kernel, params, shapes, inputs, chunks, record, deps.limits, rounds == null ? undefined : { run: rounds, plan: planChunksFrom })
  if (rounds != null) await loadRoundOutputs(deps.store, run, rounds)
  for (const bytes of await loadIssuedReceipts(deps.store, manifest.id)) {
    const receipt = decodeIssued(bytes)
    if (receipt != null) run.receipts.push(receipt)
  }
  if (stored == null) {
    await deps.store.projectState.put(manifest.id, record)
    run.note('published', rounds == null ? `coordinating ${manifest.chunkCount} chunks` : `coordinating ${rounds.plan.count} rounds of ${manifest.chunkCount} chunks`, now)
  } else {
    const verified = chunks.length - run.open.size
    const where = rounds == null ? '' : ` in round ${rounds.round + 1} of ${rounds.plan.count}`
    run.note('resumed', `resumed with ${verified}/${chunks.length} chunks verified${where}`, now)
    deps.log('resumed %s: %d/%d chunks verified%s', manifest.id, verified, chunks.length, where)
  }
  return run
}

/**
 * Where a rounds project stands in the store: the round after its last
 * checkpoint, reading that checkpoint's state (round 0 reads the manifest's
 * `state` input). Undefined for a one-pass project.
 */
async function resumeRounds (manifest: ProjectManifest, kernel: Kernel, params: unknown, perRound: number, inputs: ProjectInputs, deps: LoadDeps): Promise<RoundRun | undefined> {
  const plan = kernel.rounds?.(params)
  if (plan == null) return undefined
  const stateInput = inputs.shared.find(input => input.name === STATE_INPUT)
  if (stateInput == null) throw new InputError(`project ${manifest.id} runs in rounds but has no shared input '${STATE_INPUT}'`)
  const closed = await loadRoundRecords(deps.store, manifest.id)
  // Rounds are closed in order; a gap (a record lost to a damaged store) resumes after the last unbroken one.
  const unbroken = closed.filter((record, i) => record.round === i)
  const last = unbroken.at(-1)
  const stateBytes = last == null ? await deps.blobs.get(stateInput.hash) : await loadCheckpoint(deps.store, manifest.id, last.round)
  if (stateBytes == null || stateBytes.byteLength !== stateInput.size) {
    throw new InputError(`project ${manifest.id}: the checkpoint of round ${last?.round ?? 0} is missing or has the wrong size`)
  }
  const state = ownFloatsOf(stateBytes)
  const extraCols = kernel.roundExtraCols?.(params) ?? 0
  const run = new RoundRun(plan, perRound, { rows: stateInput.rows, cols: stateInput.cols }, extraCols, {
    round: last == null ? 0 : last.round + 1,
    state,
    stateHash: last?.stateHash ?? stateInput.hash,
    closed: unbroken
  })
  // A state blob is what volunteers fetch: a checkpoint whose blob went missing (a crash between the two writes) is served again.
  if (last != null && await deps.blobs.info(last.stateHash) == null) await deps.blobs.put(stateBytes, { own: true })
  return run
}

/** The current round's verified rows, read back from the results of its verified chunks. */
async function loadRoundOutputs (store: MeshStore, run: ProjectRun, rounds: RoundRun): Promise<void> {
  for (const chunk of run.chunks) {
    if (!chunk.verified) continue
    const bytes = await store.results.get(chunkKey(run.id, chunk.index))
    if (bytes == null) throw new InputError(`project ${run.id}: chunk ${chunk.index} is verified but its result is missing`)
    rounds.outputs.set(chunk.index - rounds.base, ownFloatsOf(bytes))
  }
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
