/** Defaults of the coordinator's tuning (every one overridable in CoordinatorInit). */

/** Volunteers send a heartbeat this often while they hold leases. */
export const HEARTBEAT_INTERVAL_MS = 1000
/** A lease not renewed for this long is a silent failure: its chunk is requeued. */
export const HEARTBEAT_TIMEOUT_MS = 4000
/** Lease, heartbeat and deadline sweep period. */
export const SWEEP_INTERVAL_MS = 250
/** Lease time for a volunteer whose speed is not known yet (its first chunk includes fetching shared inputs). */
export const UNKNOWN_SPEED_LEASE_MS = 120_000
/** Shortest and longest lease a measured speed may give. */
export const MIN_LEASE_MS = 5_000
export const MAX_LEASE_MS = 30 * 60_000
/** A lease lasts this many times the expected compute time (plus MIN_LEASE_MS). */
export const LEASE_SLACK_FACTOR = 4
/** Failed leases of one chunk (expired, lost, wrong size, ...) before the project fails. */
export const MAX_CHUNK_FAILURES = 8
/** Volunteers on which a chunk ran past its time limit before the project fails with that reason. */
export const MAX_KERNEL_TIMEOUTS = 2
/** Extra replicas a chunk may get after mismatches before the project fails. */
export const MAX_EXTRA_REPLICAS = 3
/**
 * Leases one peer may hold at once: the chunk it hands in, the one it
 * computes and those it queued. A volunteer whose chunks take less than a
 * lease round trip queues several (a GPU far faster than the researcher's
 * trial device).
 */
export const MAX_LEASES_PER_PEER = 8

/**
 * Lease requests a peer may make per second. A volunteer asks about once per
 * chunk, so 20 throttled an honest one on 50 ms chunks (the scaling
 * benchmark lost 20% to retry waits); 100 admits 10 ms chunks.
 */
export const LEASE_REQUESTS_PER_SECOND = 100
/** Retry hint when nothing can be handed out right now. */
export const NO_WORK_RETRY_MS = 500
/**
 * How long a lease request of a rounds project waits, when the round's last
 * chunks are all in flight, for the next round to start (it starts as soon
 * as they are verified): its volunteer then gets the new round's first chunk
 * at once instead of sleeping NO_WORK_RETRY_MS through the round's end.
 */
export const ROUND_WAIT_MS = 2_000
/** Backup copies of one in-flight chunk once the queue is empty. */
export const MAX_BACKUPS_PER_CHUNK = 1
/**
 * A chunk gets a backup copy only once its lease is older than this factor
 * times the project's typical lease-to-result time (and this minimum), so
 * chunks that are merely queued on a busy volunteer are not computed twice.
 */
export const BACKUP_AGE_FACTOR = 2
export const BACKUP_MIN_AGE_MS = 250
/** Timeline entries kept per project (oldest dropped first). */
export const MAX_TIMELINE_ENTRIES = 500
/** Response-time samples kept per project. */
export const MAX_RESPONSE_SAMPLES = 500
/** Ended leases remembered (to tell a late or foreign result from a forged one). */
export const MAX_ENDED_LEASES = 10_000
/** Longest reason a volunteer may give for releasing leases (shown in the researcher's timeline and status). */
export const MAX_RELEASE_REASON_LENGTH = 200
