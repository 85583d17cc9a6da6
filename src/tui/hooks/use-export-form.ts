import { useReducer } from 'react'
import { exportFormats, type ExportFormat } from '../mesh-port.ts'

export interface ExportFormState {
  readonly format: ExportFormat
  readonly path: string
  /** Once the path is typed by hand, changing the format leaves it alone. */
  readonly pathEdited: boolean
}

export type ExportFormAction =
  | { readonly type: 'open', readonly projectName: string }
  | { readonly type: 'format', readonly step: 1 | -1 }
  | { readonly type: 'type', readonly text: string }
  | { readonly type: 'erase' }
  | { readonly type: 'close' }

/** A file name from the project name: letters, digits, dot, dash and underscore. */
export function defaultExportPath (projectName: string, format: ExportFormat): string {
  const base = projectName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '')
  return `${base === '' ? 'result' : base}.${format}`
}

export function exportFormReducer (state: ExportFormState | undefined, action: ExportFormAction): ExportFormState | undefined {
  if (action.type === 'open') return { format: 'npy', path: defaultExportPath(action.projectName, 'npy'), pathEdited: false }
  if (state == null || action.type === 'close') return undefined
  switch (action.type) {
    case 'format': {
      const i = exportFormats.indexOf(state.format)
      const format = exportFormats[(i + action.step + exportFormats.length) % exportFormats.length]
      const path = state.pathEdited ? state.path : state.path.replace(/\.(npy|csv|json)$/, `.${format}`)
      return { ...state, format, path }
    }
    case 'type':
      return { ...state, path: state.path + action.text.replace(/[\r\n]+/g, ''), pathEdited: true }
    case 'erase':
      return { ...state, path: [...state.path].slice(0, -1).join(''), pathEdited: true }
  }
}

export function useExportForm (): [ExportFormState | undefined, (action: ExportFormAction) => void] {
  return useReducer(exportFormReducer, undefined)
}
