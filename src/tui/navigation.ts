/**
 * Where the UI is: one of the numbered tabs, optionally with a project
 * screen opened over it (a dashboard, or the custom-WGSL prompt).
 */
export type Tab = 'home' | 'publish' | 'volunteer' | 'leaderboard' | 'health' | 'history'

export const tabs: ReadonlyArray<{ readonly id: Tab, readonly title: string }> = [
  { id: 'home', title: 'Home' },
  { id: 'publish', title: 'Publish' },
  { id: 'volunteer', title: 'Volunteer' },
  { id: 'leaderboard', title: 'Leaders' },
  { id: 'health', title: 'Health' },
  { id: 'history', title: 'History' }
]

export type Overlay =
  /** `notes`: what publishing it said (the trial's chunk sizing), shown on the dashboard opened then. */
  | { readonly kind: 'dashboard', readonly projectId: string, readonly notes?: readonly string[] }
  | { readonly kind: 'accept-wgsl', readonly projectId: string }

export interface NavigationState {
  readonly tab: Tab
  readonly overlay?: Overlay
}

export type NavigationAction =
  | { readonly type: 'tab', readonly tab: Tab }
  | { readonly type: 'next-tab', readonly step: 1 | -1 }
  /** Opens a project screen, over the current tab or over `tab`. */
  | { readonly type: 'open', readonly overlay: Overlay, readonly tab?: Tab }
  | { readonly type: 'back' }

export const initialNavigation: NavigationState = { tab: 'home' }

export function navigate (state: NavigationState, action: NavigationAction): NavigationState {
  switch (action.type) {
    case 'tab':
      return { tab: action.tab }
    case 'next-tab': {
      const i = tabs.findIndex(t => t.id === state.tab)
      return { tab: tabs[(i + action.step + tabs.length) % tabs.length].id }
    }
    case 'open':
      return { tab: action.tab ?? state.tab, overlay: action.overlay }
    case 'back':
      return state.overlay != null ? { tab: state.tab } : { tab: 'home' }
  }
}
