import type { ReactNode } from 'react'
import { formatClock, formatSpan, formatTimeOfWeek, stateText } from '../../node/volunteer/policy/index.ts'
import { bodyHeight } from '../components/frame.tsx'
import { formatPercent } from '../format.ts'
import { useAction } from '../hooks/use-action.ts'
import { useKeys } from '../hooks/use-keys.ts'
import { usePortData } from '../hooks/use-port-data.ts'
import { VolunteerScreen, dutyCycleSteps, volunteerKeys } from '../screens/volunteer-screen.tsx'
import { SNOOZE_MS, snoozedNow } from '../screens/volunteer-policy.tsx'
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
    return { status, prefs: await port.prefs(), policy: await port.policy(), project: projects.find(p => p.id === status.projectId) }
  }, { events: ['work:status', 'work:paused', 'work:resumed', 'work:chunk-computed', 'project:updated', 'project:done', 'project:offline'] })
  const action = useAction(ui.notify, refresh)
  const now = Date.now()
  const snoozed = snoozedNow(data?.policy?.policy, now)

  useKeys((input) => {
    if (data == null) return false
    const { status, prefs, policy } = data
    if (input === ' ') {
      if (prefs.paused) void action.run('resuming', async () => { await port.resume(); return 'resumed' })
      else void action.run('pausing', async () => { await port.pause(); return 'paused: press space to resume' })
    } else if ((input === 's' || input === 'w') && policy == null) {
      ui.notify({ text: 'this peer runs no volunteer policy: it computes whenever it contributes', tone: 'warn' })
    } else if (input === 's') {
      // One key both ways: a snooze is for now, so the same key ends it.
      if (snoozedNow(policy!.policy, Date.now())) {
        void action.run('ending the snooze', async () => `snooze off: ${stateText((await port.updatePolicy({ snoozeUntil: undefined })).state)}`)
      } else {
        const until = Date.now() + SNOOZE_MS
        void action.run('snoozing', async () => {
          await port.updatePolicy({ snoozeUntil: until })
          return `snoozed until ${formatTimeOfWeek(until, Date.now())} (for ${formatSpan(SNOOZE_MS)}): s ends it`
        })
      }
    } else if (input === 'w') {
      const when = policy!.policy.when === 'always' ? 'idle' : 'always'
      void action.run('saving', async () => {
        const { policy: saved } = await port.updatePolicy({ when })
        return saved.when === 'always' ? 'computes always' : `computes only when idle (after ${formatClock(saved.idleAfterMs)} without input)`
      })
    } else if (input === 'x' && status.projectId != null) {
      void action.run('stopping', async () => { await port.leave(); return 'stopped contributing' })
    } else if (input === 'd') {
      const maxDutyCycle = nextDutyCycle(prefs.maxDutyCycle)
      void action.run('saving', async () => {
        await port.setPrefs({ maxDutyCycle })
        return `GPU busy at most ${formatPercent(maxDutyCycle)} of the time`
      })
    } else if (input === 'c') {
      const acceptCustomWgsl = !prefs.acceptCustomWgsl
      void action.run('saving', async () => {
        await port.setPrefs({ acceptCustomWgsl })
        return acceptCustomWgsl ? 'custom WGSL: shown and asked per project' : 'built-in kernels only'
      })
    } else return false
    return true
  })

  return (
    <ScreenFrame keys={volunteerKeys({ paused: data?.prefs.paused === true, snoozed })}>
      <VolunteerScreen status={data?.status} prefs={data?.prefs} project={data?.project} device={port.device} policy={data?.policy}
        width={ui.width} height={bodyHeight(ui.height)} now={now} />
    </ScreenFrame>
  )
}
