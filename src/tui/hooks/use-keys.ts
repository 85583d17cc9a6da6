import { useLayoutEffect, useRef } from 'react'
import type { Key } from 'ink'
import { useUi } from '../ui-context.tsx'

/** A view's keys: answers true when the key was the view's, so the app's shortcuts leave it alone. */
export type KeyHandler = (input: string, key: Key) => boolean

/**
 * Gives the open view the first look at every key. One input listener (the
 * app's, use-key-router.ts) asks the view first, so a key typed into a text
 * field is never also a shortcut. A handler that changes what later keys
 * mean calls `holdKeys()` (from useUi) so they wait for the new render.
 */
export function useKeys (handler: KeyHandler): void {
  const { viewKeys, releaseKeys } = useUi()
  const latest = useRef(handler)
  latest.current = handler
  // A layout effect: registered while the view is committed, so a key that arrives right after
  // a screen change goes to the new view, not to the one that just closed.
  useLayoutEffect(() => {
    const current: KeyHandler = (input, key) => latest.current(input, key)
    viewKeys.current = current
    return () => {
      if (viewKeys.current === current) viewKeys.current = undefined
    }
  }, [viewKeys])
  // Every render of the view may be the one that held keys wait for.
  useLayoutEffect(() => { releaseKeys() })
}

/** Printable text: what a text field takes. */
export function isText (input: string, key: Key): boolean {
  return input !== '' && !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab
}
