/**
 * The figures the UI and the headless commands show, as pure functions over
 * the coordinator's raw records (no I/O, no clocks: `now` is a parameter).
 */
export type { ChunkRecord, ProjectRecords, Receipt, ResponseSample, VolunteerInfo } from './metrics/records.ts'
export {
  DEFAULT_THROUGHPUT_HISTORY_SECONDS, DEFAULT_THROUGHPUT_WINDOW_MS,
  etaSeconds, firstLeaseAt, progress, throughput, throughputHistory
} from './metrics/progress.ts'
export type { Progress, Throughput } from './metrics/progress.ts'
export { efficiency, speedup, wallTime } from './metrics/speedup.ts'
export type { Efficiency, Speedup } from './metrics/speedup.ts'
export { healthStats, percentile, responseTimes } from './metrics/health.ts'
export type { HealthInputs, ResponseTimes } from './metrics/health.ts'
export { DEFAULT_LEADERBOARD_SIZE, leaderboard } from './metrics/leaderboard.ts'
export type { LeaderboardOptions } from './metrics/leaderboard.ts'
export { volunteerRows } from './metrics/volunteers.ts'
export { computeProjectStats, historyEntry } from './metrics/project-stats.ts'
