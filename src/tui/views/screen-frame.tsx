import type { ReactNode } from 'react'
import { Frame } from '../components/frame.tsx'
import type { KeyHint } from '../components/key-bar.tsx'
import { shortId } from '../format.ts'
import { useUi } from '../ui-context.tsx'

export interface ScreenFrameProps {
  readonly keys: readonly KeyHint[]
  readonly children?: ReactNode
}

/** The app's frame around a view: current tab, this peer, the latest notice, the view's keys. */
export function ScreenFrame ({ keys, children }: ScreenFrameProps): ReactNode {
  const { port, navigation, notice, width, height } = useUi()
  return (
    <Frame tab={navigation.tab} peer={`${port.name} ${shortId(port.peerId)}`} keys={keys} notice={notice} width={width} height={height}>
      {children}
    </Frame>
  )
}
