/** Protocol id, limits and timeouts of `/mesh/work/1.0.0` (src/protocols/work.proto). */

export const WORK_PROTOCOL = '/mesh/work/1.0.0'

const MiB = 1024 * 1024

/** Largest result a volunteer may submit (fp32 output rows of one chunk). */
export const MAX_RESULT_BYTES = 64 * MiB
/** Largest chunk lease (the chunk's input rows travel inline). */
export const MAX_LEASE_BYTES = 64 * MiB
/** Room for the fields around the payload: ids, shared-input list, receipts. */
export const FRAME_OVERHEAD_BYTES = 256 * 1024
/**
 * Largest request from a peer the handler expects no result from (it holds
 * no lease): a lease request, heartbeat or release. A peer cannot make the
 * researcher buffer a result-sized frame without having been given a chunk.
 */
export const MAX_SMALL_REQUEST_BYTES = FRAME_OVERHEAD_BYTES
/** Lease ids per heartbeat or release. */
export const MAX_LEASE_IDS = 64
/** Receipts piggybacked on one response; the rest wait for the next exchange. */
export const MAX_RECEIPTS_PER_RESPONSE = 256
/**
 * Release.reason a volunteer gives when a chunk ran past its time limit and
 * its compute process was killed: the researcher counts it against the
 * project (its kernel hangs or is far slower than its trial said), not
 * against the volunteer.
 */
export const KERNEL_TIME_LIMIT_REASON = 'kernel exceeded its time limit'
/** Chunks one lease answer may carry (LeaseRequest.count asks for up to this many). */
export const MAX_LEASES_PER_RESPONSE = 8
/** Chunks a lease request may say it holds the rows of (a rounds project's shards kept from earlier rounds). */
export const MAX_HELD_CHUNKS = 1024
/** Shared inputs listed in one lease. */
export const MAX_SHARED_INPUTS = 16
/** Longest id, device description or message string accepted, in characters. */
export const MAX_STRING_LENGTH = 512

/** One whole exchange (request in, response out), server side. */
export const REQUEST_TIMEOUT_MS = 60_000
/** One whole exchange, client side (a result upload of MAX_RESULT_BYTES on a slow LAN). */
export const CLIENT_TIMEOUT_MS = 90_000

/**
 * A volunteer sends its next request on a stream that answered the last one
 * (a new stream costs a protocol negotiation round trip and a peer-store
 * update on both sides). Idle streams are kept this long, this many per peer;
 * the researcher's side waits REQUEST_TIMEOUT_MS for a next request.
 */
export const IDLE_STREAM_MS = 10_000
export const MAX_IDLE_STREAMS_PER_PEER = 4

/** Concurrent work streams per connection: a volunteer's lease, result, heartbeat and release. */
export const MAX_INBOUND_STREAMS = 8
export const MAX_OUTBOUND_STREAMS = 8
