import type { ReactNode } from 'react'
import { bodyHeight } from '../components/frame.tsx'
import { usePortData } from '../hooks/use-port-data.ts'
import { HealthScreen, healthKeys } from '../screens/health-screen.tsx'
import { useUi } from '../ui-context.tsx'
import { ScreenFrame } from './screen-frame.tsx'

export function HealthView (): ReactNode {
  const ui = useUi()
  const { port } = ui
  const { data } = usePortData(port, 'health', async () => ({ health: await port.health(), peers: await port.peers(), doctor: await port.doctor?.() }))
  return (
    <ScreenFrame keys={healthKeys}>
      <HealthScreen health={data?.health} peers={data?.peers} doctor={data?.doctor} width={ui.width} height={bodyHeight(ui.height)} now={Date.now()} />
    </ScreenFrame>
  )
}
