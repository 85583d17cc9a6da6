import type { ReactNode } from 'react'
import { Box } from 'ink'
import { Heading } from '../components/heading.tsx'
import type { PublishFormState } from '../hooks/use-publish-form.ts'
import { fieldSpecs, visibleFields } from '../publish-form.ts'
import { fit, truncate } from '../format.ts'
import { Styled } from '../theme.tsx'

export interface PublishScreenProps {
  readonly form: PublishFormState
  /** What is under way: "checking", "publishing". */
  readonly pending?: string
  readonly width: number
  readonly height: number
}

export const publishKeys = [
  { key: '↑↓', label: 'field' },
  { key: 'enter', label: 'edit/publish' },
  { key: '←→', label: 'choose' },
  { key: '1-6', label: 'screens' },
  { key: 'q', label: 'quit' }
]

export const publishEditingKeys = [
  { key: 'type', label: 'edit' },
  { key: 'backspace', label: 'erase' },
  { key: 'ctrl+u', label: 'clear' },
  { key: 'enter', label: 'done' },
  { key: 'esc', label: 'undo' }
]

const LABEL_WIDTH = 16

export function PublishScreen ({ form, pending, width, height }: PublishScreenProps): ReactNode {
  const fields = visibleFields(form.values)
  const focusSpec = fieldSpecs[form.focus]
  const errorLines = Math.max(0, height - fields.length - 3)
  return (
    <Box flexDirection='column' width={width}>
      <Heading>Publish a project</Heading>
      {fields.map(id => {
        const spec = fieldSpecs[id]
        const focused = id === form.focus
        const error = form.fieldErrors[id]
        if (spec.kind === 'button') {
          return (
            <Styled key={id} wrap='truncate'>
              <Styled tone='accent' bold>{focused ? '› ' : '  '}</Styled>
              <Styled tone='accent' bold inverse={focused}>[ {pending ?? spec.label} ]</Styled>
            </Styled>
          )
        }
        const value = form.values[id]
        const shown = spec.kind === 'choice' ? `‹ ${value} ›` : value === '' && !(focused && form.editing) ? spec.placeholder ?? '(empty)' : value
        const valueWidth = Math.max(4, width - LABEL_WIDTH - 4 - (error != null ? Math.min(36, error.length + 2) : 0))
        return (
          <Styled key={id} wrap='truncate'>
            <Styled tone='accent' bold>{focused ? '› ' : '  '}</Styled>
            <Styled tone={focused ? 'accent' : 'muted'}>{fit(spec.label, LABEL_WIDTH)}</Styled>
            <Styled tone={value === '' ? 'muted' : 'plain'} bold={focused}>{truncate(shown, valueWidth)}</Styled>
            {focused && form.editing && <Styled tone='accent'>█</Styled>}
            {error != null && <Styled tone='bad'>  {error}</Styled>}
          </Styled>
        )
      })}
      <Styled tone='muted' wrap='truncate'>  {focusSpec.hint}</Styled>
      {form.specErrors.slice(0, errorLines).map((e, i) => <Styled key={i} tone='bad' wrap='truncate'>✗ {e}</Styled>)}
    </Box>
  )
}
