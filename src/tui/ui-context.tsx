import { createContext, useContext } from 'react'
import type { MeshPort } from './mesh-port.ts'
import type { NavigationAction, NavigationState } from './navigation.ts'
import type { Notice } from './components/frame.tsx'

/** What every view gets from the app: the peer, where we are, and how to say something. */
export interface UiContextValue {
  readonly port: MeshPort
  readonly navigation: NavigationState
  readonly navigate: (action: NavigationAction) => void
  readonly notice?: Notice
  readonly notify: (notice: Notice) => void
  /** Views set this while they take text input, so global keys (q, 1-6) type instead. */
  readonly setCapturingText: (capturing: boolean) => void
  readonly width: number
  readonly height: number
  /** Selected rows of views that are closed, by view. */
  readonly selections: Map<string, number>
}

export const UiContext = createContext<UiContextValue | null>(null)

export function useUi (): UiContextValue {
  const value = useContext(UiContext)
  if (value == null) throw new Error('a mesh view was rendered outside the mesh app')
  return value
}
