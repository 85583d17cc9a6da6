/**
 * The researcher's side of the work: leases, verification, receipts,
 * resume, and export of verified results (DESIGN.md sections 4 and 7).
 *
 * @example
 * ```ts
 * const coordinator = new Coordinator({ libp2p, store, blobs, privateKey, events: meshNode })
 * coordinator.start()
 * await coordinator.resume()                // own projects left running
 * await coordinator.addProject(manifest)    // a newly published one
 * await coordinator.waitUntilFinished(manifest.id)
 * await exportProject(store, manifest.id, 'npy', 'C.npy')
 * ```
 */
export { Coordinator } from './coordinator.ts'
export type { CoordinatorInit, CoordinatorLibp2p } from './init.ts'
export { exportFormats, exportProject, foldedResult, withFoldedResult, type ExportFormat, type ExportSummary } from './export.ts'
export { ProjectNotDoneError, UnknownProjectError, CorruptResultError } from './errors.ts'
export { listProjectRecords, loadProjectRecord, type WorkProjectRecord, type WorkProjectStatus, type StoredChunkRecord } from './records.ts'
export type { CoordinatorSnapshot, VolunteerSnapshot, LeaseSnapshot } from './snapshot.ts'
export type { MeshEventMap, MeshEventSink } from './events.ts'
export type { InputBlobs } from './project-inputs.ts'
