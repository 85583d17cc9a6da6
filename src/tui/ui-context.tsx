import { createContext, useContext, type RefObject } from 'react'
import type { MeshPort } from './mesh-port.ts'
import type { NavigationAction, NavigationState } from './navigation.ts'
import type { Notice } from './components/frame.tsx'
import type { KeyHandler } from './hooks/use-keys.ts'

/** What every view gets from the app: the peer, where we are, and how to say something. */
export interface UiContextValue {
  readonly port: MeshPort
  readonly navigation: NavigationState
  readonly navigate: (action: NavigationAction) => void
  readonly notice?: Notice
  readonly notify: (notice: Notice) => void
  /** The open view's keys, asked before the app's shortcuts (see use-keys.ts). */
  readonly viewKeys: RefObject<KeyHandler | undefined>
  /** A view changes what its keys mean (a text field opens): later keys wait for it to render. */
  readonly holdKeys: () => void
  /** The view rendered: keys held for it go to it now. */
  readonly releaseKeys: () => void
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
