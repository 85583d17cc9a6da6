import type { BlobStatus } from '../blob.ts'

/** The server does not have the blob, or refused the request. */
export class BlobUnavailableError extends Error {
  override name = 'BlobUnavailableError'
  constructor (readonly hash: string, readonly status: BlobStatus, message: string) {
    super(`blob ${hash} unavailable (${status})${message === '' ? '' : `: ${message}`}`)
  }
}

/** The server broke the protocol: wrong sizes, pieces out of order, a blob larger than allowed. */
export class BlobProtocolError extends Error {
  override name = 'BlobProtocolError'
}
