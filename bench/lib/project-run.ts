import type { JoinOptions, VolunteerRunSummary } from '../../src/node/volunteer/index.ts'
import type { ProjectManifest } from '../../src/protocols/manifest-codec.ts'
import type { BenchPeer } from './peers.ts'
import { nowMs } from './stats.ts'

export interface ProjectRunFigures {
  /** From the volunteers joining to the project done. */
  readonly wallMs: number
  /** From the project's first lease to the project done: the time the volunteers could have computed. */
  readonly leasedWallMs: number
  /** Sum of the verified chunks' compute time, as their volunteers reported it. */
  readonly computeMs: number
  readonly verifiedChunks: number
  readonly summaries: VolunteerRunSummary[]
}

/**
 * Runs a published project to the end on `volunteers` (all joining at
 * once) and times it from the researcher's side: its own chunk:leased and
 * chunk:verified events. Throws unless the project ends done.
 */
export async function runProject (researcher: BenchPeer, volunteers: readonly BenchPeer[], manifest: ProjectManifest, join: JoinOptions = {}): Promise<ProjectRunFigures> {
  const events = researcher.coordinator!.events
  let firstLeaseMs: number | undefined
  let computeMs = 0
  let verifiedChunks = 0
  const onLeased = (evt: any): void => {
    if (evt.detail.projectId === manifest.id) firstLeaseMs ??= nowMs()
  }
  const onVerified = (evt: any): void => {
    if (evt.detail.projectId !== manifest.id) return
    computeMs += evt.detail.computeMs
    verifiedChunks++
  }
  events.addEventListener('chunk:leased', onLeased)
  events.addEventListener('chunk:verified', onVerified)
  try {
    const started = nowMs()
    const joined = volunteers.map(async v => await v.volunteer!.join(manifest, join))
    const status = await researcher.coordinator!.waitUntilFinished(manifest.id)
    const doneMs = nowMs()
    const summaries = await Promise.all(joined)
    if (status !== 'done') throw new Error(`project ${manifest.name} ended ${status}`)
    return { wallMs: doneMs - started, leasedWallMs: doneMs - (firstLeaseMs ?? started), computeMs, verifiedChunks, summaries }
  } finally {
    events.removeEventListener('chunk:leased', onLeased)
    events.removeEventListener('chunk:verified', onVerified)
  }
}
