import { getKernel } from '../../compute/kernels/index.ts'
import { InputError } from '../../errors.ts'
import type { MeshNode } from '../mesh-node.ts'
import type { VolunteerRunSummary } from './index.ts'
import type { ProjectSummary } from '../types.ts'

/** How often the list of projects is checked when no announcement arrives. */
const RECHECK_MS = 1_000

export interface VolunteerPlan {
  /** The project to work on; default: any running project of another peer that this peer may run. */
  readonly projectId?: string
  /** Run researcher-written WGSL without asking (the person accepted it for this run). */
  readonly acceptCustomWgsl?: boolean
  /** Chunks to compute in all, across projects; then stop. */
  readonly maxChunks?: number
  /** Stop once the first project joined ends (instead of going on to the next one). */
  readonly untilDone?: boolean
  readonly signal: AbortSignal
  readonly onJoined?: (project: ProjectSummary) => void
  readonly onLeft?: (summary: VolunteerRunSummary) => void
  /** A project this peer cannot join (its device cannot hold it, ...), with the reason. */
  readonly onDeclined?: (project: ProjectSummary, reason: string) => void
}

type VolunteerNode = Pick<MeshNode<any>, 'projects' | 'project' | 'prefs' | 'join' | 'addEventListener' | 'removeEventListener'>

/**
 * Volunteers headlessly (`mesh volunteer`, `mesh serve --volunteer`): waits
 * for a project this peer may run, works on it until it ends, then goes on
 * to the next one, until interrupted (`signal`), `maxChunks` are computed,
 * or, with `untilDone`, the first project ends. A project that ended is not
 * joined again, except one whose researcher was unreachable and has been
 * heard from since. Answers the runs in order.
 */
export async function volunteerUntil (node: VolunteerNode, plan: VolunteerPlan): Promise<VolunteerRunSummary[]> {
  const runs: VolunteerRunSummary[] = []
  const finished = new Set<string>()
  const unreachableSince = new Map<string, number>()
  let computed = 0
  // The project asked for by id is joined whatever its kernel: join() then says why it may not run.
  const runnable = (project: ProjectSummary): boolean =>
    !project.own && project.status === 'running' && !finished.has(project.id) &&
    project.lastHeard > (unreachableSince.get(project.id) ?? 0) &&
    (plan.projectId != null ? project.id === plan.projectId : mayRun(project, plan.acceptCustomWgsl === true || node.prefs().acceptCustomWgsl))

  while (!plan.signal.aborted) {
    const ended = plan.projectId == null ? undefined : node.project(plan.projectId)
    if (ended != null && !ended.own && (ended.status === 'done' || ended.status === 'failed') && !finished.has(ended.id)) {
      // Asked for a project that is over: nothing to compute.
      finished.add(ended.id)
      const summary: VolunteerRunSummary = { projectId: ended.id, outcome: ended.status, reason: `project is ${ended.status}`, chunksComputed: 0, receipts: 0, creditsFlops: 0 }
      runs.push(summary)
      plan.onLeft?.(summary)
      if (plan.untilDone === true) break
      continue
    }
    const project = node.projects().find(runnable)
    if (project == null) {
      await nextChange(node, plan.signal)
      continue
    }
    const remaining = plan.maxChunks == null ? undefined : plan.maxChunks - computed
    let run
    try {
      run = await node.join(project.id, {
        acceptCustomWgsl: plan.acceptCustomWgsl === true,
        signal: plan.signal,
        ...(remaining != null ? { maxChunks: remaining } : {})
      })
    } catch (err) {
      // Any project may end between the listing and the join; the one asked for must say why it cannot be joined.
      if (!(err instanceof InputError)) throw err
      const now = node.project(project.id)?.status
      if (plan.projectId != null && now !== 'done' && now !== 'failed') throw err
      if (plan.projectId == null) {
        finished.add(project.id)
        if (now !== 'done' && now !== 'failed') plan.onDeclined?.(project, err.message)
      }
      continue
    }
    plan.onJoined?.(project)
    const summary = await run.finished
    runs.push(summary)
    computed += summary.chunksComputed
    plan.onLeft?.(summary)
    if (summary.outcome === 'stopped' || summary.outcome === 'max-chunks' || plan.untilDone === true) break
    if (summary.outcome === 'unreachable') unreachableSince.set(project.id, Date.now())
    else finished.add(project.id)
  }
  return runs
}

/** A built-in kernel this version knows, and researcher-written WGSL only when accepted. */
function mayRun (project: ProjectSummary, acceptCustomWgsl: boolean): boolean {
  try {
    return !getKernel(project.kernel).customCode || acceptCustomWgsl
  } catch {
    return false
  }
}

/** Resolves on the next announcement, after RECHECK_MS, or when aborted. */
async function nextChange (node: VolunteerNode, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      node.removeEventListener('project:announced', done)
      node.removeEventListener('project:updated', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, RECHECK_MS)
    node.addEventListener('project:announced', done)
    node.addEventListener('project:updated', done)
    signal.addEventListener('abort', done, { once: true })
  })
}
