import type { ProjectSummary } from '../../node/types.ts'
import type { ActionRunner } from '../hooks/use-action.ts'
import type { UiContextValue } from '../ui-context.tsx'

/**
 * What enter on a project does: your own opens its dashboard; another's with
 * researcher-written WGSL asks first; any other is joined at once.
 */
export function openProject (project: ProjectSummary, ui: UiContextValue, action: ActionRunner): void {
  if (project.own) {
    ui.navigate({ type: 'open', overlay: { kind: 'dashboard', projectId: project.id } })
  } else if (project.customWgsl != null) {
    ui.navigate({ type: 'open', overlay: { kind: 'accept-wgsl', projectId: project.id } })
  } else {
    void joinProject(project, false, ui, action)
  }
}

export async function joinProject (project: ProjectSummary, acceptCustomWgsl: boolean, ui: UiContextValue, action: ActionRunner): Promise<void> {
  await action.run(`joining ${project.name}`, async () => {
    await ui.port.join(project.id, { acceptCustomWgsl })
    ui.navigate({ type: 'tab', tab: 'volunteer' })
    return `contributing to ${project.name}`
  })
}
