import { useEffect, useRef } from 'react'
import type { Key } from 'ink'
import { useUi } from '../ui-context.tsx'

/** A view's keys: answers true when the key was the view's, so the app's shortcuts leave it alone. */
export type KeyHandler = (input: string, key: Key) => boolean

/**
 * Gives the open view the first look at every key. One input listener (the
 * app's) asks the view first, so a key typed into a text field is never also
 * a shortcut, however fast keys arrive.
 */
export function useKeys (handler: KeyHandler): void {
  const { viewKeys } = useUi()
  const latest = useRef(handler)
  latest.current = handler
  useEffect(() => {
    const current: KeyHandler = (input, key) => latest.current(input, key)
    viewKeys.current = current
    return () => {
      if (viewKeys.current === current) viewKeys.current = undefined
    }
  }, [viewKeys])
}

/** Printable text: what a text field takes. */
export function isText (input: string, key: Key): boolean {
  return input !== '' && !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab
}
