import type { ReactNode } from 'react'
import { Box } from 'ink'
import { Heading } from '../components/heading.tsx'
import type { PublishFormState } from '../hooks/use-publish-form.ts'
import { fieldSpecFor, visibleFields, type FieldId } from '../publish-form.ts'
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
/** Columns an inline field error takes from the value at most. */
const MAX_INLINE_ERROR = 36
/** Lines kept for the peer's problems, scrolling the fields if need be. */
const MAX_KEPT_ERRORS = 2

export interface FieldWindow {
  readonly shown: readonly FieldId[]
  /** Fields cut off above and below the window. */
  readonly above: number
  readonly below: number
}

/**
 * The fields that fit in `lines`, the focused one among them: a form taller
 * than the screen (wgsl in rounds) scrolls, with a line saying how many
 * fields are cut off on each side that has any.
 */
export function fieldWindow (fields: readonly FieldId[], focus: FieldId, lines: number): FieldWindow {
  if (fields.length <= lines) return { shown: fields, above: 0, below: 0 }
  const at = Math.max(0, fields.indexOf(focus))
  const rows = Math.max(1, lines - 2)
  const start = Math.max(0, Math.min(fields.length - rows, at - Math.floor(rows / 2)))
  // At either end one mark line is enough, so the window takes the other.
  if (start === 0) return { shown: fields.slice(0, Math.max(1, lines - 1)), above: 0, below: fields.length - Math.max(1, lines - 1) }
  if (start === fields.length - rows) {
    const from = fields.length - Math.max(1, lines - 1)
    return { shown: fields.slice(from), above: from, below: 0 }
  }
  return { shown: fields.slice(start, start + rows), above: start, below: fields.length - start - rows }
}

/** A field's value as shown: a choice between its arrows, an empty text field's placeholder (but not while it is edited). */
function shownValue (form: PublishFormState, id: FieldId): string {
  const spec = fieldSpecFor(id, form.values.kernel)
  const value = form.values[id]
  if (spec.kind === 'choice') return `‹ ${value} ›`
  return value === '' && !(id === form.focus && form.editing) ? spec.placeholder ?? '(empty)' : value
}

export function PublishScreen ({ form, pending, width, height }: PublishScreenProps): ReactNode {
  const fields = visibleFields(form.values)
  const focusSpec = fieldSpecFor(form.focus, form.values.kernel)
  const focusError = form.fieldErrors[form.focus]
  // The focused field's problem goes on a line of its own too where the field's line cuts it.
  const focusErrorCut = focusError != null && 2 + LABEL_WIDTH + [...shownValue(form, form.focus)].length + 2 + focusError.length > width
  const room = height - 3 - (focusErrorCut ? 1 : 0)
  // The fields scroll before the peer's first problems are cut: they say what to fix.
  const scroll = fieldWindow(fields, form.focus, room - Math.min(MAX_KEPT_ERRORS, form.specErrors.length))
  const errorLines = Math.max(0, room - scroll.shown.length - (scroll.above > 0 ? 1 : 0) - (scroll.below > 0 ? 1 : 0))
  return (
    <Box flexDirection='column' width={width}>
      <Heading>Publish a project</Heading>
      {scroll.above > 0 && <Styled tone='muted' wrap='truncate'>  ↑ {scroll.above} more</Styled>}
      {scroll.shown.map(id => {
        const spec = fieldSpecFor(id, form.values.kernel)
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
        const shown = shownValue(form, id)
        const valueWidth = Math.max(4, width - LABEL_WIDTH - 4 - (error != null ? Math.min(MAX_INLINE_ERROR, error.length + 2) : 0))
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
      {scroll.below > 0 && <Styled tone='muted' wrap='truncate'>  ↓ {scroll.below} more</Styled>}
      <Styled tone='muted' wrap='truncate'>  {focusSpec.hint}</Styled>
      {focusErrorCut && <Styled tone='bad' wrap='truncate'>  ✗ {focusError}</Styled>}
      {form.specErrors.slice(0, errorLines).map((e, i) => <Styled key={i} tone='bad' wrap='truncate'>✗ {e}</Styled>)}
    </Box>
  )
}
