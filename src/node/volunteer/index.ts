/**
 * This peer's side as a volunteer: the loop that leases chunks of a
 * researcher's project, computes them on the local device and hands the
 * results back, keeping the receipts it earns (DESIGN.md section 4).
 *
 * @example
 * ```ts
 * const volunteer = new Volunteer({ libp2p, store, blobs, device, events: meshNode })
 * const summary = await volunteer.join(manifest, { maxChunks: 10 })
 * // or, from elsewhere: volunteer.setPrefs({ paused: true }); await volunteer.stop()
 * ```
 */
export { Volunteer, DEFAULT_PREFS, type VolunteerInit, type VolunteerLibp2p, type JoinOptions } from './volunteer.ts'
export type { VolunteerDevice, VolunteerRunSummary, RunOutcome } from './project-worker.ts'
export type { VolunteerBlobs } from './shared-inputs.ts'
export { CustomCodeNotAcceptedError, VolunteerBusyError } from './errors.ts'
export { earnedReceiptKey, listEarnedReceipts } from './ledger.ts'
