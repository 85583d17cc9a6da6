import { useState, type ReactNode } from 'react'
import { bodyHeight } from '../components/frame.tsx'
import { useAction } from '../hooks/use-action.ts'
import { useKeys } from '../hooks/use-keys.ts'
import { usePortData } from '../hooks/use-port-data.ts'
import { AcceptWgslScreen, acceptWgslKeys, wgslViewLines } from '../screens/accept-wgsl-screen.tsx'
import { Styled } from '../theme.tsx'
import { useUi } from '../ui-context.tsx'
import { joinProject } from './join-project.ts'
import { ScreenFrame } from './screen-frame.tsx'

export interface AcceptWgslViewProps {
  readonly projectId: string
}

export function AcceptWgslView ({ projectId }: AcceptWgslViewProps): ReactNode {
  const ui = useUi()
  const { port } = ui
  const height = bodyHeight(ui.height)
  const { data, refresh } = usePortData(port, `accept-wgsl:${projectId}`, async () => ({
    project: (await port.projects()).find(p => p.id === projectId),
    prefs: await port.prefs()
  }), { events: ['project:updated', 'project:offline'] })
  const [scroll, setScroll] = useState(0)
  const action = useAction(ui.notify, refresh)
  const lines = data?.project?.customWgsl?.replace(/\n$/, '').split('\n').length ?? 0
  const maxScroll = Math.max(0, lines - wgslViewLines(height))

  useKeys((input, key) => {
    const project = data?.project
    if (key.upArrow) setScroll(s => Math.max(0, s - 1))
    else if (key.downArrow) setScroll(s => Math.min(maxScroll, s + 1))
    else if (key.pageUp) setScroll(s => Math.max(0, s - wgslViewLines(height)))
    else if (key.pageDown) setScroll(s => Math.min(maxScroll, s + wgslViewLines(height)))
    else if (input === 'n') ui.navigate({ type: 'back' })
    else if (input === 'w' && data?.prefs.acceptCustomWgsl === false) {
      void action.run('allowing custom WGSL', async () => {
        await port.setPrefs({ acceptCustomWgsl: true })
        return 'custom WGSL allowed (shown and asked per project): y accepts this one and joins'
      })
    } else if (input === 'y' && project != null) {
      if (data?.prefs.acceptCustomWgsl === false) {
        ui.notify({ text: 'custom WGSL is off in your preferences: w allows it, then y joins', tone: 'warn' })
      } else {
        void joinProject(project, true, ui, action)
      }
    } else return false
    return true
  })

  return (
    <ScreenFrame keys={acceptWgslKeys(data?.prefs)}>
      {data == null && <Styled tone='muted'>loading…</Styled>}
      {data != null && data.project == null && <Styled tone='warn'>this project is no longer announced (esc to go back)</Styled>}
      {data?.project != null && <AcceptWgslScreen project={data.project} prefs={data.prefs} scroll={scroll} width={ui.width} height={height} />}
    </ScreenFrame>
  )
}
