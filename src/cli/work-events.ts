import type { Output } from './command.ts'
import type { MeshNode } from '../node/mesh-node.ts'
import type { VolunteerRunSummary } from '../node/volunteer/index.ts'
import type { VolunteerPlan } from '../node/volunteer/auto-volunteer.ts'
import type { ProjectSummary } from '../node/types.ts'
import { formatRoundNumber, roundFigureTexts, roundsHeadline } from '../node/round-figures-text.ts'

/** Human progress lines are printed at most this often. */
const PROGRESS_EVERY_MS = 1_000

function shortPeer (peer: string): string {
  return peer.slice(-8)
}

/**
 * Prints what happens to this peer's own projects while a researcher
 * command runs: with --json one object per event (chunk-leased,
 * chunk-verified, chunk-requeued, volunteer-lost, volunteer-banned, round-closed, done, failed; each with
 * `at`, ms since epoch), else a progress line a second and a line per
 * requeue, loss, ban and finish. Lines are printed in event order; `flush()`
 * waits for the ones in progress.
 */
export class ResearcherReport {
  private queue: Promise<void> = Promise.resolve()
  private lastProgress = 0

  constructor (private readonly out: Output, private readonly node: MeshNode<any>, private readonly json: boolean) {
    if (json) node.addEventListener('chunk:leased', ({ detail }) => { this.print(() => { this.out.json({ event: 'chunk-leased', ...detail, at: Date.now() }) }) })
    node.addEventListener('chunk:verified', ({ detail }) => {
      const at = Date.now()
      const chunks = this.node.project(detail.projectId)?.chunks
      this.print(() => {
        if (this.json) {
          this.out.json({ event: 'chunk-verified', ...detail, ...(chunks != null ? { done: chunks.done, total: chunks.total } : {}), at })
        } else if (chunks != null && (at - this.lastProgress >= PROGRESS_EVERY_MS || chunks.done === chunks.total)) {
          this.lastProgress = at
          this.out.info(`mesh: ${detail.projectId}: ${chunks.done}/${chunks.total} chunks verified`)
        }
      })
    })
    node.addEventListener('chunk:requeued', ({ detail }) => {
      const at = Date.now()
      this.print(() => {
        if (this.json) this.out.json({ event: 'chunk-requeued', ...detail, at })
        else this.out.info(`mesh: chunk ${detail.chunk} requeued from ${shortPeer(detail.volunteer)} (${detail.reason})`)
      })
    })
    node.addEventListener('volunteer:lost', ({ detail }) => {
      const at = Date.now()
      // How long the volunteer had been silent when its chunks were requeued.
      const lastSeen = this.node.lastContact(detail.projectId, detail.volunteer)
      const silentMs = lastSeen == null ? undefined : at - lastSeen
      this.print(() => {
        if (this.json) this.out.json({ event: 'volunteer-lost', ...detail, at, ...(silentMs != null ? { silentMs } : {}) })
        else this.out.info(`mesh: volunteer ${shortPeer(detail.volunteer)} lost; chunks ${detail.chunks.join(', ')} requeued`)
      })
    })
    node.addEventListener('volunteer:banned', ({ detail }) => {
      const at = Date.now()
      this.print(() => {
        if (this.json) this.out.json({ event: 'volunteer-banned', ...detail, at })
        else this.out.info(`mesh: volunteer ${shortPeer(detail.volunteer)} banned: ${detail.reason}`)
      })
    })
    node.addEventListener('round:closed', ({ detail }) => {
      const at = Date.now()
      const of = this.node.projectStats(detail.projectId).then(stats => stats?.rounds?.of)
      this.print(async () => {
        if (this.json) {
          this.out.json({ event: 'round-closed', ...detail, at })
          return
        }
        const rounds = await of
        const parts = [
          `change ${formatRoundNumber(detail.change)}`,
          ...(detail.dropped > 0 ? [`${detail.dropped} chunks dropped`] : []),
          ...roundFigureTexts(detail.figures),
          ...(detail.converged ? ['converged'] : [])
        ]
        this.out.info(`mesh: ${detail.projectId}: round ${detail.round + 1}${rounds != null ? ` of ${rounds}` : ''} closed · ${parts.join(' · ')}`)
      })
    })
    node.addEventListener('project:done', ({ detail }) => {
      const at = Date.now()
      const stats = this.node.projectStats(detail.projectId)
      this.print(async () => { await this.printDone(detail.projectId, at, await stats) })
    })
    node.addEventListener('project:failed', ({ detail }) => {
      const at = Date.now()
      this.print(() => {
        if (this.json) this.out.json({ event: 'failed', ...detail, at })
        else this.out.line(`project ${detail.projectId} failed: ${detail.reason}`)
      })
    })
  }

