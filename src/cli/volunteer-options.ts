import type { Output } from './command.ts'
import { UsageError } from './errors.ts'
import { parseInteger } from './parse-values.ts'
import type { MeshNode } from '../node/mesh-node.ts'
import type { VolunteerTuning } from '../node/config.ts'
import { parseDuration, parsePolicyFlags, POLICY_FLAG_HELP, POLICY_FLAG_OPTIONS, POLICY_FLAG_USAGE, stateText, type PolicyUpdate } from '../node/volunteer/policy/index.ts'

/** The volunteer's own flags, shared by `mesh volunteer` and `mesh serve --volunteer`. */
export const VOLUNTEER_FLAG_OPTIONS = {
  ...POLICY_FLAG_OPTIONS,
  'max-chunk-time': { type: 'string' },
  gpu: { type: 'string' },
  'max-memory': { type: 'string' }
} as const

export const VOLUNTEER_FLAG_USAGE = `${POLICY_FLAG_USAGE} [--max-chunk-time DURATION] [--gpu N|NAME] [--max-memory MIB]`

export const VOLUNTEER_FLAG_HELP = `${POLICY_FLAG_HELP}
  --max-chunk-time DURATION
                           never let one chunk compute longer (default: 4x this peer's
                           average chunk time on the project, at least 10 s); past it the
                           compute process is killed and the project left
  --gpu N|NAME             compute on this adapter (its number or part of its name in
                           \`mesh gpu --all\`); default: the best one found
  --max-memory MIB         cap the compute process's memory (Linux: its data segment and
                           JS heap; elsewhere the JS heap); a chunk over it is refused`

export interface VolunteerFlags {
  readonly policy: PolicyUpdate
  readonly tuning: VolunteerTuning
  readonly device: { gpu?: string, maxMemoryMiB?: number }
}

export function parseVolunteerFlags (values: Readonly<Record<string, unknown>>): VolunteerFlags {
  const policy = parsePolicyFlags(values)
  const maxChunkTime = values['max-chunk-time']
  let tuning: VolunteerTuning = {}
  if (typeof maxChunkTime === 'string') {
    try {
      tuning = { maxChunkTimeMs: parseDuration(maxChunkTime, '--max-chunk-time') }
    } catch (err: any) {
      throw new UsageError(err.message)
    }
  }
  const gpu = typeof values.gpu === 'string' ? values.gpu.trim() : undefined
  if (gpu === '') throw new UsageError('--gpu needs an adapter number or name (see `mesh gpu --all`)')
  const memory = typeof values['max-memory'] === 'string' ? parseInteger(values['max-memory'], '--max-memory', 64, 1024 * 1024) : undefined
  return { policy, tuning, device: { ...(gpu != null ? { gpu } : {}), ...(memory != null ? { maxMemoryMiB: memory } : {}) } }
}

/**
 * Starts the policy with this run's flags and says what it found (sources,
 * state). A chosen adapter or memory cap opens the device now, so a bad
 * --gpu is an error at start (exit 2), not a project declined later.
 */
export async function startVolunteerPolicy (out: Output, node: MeshNode<any>, flags: VolunteerFlags, json: boolean): Promise<void> {
  if (flags.device.gpu != null || flags.device.maxMemoryMiB != null) {
    const { info } = await node.computeDevice()
    if (!json) out.info(`mesh: computing on ${info.description} (${info.backend})${info.memoryCap != null ? `; ${info.memoryCap.note}` : ''}`)
  }
  const report = await node.startPolicy({ mode: 'headless', update: flags.policy })
  const { state } = report
  if (json) {
    out.json({ event: 'policy', policy: report.policy, compute: state.compute, code: state.code, reason: state.reason, notes: state.notes, sources: report.sources, at: Date.now() })
  } else {
    for (const line of report.sources) out.info(`mesh: ${line}`)
    for (const note of state.notes) out.info(`mesh: ${note}`)
    if (!state.compute) out.info(`mesh: ${stateText(state)}`)
  }
  for (const problem of report.problems) out.info(`mesh: ${problem}`)
}
