import { MAX_HELD_CHUNKS, MAX_LEASE_IDS, MAX_STRING_LENGTH } from './constants.ts'
import type { WorkRequest } from '../work.ts'

export type WorkRequestKind = 'lease' | 'result' | 'heartbeat' | 'release'

const KINDS: readonly WorkRequestKind[] = ['lease', 'result', 'heartbeat', 'release']

/** A decoded request that breaks the protocol's rules; the reason names the field. */
export class MalformedWorkRequestError extends Error {
  override name = 'MalformedWorkRequestError'
}

/** Which request this is; throws MalformedWorkRequestError unless exactly one kind is set and its fields are in range. */
export function checkWorkRequest (request: WorkRequest): WorkRequestKind {
  const present = KINDS.filter(kind => request[kind] != null)
  if (present.length !== 1) {
    throw new MalformedWorkRequestError(`expected exactly one of ${KINDS.join('/')}, got ${present.length === 0 ? 'none' : present.join('+')}`)
  }
  const kind = present[0]
  switch (kind) {
    case 'lease': {
      const lease = request.lease!
      checkString('lease.projectId', lease.projectId, true)
      checkString('lease.device', lease.device, false)
      if (!Number.isFinite(lease.gflops) || lease.gflops < 0) {
        throw new MalformedWorkRequestError(`lease.gflops must be a finite number >= 0 (got ${lease.gflops})`)
      }
      if (lease.heldChunks.length > MAX_HELD_CHUNKS) throw new MalformedWorkRequestError(`lease.heldChunks lists more than ${MAX_HELD_CHUNKS} chunks`)
      break
    }
    case 'result':
      checkString('result.leaseId', request.result!.leaseId, true)
      break
    case 'heartbeat':
      checkIds('heartbeat.leaseIds', request.heartbeat!.leaseIds)
      if (!Number.isFinite(request.heartbeat!.gflops) || request.heartbeat!.gflops < 0) {
        throw new MalformedWorkRequestError('heartbeat.gflops must be a finite number >= 0')
      }
      break
    case 'release':
      checkIds('release.leaseIds', request.release!.leaseIds)
      break
  }
  return kind
}

function checkString (field: string, value: string, required: boolean): void {
  if (required && value.length === 0) throw new MalformedWorkRequestError(`${field} is empty`)
  if (value.length > MAX_STRING_LENGTH) {
    throw new MalformedWorkRequestError(`${field} is longer than ${MAX_STRING_LENGTH} characters`)
  }
}

function checkIds (field: string, ids: string[]): void {
  if (ids.length > MAX_LEASE_IDS) throw new MalformedWorkRequestError(`${field} lists more than ${MAX_LEASE_IDS} ids`)
  ids.forEach((id, i) => { checkString(`${field}[${i}]`, id, true) })
}
