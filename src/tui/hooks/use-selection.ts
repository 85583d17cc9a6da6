import { useCallback, useRef, useState } from 'react'

export interface Selection {
  /** The highlighted index, inside the list. */
  readonly index: number
  move: (step: number) => void
  /** The index after every move so far, including moves not yet rendered (keys that arrived together). */
  current: () => number
}

/** An index into a list that stays inside it as the list grows and shrinks. */
export function useSelection (length: number): Selection {
  const [index, setIndex] = useState(0)
  const indexRef = useRef(0)
  const lengthRef = useRef(length)
  lengthRef.current = length
  const clamp = (i: number): number => Math.max(0, Math.min(lengthRef.current - 1, i))
  const move = useCallback((step: number) => {
    indexRef.current = clamp(indexRef.current + step)
    setIndex(indexRef.current)
  }, [])
  const current = useCallback(() => clamp(indexRef.current), [])
  return { index: clamp(index), move, current }
}
