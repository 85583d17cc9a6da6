import { getKernel } from '../compute/kernels/index.ts'
import type { ProjectManifest } from '../protocols/manifest-codec.ts'
import type { AnnouncedProgress } from '../protocols/announce.ts'
import type { ProjectStatus, ProjectSummary } from './types.ts'
import type { DiscoveredProject } from './discovery/project-registry.ts'

/** "512x256 · 256x512" for several inputs; "10000 rows -> 3 cols" for a single-input (map) project. */
export function projectDims (manifest: Pick<ProjectManifest, 'inputs' | 'outputCols'> & Partial<Pick<ProjectManifest, 'kernel' | 'params'>>): string {
  const rounds = manifest.kernel == null ? undefined : roundsOf(manifest.kernel, manifest.params)
  const suffix = rounds == null ? '' : ` · ${rounds} round${rounds === 1 ? '' : 's'}`
  if (manifest.inputs.length === 1) return `${manifest.inputs[0].rows} rows -> ${manifest.outputCols} cols${suffix}`
  return manifest.inputs.map(input => `${input.rows}x${input.cols}`).join(' · ') + suffix
}

/** The most rounds of an iterative project; undefined for a one-pass one (or a kernel this version does not know). */
function roundsOf (kernelId: string, params: unknown): number | undefined {
  try {
    const kernel = getKernel(kernelId)
    return kernel.rounds?.(kernel.parseParams(params))?.count
  } catch {
    return undefined
  }
}

function customWgslOf (params: unknown): string | undefined {
  const wgsl = (params as { wgsl?: unknown } | null)?.wgsl
  return typeof wgsl === 'string' ? wgsl : undefined
}

export interface SummaryState {
  readonly progress: AnnouncedProgress
  readonly own: boolean
  readonly offline: boolean
  readonly lastHeard: number
  readonly ownerName?: string
}

export function summarizeProject (manifest: ProjectManifest, state: SummaryState): ProjectSummary {
  const status: ProjectStatus = state.offline ? 'offline' : state.progress.status
  const customWgsl = customWgslOf(manifest.params)
  return {
    id: manifest.id,
    name: manifest.name,
    description: manifest.description,
    owner: manifest.owner,
    ...(state.ownerName != null ? { ownerName: state.ownerName } : {}),
    kernel: manifest.kernel,
    dims: projectDims(manifest),
    chunks: { done: state.progress.done, total: state.progress.total },
    volunteers: state.progress.volunteers,
    own: state.own,
    status,
    ...(customWgsl != null ? { customWgsl } : {}),
    verification: manifest.verification,
    createdAt: manifest.createdAt,
    lastHeard: state.lastHeard
  }
}

/** A project heard on the topic (another peer's), as every view shows it. */
export function summarizeDiscovered (project: DiscoveredProject): ProjectSummary {
  return summarizeProject(project.manifest, {
    progress: project.progress,
    own: false,
    offline: project.offline,
    lastHeard: project.lastHeard,
    ...(project.ownerName != null ? { ownerName: project.ownerName } : {})
  })
}
