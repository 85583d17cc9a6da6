import { useCallback, useLayoutEffect, useMemo, useReducer, useRef, type ReactNode } from 'react'
import { useApp, useWindowSize, type Key } from 'ink'
import { useKeyRouter } from './hooks/use-key-router.ts'
import { useNotice } from './hooks/use-notice.ts'
import type { MeshPort } from './mesh-port.ts'
import { initialNavigation, navigate, tabs, type NavigationAction, type NavigationState } from './navigation.ts'
import { ThemeContext, colorEnabled } from './theme.tsx'
import { UiContext, type UiContextValue } from './ui-context.tsx'
import { AcceptWgslView } from './views/accept-wgsl-view.tsx'
import { DashboardView } from './views/dashboard-view.tsx'
import { HealthView } from './views/health-view.tsx'
import { HistoryView } from './views/history-view.tsx'
import { HomeView } from './views/home-view.tsx'
import { LeaderboardView } from './views/leaderboard-view.tsx'
import { PublishView } from './views/publish-view.tsx'
import { VolunteerView } from './views/volunteer-view.tsx'

export interface AppProps {
  readonly port: MeshPort
  /** Colour on or off; NO_COLOR decides when absent. */
  readonly color?: boolean
}

/**
 * The terminal UI: numbered tabs, project screens over them, and keys that
 * work everywhere (1-6, tab, esc, q) unless the open view takes them.
 * Quitting releases this peer's leases before the app exits; the caller then
 * stops the peer.
 */
export function App ({ port, color }: AppProps): ReactNode {
  const { columns, rows } = useWindowSize()
  const [navigation, dispatch] = useReducer(navigate, initialNavigation)
  const [notice, setNotice] = useNotice()
  const quitting = useRef(false)
  const selections = useRef(new Map<string, number>())
  const { exit } = useApp()

  const quit = useCallback(() => {
    if (quitting.current) return
    quitting.current = true
    setNotice({ text: 'stopping: releasing leases…', tone: 'muted' })
    void (async () => {
      try {
        const status = await port.volunteerStatus()
        if (status.projectId != null) await port.leave()
      } catch {
        // Quit anyway: stopping the peer, which follows, releases its leases too.
      } finally {
        exit()
      }
    })()
  }, [port, exit])

  const shortcuts = (input: string, key: Key): void => {
    if (quitting.current) return
    if (input === 'q') quit()
    else if (/^[1-9]$/.test(input) && Number(input) <= tabs.length) go({ type: 'tab', tab: tabs[Number(input) - 1].id })
    else if (key.tab) go({ type: 'next-tab', step: key.shift ? -1 : 1 })
    else if (key.escape) go({ type: 'back' })
  }
  const keys = useKeyRouter(shortcuts, quit)
  const { hold, release } = keys
  const go = useCallback((action: NavigationAction) => {
    hold()
    dispatch(action)
  }, [hold])
  // Runs after the views' own layout effects: the new screen's keys are registered by now.
  useLayoutEffect(() => { release() })

  const ui = useMemo<UiContextValue>(() => ({
    port,
    navigation,
    navigate: go,
    notice,
    notify: setNotice,
    viewKeys: keys.viewKeys,
    holdKeys: hold,
    releaseKeys: release,
    width: columns,
    height: rows,
    selections: selections.current
  }), [port, navigation, go, notice, keys.viewKeys, hold, release, columns, rows])
  const theme = useMemo(() => ({ color: color ?? colorEnabled() }), [color])

  return (
    <ThemeContext.Provider value={theme}>
      <UiContext.Provider value={ui}>
        <CurrentView navigation={navigation} />
      </UiContext.Provider>
    </ThemeContext.Provider>
  )
}

function CurrentView ({ navigation }: { readonly navigation: NavigationState }): ReactNode {
  const { overlay, tab } = navigation
  if (overlay?.kind === 'dashboard') return <DashboardView key={overlay.projectId} projectId={overlay.projectId} notes={overlay.notes} />
  if (overlay?.kind === 'accept-wgsl') return <AcceptWgslView key={overlay.projectId} projectId={overlay.projectId} />
  switch (tab) {
    case 'home': return <HomeView />
    case 'publish': return <PublishView />
    case 'volunteer': return <VolunteerView />
    case 'leaderboard': return <LeaderboardView />
    case 'health': return <HealthView />
    case 'history': return <HistoryView />
  }
}
