import { useEffect } from 'react'
import { useUi } from '../ui-context.tsx'

/** While `active`, typed keys belong to this view's text field, not to the app's shortcuts. */
export function useCaptureText (active: boolean): void {
  const { setCapturingText } = useUi()
  useEffect(() => {
    setCapturingText(active)
    return () => { setCapturingText(false) }
  }, [active, setCapturingText])
}
