import { useEffect, useRef, type ReactNode } from 'react'
import { bodyHeight } from '../components/frame.tsx'
import { useAction } from '../hooks/use-action.ts'
import { isText, useKeys } from '../hooks/use-keys.ts'
import { usePublishForm } from '../hooks/use-publish-form.ts'
import { buildPublishSpec } from '../publish-form.ts'
import { PublishScreen, publishEditingKeys, publishKeys } from '../screens/publish-screen.tsx'
import { useUi } from '../ui-context.tsx'
import { ScreenFrame } from './screen-frame.tsx'

export function PublishView (): ReactNode {
  const ui = useUi()
  const { port } = ui
  const [form, dispatch] = usePublishForm()
  const action = useAction(ui.notify)

  const submit = (): void => {
    if (action.pending != null) return
    const built = buildPublishSpec(form.values)
    if (built.spec == null) {
      dispatch({ type: 'field-errors', errors: built.errors })
      ui.notify({ text: 'fix the marked fields, then publish', tone: 'warn' })
      return
    }
    const { spec } = built
    void action.run('checking and publishing', async () => {
      const problems = await port.validatePublish(spec)
      if (problems.length > 0) {
        dispatch({ type: 'spec-errors', errors: problems })
        return { text: `not published: ${problems.length === 1 ? 'one problem' : `${problems.length} problems`} to fix`, tone: 'bad' }
      }
      const project = await port.publish(spec)
      const notes = project.notes ?? []
      ui.navigate({ type: 'open', overlay: { kind: 'dashboard', projectId: project.id, ...(notes.length > 0 ? { notes } : {}) }, tab: 'home' })
      return `published ${project.name} (${project.chunks.total} chunks): announced to the mesh`
    })
  }

  // The reducer counts presses of the button so that keys arriving together act on the latest form.
  const submittedSeen = useRef(form.submitted)
  useEffect(() => {
    if (form.submitted === submittedSeen.current) return
    submittedSeen.current = form.submitted
    submit()
  })

  // A field being edited takes every key; otherwise digits, tab, esc and q stay the app's.
  useKeys((input, key) => {
    if (key.return) {
      dispatch({ type: 'enter' })
      ui.holdKeys()
    } else if (form.editing) {
      if (key.escape) {
        dispatch({ type: 'cancel' })
        ui.holdKeys()
      } else if (key.backspace || key.delete) dispatch({ type: 'erase' })
      else if (key.ctrl && input === 'u') dispatch({ type: 'clear' })
      else if (isText(input, key)) dispatch({ type: 'type', text: input })
    } else if (key.upArrow) dispatch({ type: 'move', step: -1 })
    else if (key.downArrow) dispatch({ type: 'move', step: 1 })
    else if (key.leftArrow) dispatch({ type: 'choose', step: -1 })
    else if (key.rightArrow || input === ' ') dispatch({ type: 'choose', step: 1 })
    else return false
    return true
  })

  return (
    <ScreenFrame keys={form.editing ? publishEditingKeys : publishKeys}>
      <PublishScreen form={form} pending={action.pending} width={ui.width} height={bodyHeight(ui.height)} />
    </ScreenFrame>
  )
}
