import type { ReactNode } from 'react'
import { Styled } from '../theme.tsx'

export interface HeadingProps {
  readonly children?: ReactNode
}

/** A section title inside a screen body. */
export function Heading ({ children }: HeadingProps): ReactNode {
  return <Styled tone='accent' bold wrap='truncate'>{children}</Styled>
}
