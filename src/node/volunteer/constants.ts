/** Defaults of the volunteer loop (every one overridable in VolunteerInit). */

/** First and longest wait before asking again after a network error (doubling in between). */
export const RETRY_MIN_MS = 250
export const RETRY_MAX_MS = 5_000
/** How long the researcher may be unreachable or not serve the project (e.g. while it restarts) before the volunteer gives up. */
export const RESEARCHER_PATIENCE_MS = 60_000
/** Consecutive chunks the device fails to compute before the volunteer stops. */
export const MAX_COMPUTE_FAILURES = 3
/** Attempts to hand in one result when the network fails. */
export const SUBMIT_ATTEMPTS = 3
/** Heartbeat period when the researcher did not say. */
export const DEFAULT_HEARTBEAT_MS = 1_000
/** Releasing leases while stopping is best effort: this long at most. */
export const RELEASE_TIMEOUT_MS = 2_000
/**
 * A chunk may compute for this many times this volunteer's average chunk
 * time on the project (the lease's own deadline before the first one is
 * timed), and never less than KERNEL_TIME_FLOOR_MS; past it the compute
 * process is killed and the project is left.
 */
export const KERNEL_TIME_SLACK = 4
export const KERNEL_TIME_FLOOR_MS = 10_000
/** When computing must pause, a chunk expected to end within this long is let finish; a longer one is handed back. */
export const PAUSE_FINISH_MS = 3_000
/** Shared inputs a project may ask this peer to download and hold in memory (matmul's B). */
export const MAX_SHARED_INPUT_BYTES = 4 * 1024 ** 3
/** A rounds project's shard rows kept between rounds (see ShardCache). */
export const MAX_CACHED_SHARD_BYTES = 256 * 1024 ** 2
