import { useCallback, useEffect, useRef, useState } from 'react'
import type { Notice } from '../components/frame.tsx'

export interface ActionRunner {
  /** Label of the action under way, if any. */
  readonly pending?: string
  /**
   * Runs one action at a time: shows "<label>…", then what the action
   * answers (a string reads as success) or the error's message as a notice.
   * Answers whether it ran without throwing.
   */
  run: (label: string, action: () => Promise<string | Notice>) => Promise<boolean>
}

/** `afterwards` runs when an action ends either way, e.g. to read the state it changed. */
export function useAction (notify: (notice: Notice) => void, afterwards?: () => void): ActionRunner {
  const [pending, setPending] = useState<string>()
  const busy = useRef(false)
  const mounted = useRef(true)
  useEffect(() => () => { mounted.current = false }, [])

  const run = useCallback(async (label: string, action: () => Promise<string | Notice>): Promise<boolean> => {
    if (busy.current) return false
    busy.current = true
    setPending(label)
    notify({ text: `${label}…`, tone: 'muted' })
    try {
      const done = await action()
      notify(typeof done === 'string' ? { text: done, tone: 'good' } : done)
      return true
    } catch (err: any) {
      notify({ text: `${label} failed: ${String(err?.message ?? err).split('\n')[0]}`, tone: 'bad' })
      return false
    } finally {
      busy.current = false
      afterwards?.()
      if (mounted.current) setPending(undefined)
    }
  }, [notify, afterwards])

  return { pending, run }
}
