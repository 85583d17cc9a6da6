import { useCallback, useEffect, useRef, type RefObject } from 'react'
import { useInput, type Key } from 'ink'
import type { KeyHandler } from './use-keys.ts'
import { splitKeys } from './split-keys.ts'

/** Longest a held key waits for the screen it was typed at, when the change it waits for renders nothing. */
export const HOLD_FALLBACK_MS = 100

export interface KeyRouter {
  /** The open view's handler, asked before the app's shortcuts. */
  readonly viewKeys: RefObject<KeyHandler | undefined>
  /**
   * Keys that arrive from now on wait until the next screen has rendered.
   * A terminal can deliver several keys in one read (fast typing, tmux,
   * paste): after "1" opens Home, the "down" that came with it must reach
   * Home, not the screen that was open.
   */
  hold: () => void
  /** The screen rendered: held keys go to it now. */
  release: () => void
}

/**
 * The one input listener of the app: ctrl+c always interrupts; every other
 * key goes to the open view first, then to `shortcuts`.
 */
export function useKeyRouter (shortcuts: (input: string, key: Key) => void, interrupt: () => void): KeyRouter {
  const viewKeys = useRef<KeyHandler | undefined>(undefined)
  const held = useRef<Array<[string, Key]>>([])
  const holding = useRef(false)
  const draining = useRef(false)
  const fallback = useRef<NodeJS.Timeout | undefined>(undefined)
  const shortcutsRef = useRef(shortcuts)
  shortcutsRef.current = shortcuts

  const route = useCallback((input: string, key: Key) => {
    if (viewKeys.current?.(input, key) !== true) shortcutsRef.current(input, key)
  }, [])

  const drain = useCallback(() => {
    draining.current = false
    if (!holding.current) return
    holding.current = false
    clearTimeout(fallback.current)
    const keys = held.current.splice(0)
    for (const [i, [input, key]] of keys.entries()) {
      route(input, key)
      if (holding.current) {
        held.current.unshift(...keys.slice(i + 1))
        return
      }
    }
  }, [route])

  // Called from layout effects: the held keys go out once this commit is over, since a view
  // that held them during the commit has not rendered its change yet.
  const release = useCallback(() => {
    if (!holding.current || draining.current) return
    draining.current = true
    queueMicrotask(drain)
  }, [drain])

  const hold = useCallback(() => {
    holding.current = true
    clearTimeout(fallback.current)
    fallback.current = setTimeout(drain, HOLD_FALLBACK_MS)
  }, [drain])

  useEffect(() => () => { clearTimeout(fallback.current) }, [])

  useInput((input, key) => {
    for (const [one, described] of splitKeys(input, key)) {
      if (described.ctrl && one === 'c') interrupt()
      else if (holding.current) held.current.push([one, described])
      else route(one, described)
    }
  })

  return { viewKeys, hold, release }
}
