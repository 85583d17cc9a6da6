import { useCallback, useEffect, useRef, useState } from 'react'
import type { Notice } from '../components/frame.tsx'

/** How long a success stays on the notice line; problems and work under way stay until replaced. */
export const SUCCESS_NOTICE_MS = 10_000

/**
 * The notice line's state. A success ("published demo") clears itself
 * after a while, so it does not go on describing a moment long past.
 */
export function useNotice (successMs = SUCCESS_NOTICE_MS): [Notice | undefined, (notice: Notice) => void] {
  const [notice, setNotice] = useState<Notice>()
  const timer = useRef<NodeJS.Timeout | undefined>(undefined)
  useEffect(() => () => { clearTimeout(timer.current) }, [])
  const notify = useCallback((next: Notice) => {
    clearTimeout(timer.current)
    setNotice(next)
    if (next.tone === 'good') {
      timer.current = setTimeout(() => { setNotice(current => current === next ? undefined : current) }, successMs)
    }
  }, [successMs])
  return [notice, notify]
}
