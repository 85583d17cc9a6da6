import type { ReactNode } from 'react'
import { bodyHeight } from '../components/frame.tsx'
import { usePortData } from '../hooks/use-port-data.ts'
import { LeaderboardScreen, leaderboardKeys } from '../screens/leaderboard-screen.tsx'
import { useUi } from '../ui-context.tsx'
import { ScreenFrame } from './screen-frame.tsx'

export function LeaderboardView (): ReactNode {
  const ui = useUi()
  const { port } = ui
  const { data } = usePortData(port, 'leaderboard', async () => await port.leaderboard(), { events: ['chunk:verified', 'work:chunk-computed'] })
  return (
    <ScreenFrame keys={leaderboardKeys}>
      <LeaderboardScreen entries={data} selfId={port.peerId} width={ui.width} height={bodyHeight(ui.height)} />
    </ScreenFrame>
  )
}
