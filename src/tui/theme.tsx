import { createContext, useContext, type ReactNode } from 'react'
import { Text } from 'ink'

/**
 * Colours by meaning, not by name, so a screen says "good" or "warn" and
 * NO_COLOR (https://no-color.org) turns every style off in one place.
 */
export type Tone = 'plain' | 'accent' | 'muted' | 'good' | 'warn' | 'bad' | 'gold' | 'silver' | 'bronze' | 'info'

export interface Theme {
  /** False under NO_COLOR: no colour, bold, dim or inverse escape codes at all. */
  readonly color: boolean
}

const toneColors: Record<Tone, string | undefined> = {
  plain: undefined,
  accent: 'cyan',
  muted: 'gray',
  good: 'green',
  warn: 'yellow',
  bad: 'red',
  gold: '#ffd700',
  silver: '#c0c0c0',
  bronze: '#cd7f32',
  info: 'blue'
}

/** NO_COLOR set to any non-empty value disables colour, as the convention says. */
export function colorEnabled (env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR == null || env.NO_COLOR === ''
}

export const ThemeContext = createContext<Theme>({ color: true })

export function useTheme (): Theme {
  return useContext(ThemeContext)
}

export interface StyledProps {
  readonly tone?: Tone
  readonly bold?: boolean
  readonly inverse?: boolean
  readonly wrap?: 'wrap' | 'truncate' | 'truncate-end' | 'truncate-middle' | 'truncate-start'
  readonly children?: ReactNode
}

/** Text styled by tone, or plain text when colour is off. */
export function Styled ({ tone = 'plain', bold = false, inverse = false, wrap, children }: StyledProps): ReactNode {
  const { color } = useTheme()
  if (!color) return <Text wrap={wrap}>{children}</Text>
  return (
    <Text color={toneColors[tone]} bold={bold} inverse={inverse} wrap={wrap}>
      {children}
    </Text>
  )
}
