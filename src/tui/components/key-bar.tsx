import type { ReactNode } from 'react'
import { Styled } from '../theme.tsx'

export interface KeyHint {
  readonly key: string
  readonly label: string
}

export interface KeyBarProps {
  readonly keys: readonly KeyHint[]
}

/** The keys that work on this screen, always on its last line. */
export function KeyBar ({ keys }: KeyBarProps): ReactNode {
  return (
    <Styled wrap='truncate'>
      {keys.map((k, i) => (
        <Styled key={k.key}>
          {i > 0 ? '  ' : ''}
          <Styled tone='accent' bold>{k.key}</Styled> {k.label}
        </Styled>
      ))}
    </Styled>
  )
}
