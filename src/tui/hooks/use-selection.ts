import { useCallback, useRef, useState } from 'react'

export interface Selection {
  /** The highlighted index, inside the list. */
  readonly index: number
  move: (step: number) => void
  /** The index after every move so far, including moves not yet rendered (keys that arrived together). */
  current: () => number
}

/** Where a view's selection is kept while the view is closed, so going back returns to the same row. */
export interface SelectionMemory {
  readonly store: Map<string, number>
  readonly key: string
}

/** An index into a list that stays inside it as the list grows and shrinks. */
export function useSelection (length: number, memory?: SelectionMemory): Selection {
  const remembered = memory?.store.get(memory.key) ?? 0
  const [index, setIndex] = useState(remembered)
  const indexRef = useRef(remembered)
  const lengthRef = useRef(length)
  lengthRef.current = length
  const memoryRef = useRef(memory)
  memoryRef.current = memory
  const clamp = (i: number): number => Math.max(0, Math.min(lengthRef.current - 1, i))
  const move = useCallback((step: number) => {
    indexRef.current = clamp(indexRef.current + step)
    setIndex(indexRef.current)
    memoryRef.current?.store.set(memoryRef.current.key, indexRef.current)
  }, [])
  const current = useCallback(() => clamp(indexRef.current), [])
  return { index: clamp(index), move, current }
}
