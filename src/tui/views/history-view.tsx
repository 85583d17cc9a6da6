import type { ReactNode } from 'react'
import { bodyHeight } from '../components/frame.tsx'
import { useAction } from '../hooks/use-action.ts'
import { useKeys } from '../hooks/use-keys.ts'
import { usePortData } from '../hooks/use-port-data.ts'
import { useSelection } from '../hooks/use-selection.ts'
import { HistoryScreen, historyKeys } from '../screens/history-screen.tsx'
import { useUi } from '../ui-context.tsx'
import { ScreenFrame } from './screen-frame.tsx'

export function HistoryView (): ReactNode {
  const ui = useUi()
  const { port } = ui
  const { data, refresh } = usePortData(port, 'history', async () => await port.history(), { events: ['project:done', 'project:failed'] })
  const selection = useSelection(data?.length ?? 0, { store: ui.selections, key: 'history' })
  const { move } = selection
  const action = useAction(ui.notify, refresh)

  useKeys((input, key) => {
    if (key.upArrow) move(-1)
    else if (key.downArrow) move(1)
    else if (input === 'r' && data?.[selection.current()] != null) {
      const entry = data[selection.current()]
      void action.run(`replaying ${entry.name}`, async () => {
        const project = await port.replay(entry.projectId)
        ui.navigate({ type: 'open', overlay: { kind: 'dashboard', projectId: project.id }, tab: 'home' })
        return `published ${project.name} again as ${project.id}`
      })
    } else return false
    return true
  })

  return (
    <ScreenFrame keys={historyKeys}>
      <HistoryScreen entries={data} selected={selection.index} width={ui.width} height={bodyHeight(ui.height)} now={Date.now()} />
    </ScreenFrame>
  )
}
