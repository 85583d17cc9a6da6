/** Protocol id, limits and timeouts of `/mesh/blob/1.0.0` (src/protocols/blob.proto). */

export const BLOB_PROTOCOL = '/mesh/blob/1.0.0'

/** A BlobRequest: a 64-character hash and a piece number. */
export const MAX_REQUEST_BYTES = 256
/** Largest piece a server may send (the blob store cuts 1 MiB pieces). */
export const MAX_PIECE_BYTES = 4 * 1024 * 1024
/** Room for the fields around a piece's bytes. */
export const PIECE_OVERHEAD_BYTES = 64
/**
 * Pieces asked for per request. A fetch sends its requests on one stream,
 * the next while the last one's pieces arrive, and never has more than two
 * outstanding: libp2p streams do not slow a sender down on their own, so
 * what the requester asks for is what bounds what it must buffer. The
 * server never sends more than MAX_PIECES_PER_REQUEST for one request.
 */
export const PIECES_PER_REQUEST = 4
export const MAX_PIECES_PER_REQUEST = 8
/** Largest blob a client accepts. */
export const MAX_BLOB_BYTES = 16 * 1024 * 1024 * 1024

/** Reading the request, and each later read or write of one piece. */
export const STEP_TIMEOUT_MS = 30_000

/** Transfers served at once by this peer; more get BUSY. */
export const MAX_CONCURRENT_TRANSFERS = 16
/** Transfers served at once to one requester, so one slow reader cannot take every slot. */
export const MAX_TRANSFERS_PER_PEER = 2
export const MAX_INBOUND_STREAMS = 4
export const MAX_OUTBOUND_STREAMS = 4
