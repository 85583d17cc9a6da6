import type { ReactNode } from 'react'
import { bodyHeight } from '../components/frame.tsx'
import { formatPercent } from '../format.ts'
import { useAction } from '../hooks/use-action.ts'
import { useKeys } from '../hooks/use-keys.ts'
import { usePortData } from '../hooks/use-port-data.ts'
import { VolunteerScreen, dutyCycleSteps, volunteerKeys } from '../screens/volunteer-screen.tsx'
import { useUi } from '../ui-context.tsx'
import { ScreenFrame } from './screen-frame.tsx'

/** The next duty cycle down the steps, wrapping to 100%. */
export function nextDutyCycle (current: number): number {
  const next = dutyCycleSteps.find(step => step < current - 1e-9)
  return next ?? dutyCycleSteps[0]
}

export function VolunteerView (): ReactNode {
  const ui = useUi()
  const { port } = ui
  const { data, refresh } = usePortData(port, 'volunteer', async () => {
    const status = await port.volunteerStatus()
    const projects = await port.projects()
    return { status, prefs: await port.prefs(), project: projects.find(p => p.id === status.projectId) }
  }, { events: ['work:status', 'work:chunk-computed', 'project:updated', 'project:done', 'project:offline'] })
  const action = useAction(ui.notify, refresh)

  useKeys((input) => {
    if (data == null) return false
    const { status, prefs } = data
    if (input === ' ') {
      if (prefs.paused) void action.run('resuming', async () => { await port.resume(); return 'resumed' })
      else void action.run('pausing', async () => { await port.pause(); return 'paused: press space to resume' })
    } else if (input === 's' && status.projectId != null) {
      void action.run('stopping', async () => { await port.leave(); return 'stopped contributing' })
    } else if (input === 'd') {
      const maxDutyCycle = nextDutyCycle(prefs.maxDutyCycle)
      void action.run('saving', async () => {
        await port.setPrefs({ maxDutyCycle })
        return `GPU busy at most ${formatPercent(maxDutyCycle)} of the time`
      })
    } else if (input === 'w') {
      const acceptCustomWgsl = !prefs.acceptCustomWgsl
      void action.run('saving', async () => {
        await port.setPrefs({ acceptCustomWgsl })
        return acceptCustomWgsl ? 'custom WGSL: shown and asked per project' : 'built-in kernels only'
      })
    } else return false
    return true
  })

  return (
    <ScreenFrame keys={volunteerKeys}>
      <VolunteerScreen status={data?.status} prefs={data?.prefs} project={data?.project} device={port.device}
        width={ui.width} height={bodyHeight(ui.height)} />
    </ScreenFrame>
  )
}
