import type { ReactNode } from 'react'
import { Box } from 'ink'
import { Styled, useTheme } from '../theme.tsx'
import { tabs, type Tab } from '../navigation.ts'

export interface TabBarProps {
  readonly active: Tab
  /** This peer, shown at the right when there is room. */
  readonly peer: string
  readonly width: number
}

/** The numbered screens; the active one inverted (bracketed without colour). */
export function TabBar ({ active, peer, width }: TabBarProps): ReactNode {
  const { color } = useTheme()
  const labels = tabs.map((t, i) => {
    const text = `${i + 1} ${t.title}`
    return t.id === active && !color ? `[${text}]` : ` ${text} `
  })
  const used = labels.reduce((sum, l) => sum + l.length, 0)
  const right = width - used > peer.length + 2 ? peer : ''
  return (
    <Box flexShrink={0} width={width} justifyContent='space-between'>
      <Styled wrap='truncate'>
        {labels.map((label, i) => (
          <Styled key={tabs[i].id} tone={tabs[i].id === active ? 'accent' : 'plain'} inverse={tabs[i].id === active} bold={tabs[i].id === active}>{label}</Styled>
        ))}
      </Styled>
      {right !== '' && <Styled tone='muted'>{right}</Styled>}
    </Box>
  )
}
