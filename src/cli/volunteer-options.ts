import type { Output } from './command.ts'
import { UsageError } from './errors.ts'
import type { MeshNode } from '../node/mesh-node.ts'
import type { VolunteerTuning } from '../node/config.ts'
import { parseDuration, parsePolicyFlags, POLICY_FLAG_HELP, POLICY_FLAG_OPTIONS, POLICY_FLAG_USAGE, stateText, type PolicyUpdate } from '../node/volunteer/policy/index.ts'

/** The volunteer's own flags, shared by `mesh volunteer` and `mesh serve --volunteer`. */
export const VOLUNTEER_FLAG_OPTIONS = {
  ...POLICY_FLAG_OPTIONS,
  'max-chunk-time': { type: 'string' }
} as const

export const VOLUNTEER_FLAG_USAGE = `${POLICY_FLAG_USAGE} [--max-chunk-time DURATION]`

export const VOLUNTEER_FLAG_HELP = `${POLICY_FLAG_HELP}
  --max-chunk-time DURATION
                           never let one chunk compute longer (default: 4x this peer's
                           average chunk time on the project, at least 10 s); past it the
                           compute process is killed and the project left`

export interface VolunteerFlags {
  readonly policy: PolicyUpdate
  readonly tuning: VolunteerTuning
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
  return { policy, tuning }
}

/** Starts the policy with this run's flags and says what it found (sources, state). */
export async function startVolunteerPolicy (out: Output, node: MeshNode<any>, flags: VolunteerFlags, json: boolean): Promise<void> {
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
