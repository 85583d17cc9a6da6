import type { WorkErrorCode } from '../work.ts'

/** The remote peer answered a work request with an error instead of a response. */
export class WorkErrorResponse extends Error {
  override name = 'WorkErrorResponse'
  constructor (readonly code: WorkErrorCode, message: string) {
    super(`work request refused (${code}): ${message}`)
  }
}

/** The remote peer sent something that is not a valid answer to our request. */
export class WorkProtocolError extends Error {
  override name = 'WorkProtocolError'
}
