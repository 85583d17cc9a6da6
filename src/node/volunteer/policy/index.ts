/**
 * When this machine computes for others, on the volunteer's terms (issue 13,
 * DESIGN.md section 12): the policy, the engine that applies it to what the
 * sources read, a watcher that polls them, and the platform sources (idle
 * time, battery, other programs' CPU load), each saying whether it works here.
 *
 * @example
 * ```ts
 * const { policy } = await loadPolicy(store, defaultPolicy('headless'))
 * const idle = await selectIdleBackend({ idleCommand: policy.idleCommand })
 * const power = await selectPowerBackend()
 * console.log(idle.summary); console.log(power.summary)
 * const watcher = new PolicyWatcher({ policy, idle: idle.source, power: power.source, cpu: cpuLoadSource({ exclude: () => [child.pid] }) })
 * watcher.addEventListener('change', evt => { const { state, previous } = evt.detail; if (state.compute !== previous?.compute) ... })
 * await watcher.start()
 * ```
 */
export { DEFAULT_POLICY, UI_DEFAULT_POLICY, defaultPolicy, type VolunteerPolicy } from './policy.ts'
export { evaluatePolicy, policyNeeds, sameState, stateText, NO_IDLE_NOTE, NO_POWER_NOTE, NO_CPU_NOTE, type Pause, type PauseCode, type PolicyCode, type PolicyReadings, type PolicyState } from './engine.ts'
export { PolicyWatcher, POLICY_POLL_MS, CPU_HOLD_MS, READ_TIMEOUT_MS, type PolicyChange, type PolicyWatcherEvents, type PolicyWatcherInit } from './watcher.ts'
export type { CpuLoadSource, CpuReading, IdleReading, IdleSource, PowerReading, PowerSource, ProbeResult } from './sources.ts'
export { PolicyError } from './errors.ts'
export { parseDuration, formatClock, formatSpan, MAX_DURATION_MS } from './duration.ts'
export { parseSchedule, formatTimeOfWeek, Schedule } from './schedule.ts'
export { parsePolicyFlags, parseSnooze, POLICY_FLAG_OPTIONS, POLICY_FLAG_USAGE, POLICY_FLAG_HELP, type PolicyUpdate } from './flags.ts'
export { POLICY_KEY, loadPolicy, savePolicy, parsePolicy, readPolicy, policyToJson, checkPolicy, type PolicyJson } from './store.ts'
export { cpuLoadSource, ProcCpuLoad, OsCpuLoad } from './cpu-load.ts'
export { selectIdleBackend, idleBackendsFor, idleSummary, type IdleSelection, type SelectIdleInit } from './idle/select.ts'
export type { IdleBackend } from './idle/backend.ts'
export { selectPowerBackend, powerBackendFor, type PowerSelection } from './power/select.ts'
export type { PowerBackend } from './power/backend.ts'