  /** Resolves once every event seen so far is printed. */
  async flush (): Promise<void> {
    await this.queue
  }

  private print (line: () => void | Promise<void>): void {
    this.queue = this.queue.then(line).catch((err: Error) => { this.out.info(`mesh: cannot report an event: ${err.message}`) })
  }

  private async printDone (projectId: string, at: number, stats: Awaited<ReturnType<MeshNode['projectStats']>>): Promise<void> {
    if (stats == null) return
    const rounds = stats.rounds
    const figures = {
      // A rounds project's chunks are every round's; its figures add the rounds and the last round's figures.
      chunks: rounds != null ? stats.project.chunks.done : stats.chunkStates.length,
      ...(rounds != null ? { rounds: rounds.closed.length, converged: rounds.converged === true, figures: rounds.closed.at(-1)?.figures ?? {} } : {}),
      wallMs: stats.wallMs,
      speedup: stats.speedup,
      volunteers: stats.contributors ?? 0,
      gflops: stats.gflops,
      efficiency: stats.efficiency.ratio,
      bytesMoved: stats.efficiency.bytesMoved
    }
    if (this.json) {
      this.out.json({ event: 'done', projectId, ...figures, at })
    } else {
      const over = rounds == null ? '' : `${roundsHeadline(rounds, 'done')}${roundFigureTexts(figures.figures ?? {}).map(text => `, ${text}`).join('')}; `
      this.out.line(`project ${projectId} done: ${over}${figures.chunks} chunks in ${(figures.wallMs / 1000).toFixed(1)} s, ` +
        `${figures.volunteers} volunteers, ${figures.speedup.toFixed(1)}x speed-up, efficiency ${(figures.efficiency * 100).toFixed(0)}%`)
    }
  }
}

/**
 * Prints what this peer computes as a volunteer: with --json
 * `{"event":"chunk-computed",...}` per chunk (with `at`), else a line a second.
 */
export function reportVolunteerEvents (out: Output, node: MeshNode<any>, json: boolean): void {
  let computed = 0
  let lastLine = 0
  node.addEventListener('work:paused', ({ detail }) => {
    if (json) out.json({ event: 'paused', ...detail, at: Date.now() })
    else out.line(`paused: ${detail.reason ?? detail.code}`)
  })
  node.addEventListener('work:resumed', ({ detail }) => {
    if (json) out.json({ event: 'resumed', ...detail, at: Date.now() })
    else out.line('resumed computing')
  })
  node.addEventListener('work:chunk-computed', ({ detail }) => {
    const at = Date.now()
    computed++
    if (json) {
      out.json({ event: 'chunk-computed', ...detail, at })
    } else if (at - lastLine >= PROGRESS_EVERY_MS) {
      lastLine = at
      out.info(`mesh: computed ${computed} chunks (last: chunk ${detail.chunk} of ${detail.projectId} in ${detail.computeMs.toFixed(0)} ms)`)
    }
  })
}

export function printJoined (out: Output, project: ProjectSummary, json: boolean): void {
  if (json) {
    out.json({ event: 'joined', projectId: project.id, name: project.name, kernel: project.kernel, owner: project.owner, at: Date.now() })
  } else {
    out.line(`contributing to ${project.name} (${project.kernel}, ${project.dims}) of ${project.ownerName ?? shortPeer(project.owner)}: ${project.id}`)
  }
}

export function printLeft (out: Output, summary: VolunteerRunSummary, json: boolean): void {
  if (json) {
    out.json({ event: 'left', ...summary, at: Date.now() })
  } else {
    out.line(`left ${summary.projectId}: ${summary.outcome}${summary.reason != null ? ` (${summary.reason})` : ''}; ` +
      `${summary.chunksComputed} chunks computed, ${summary.receipts} receipts, ${(summary.creditsFlops / 1e9).toFixed(2)} GFLOP credited`)
  }
}

export function printDeclined (out: Output, project: ProjectSummary, reason: string, json: boolean): void {
  if (json) out.json({ event: 'declined', projectId: project.id, name: project.name, reason, at: Date.now() })
  else out.line(`not contributing to ${project.name}: ${reason}`)
}

/** The joined/left/declined lines of a headless volunteer (`mesh volunteer`, `mesh serve --volunteer`). */
export function volunteerReports (out: Output, json: boolean): Pick<VolunteerPlan, 'onJoined' | 'onLeft' | 'onDeclined'> {
  return {
    onJoined: project => { printJoined(out, project, json) },
    onLeft: summary => { printLeft(out, summary, json) },
    onDeclined: (project, reason) => { printDeclined(out, project, reason, json) }
  }
}
