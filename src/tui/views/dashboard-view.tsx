import type { ReactNode } from 'react'
import { bodyHeight } from '../components/frame.tsx'
import { useAction } from '../hooks/use-action.ts'
import { isText, useKeys } from '../hooks/use-keys.ts'
import { useExportForm } from '../hooks/use-export-form.ts'
import { usePortData } from '../hooks/use-port-data.ts'
import { DashboardScreen, dashboardKeys, exportKeys } from '../screens/dashboard-screen.tsx'
import { Styled } from '../theme.tsx'
import { useUi } from '../ui-context.tsx'
import { ScreenFrame } from './screen-frame.tsx'

export interface DashboardViewProps {
  readonly projectId: string
  /** What publishing the project said, when it was just published. */
  readonly notes?: readonly string[]
}

export function DashboardView ({ projectId, notes }: DashboardViewProps): ReactNode {
  const ui = useUi()
  const { port } = ui
  const { data, error, refresh } = usePortData(port, `dashboard:${projectId}`, async () => ({ stats: await port.projectStats(projectId) }))
  const stats = data?.stats
  const [exportForm, dispatch] = useExportForm()
  const action = useAction(ui.notify, refresh)

  // While the export line is open it takes every key: the path is typed there.
  useKeys((input, key) => {
    if (exportForm == null) {
      if (input !== 'x' || stats == null) return false
      dispatch({ type: 'open', projectName: stats.project.name })
      ui.holdKeys()
      return true
    }
    if (key.escape) {
      dispatch({ type: 'close' })
      ui.holdKeys()
    } else if (key.leftArrow) dispatch({ type: 'format', step: -1 })
    else if (key.rightArrow) dispatch({ type: 'format', step: 1 })
    else if (key.backspace || key.delete) dispatch({ type: 'erase' })
    else if (key.return) {
      const { format, path } = exportForm
      dispatch({ type: 'close' })
      ui.holdKeys()
      void action.run(`exporting to ${path}`, async () => {
        await port.exportProject(projectId, format, path)
        return `exported ${stats?.project.name ?? projectId} to ${path}`
      })
    } else if (isText(input, key)) dispatch({ type: 'type', text: input })
    return true
  })

  return (
    <ScreenFrame keys={exportForm != null ? exportKeys : dashboardKeys}>
      {data == null && <Styled tone={error != null ? 'bad' : 'muted'}>{error ?? 'loading…'}</Styled>}
      {data != null && stats == null && <Styled tone='warn'>this peer does not coordinate project {projectId} (esc to go back)</Styled>}
      {stats != null && <DashboardScreen stats={stats} notes={notes} exportForm={exportForm} width={ui.width} height={bodyHeight(ui.height)} />}
    </ScreenFrame>
  )
}
