import type { ReactNode } from 'react'
import { Box } from 'ink'
import { Styled, type Tone } from '../theme.tsx'
import type { Tab } from '../navigation.ts'
import { KeyBar, type KeyHint } from './key-bar.tsx'
import { TabBar } from './tab-bar.tsx'

/** Lines the frame itself takes: tab bar, notice and key bar. */
export const FRAME_LINES = 3

export interface Notice {
  readonly text: string
  readonly tone: Tone
}

export interface FrameProps {
  readonly tab: Tab
  readonly peer: string
  readonly keys: readonly KeyHint[]
  readonly notice?: Notice
  readonly width: number
  readonly height: number
  readonly children?: ReactNode
}

/**
 * Every screen's outline at exactly the terminal's size: tabs on the first
 * line, the body, a notice line and the keys on the last line. A fixed
 * height keeps each redraw in place instead of scrolling the terminal.
 */
export function Frame ({ tab, peer, keys, notice, width, height, children }: FrameProps): ReactNode {
  return (
    <Box flexDirection='column' width={width} height={height}>
      <TabBar active={tab} peer={peer} width={width} />
      <Box flexDirection='column' flexGrow={1} flexShrink={1} overflow='hidden'>
        {children}
      </Box>
      <Box flexShrink={0} height={1}>
        <Styled tone={notice?.tone} wrap='truncate'>{notice?.text ?? ' '}</Styled>
      </Box>
      <Box flexShrink={0} height={1}>
        <KeyBar keys={keys} />
      </Box>
    </Box>
  )
}

/** The body's height inside a frame of `height` lines. */
export function bodyHeight (height: number): number {
  return Math.max(0, height - FRAME_LINES)
}
