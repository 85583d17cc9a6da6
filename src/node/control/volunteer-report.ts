import { stateText, type PolicyState, type VolunteerPolicy } from '../volunteer/policy/index.ts'
import type { MeshNode } from '../mesh-node.ts'
import type { VolunteerStatus } from '../types.ts'

/** A policy state as it travels over the control socket: without the raw readings, with `computing` or `paused: <reason>`. */
export type PolicyStateReport = Omit<PolicyState, 'readings'> & { readonly text: string }

/** What a running peer says of its volunteering in `mesh status`. */
export interface VolunteerReport {
  readonly status: VolunteerStatus
  /** The name of the project contributed to, when this peer knows it. */
  readonly projectName?: string
  /** The volunteer policy in force; absent when this peer does not run it. */
  readonly policy?: VolunteerPolicy
  readonly state?: PolicyStateReport
}

export type VolunteerReportNode = Pick<MeshNode<any>, 'volunteerStatus' | 'policyState' | 'volunteerPolicy' | 'projects'>

export function policyStateReport (state: PolicyState): PolicyStateReport {
  const { readings, ...rest } = state
  return { ...rest, text: stateText(state) }
}

/** Undefined for a peer that neither contributes nor runs the policy (a researcher, `mesh serve` alone). */
export function volunteerReport (node: VolunteerReportNode): VolunteerReport | undefined {
  const status = node.volunteerStatus()
  const state = node.policyState()
  const policy = node.volunteerPolicy()
  if (state == null && status.projectId == null) return undefined
  const projectName = status.projectId == null ? undefined : node.projects().find(p => p.id === status.projectId)?.name
  return {
    status,
    ...(projectName != null ? { projectName } : {}),
    ...(policy != null ? { policy } : {}),
    ...(state != null ? { state: policyStateReport(state) } : {})
  }
}
