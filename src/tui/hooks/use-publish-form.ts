import { useReducer } from 'react'
import { defaultFormValues, fieldSpecs, visibleFields, type FieldErrors, type FieldId, type FormValues } from '../publish-form.ts'

export interface PublishFormState {
  readonly values: FormValues
  readonly focus: FieldId
  /** The focused text field takes typed keys. */
  readonly editing: boolean
  /** The value before editing started, restored by cancel. */
  readonly before?: string
  readonly fieldErrors: FieldErrors
  /** One-line problems the peer found with the spec. */
  readonly specErrors: readonly string[]
  /** Counts presses of the publish button; the view submits when it changes. */
  readonly submitted: number
}

export type PublishFormAction =
  | { readonly type: 'move', readonly step: 1 | -1 }
  /** Enter: edit a text field, finish editing, step a choice, or press the button. */
  | { readonly type: 'enter' }
  | { readonly type: 'type', readonly text: string }
  | { readonly type: 'erase' }
  | { readonly type: 'clear' }
  | { readonly type: 'cancel' }
  | { readonly type: 'choose', readonly step: 1 | -1 }
  | { readonly type: 'field-errors', readonly errors: FieldErrors }
  | { readonly type: 'spec-errors', readonly errors: readonly string[] }
  | { readonly type: 'reset' }

export const initialPublishForm: PublishFormState = { values: defaultFormValues, focus: 'name', editing: false, fieldErrors: {}, specErrors: [], submitted: 0 }

export function publishFormReducer (state: PublishFormState, action: PublishFormAction): PublishFormState {
  const set = (id: FieldId, value: string): PublishFormState => ({
    ...state,
    values: { ...state.values, [id]: value },
    fieldErrors: { ...state.fieldErrors, [id]: undefined },
    specErrors: []
  })
  switch (action.type) {
    case 'move': {
      if (state.editing) return state
      const fields = visibleFields(state.values)
      const i = fields.indexOf(state.focus)
      return { ...state, focus: fields[Math.max(0, Math.min(fields.length - 1, i + action.step))] }
    }
    case 'enter': {
      if (state.editing) return { ...state, editing: false, before: undefined }
      const spec = fieldSpecs[state.focus]
      if (spec.kind === 'text') return { ...state, editing: true, before: state.values[state.focus] }
      if (spec.kind === 'button') return { ...state, submitted: state.submitted + 1 }
      return publishFormReducer(state, { type: 'choose', step: 1 })
    }
    case 'type':
      // Pasted text arrives as one string; a field is one line.
      return state.editing ? set(state.focus, state.values[state.focus] + action.text.replace(/[\r\n]+/g, '')) : state
    case 'erase':
      return state.editing ? set(state.focus, [...state.values[state.focus]].slice(0, -1).join('')) : state
    case 'clear':
      return state.editing ? set(state.focus, '') : state
    case 'cancel':
      return state.editing ? { ...set(state.focus, state.before ?? ''), editing: false, before: undefined } : state
    case 'choose': {
      const spec = fieldSpecs[state.focus]
      if (state.editing || spec.choices == null) return state
      const i = spec.choices.indexOf(state.values[state.focus])
      return set(state.focus, spec.choices[(i + action.step + spec.choices.length) % spec.choices.length])
    }
    case 'field-errors': {
      const fields = visibleFields(state.values)
      const first = fields.find(f => action.errors[f] != null)
      return { ...state, fieldErrors: action.errors, focus: first ?? state.focus }
    }
    case 'spec-errors':
      return { ...state, specErrors: action.errors }
    case 'reset':
      return initialPublishForm
  }
}

export function usePublishForm (): [PublishFormState, (action: PublishFormAction) => void] {
  return useReducer(publishFormReducer, initialPublishForm)
}
