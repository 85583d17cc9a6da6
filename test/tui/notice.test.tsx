import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useEffect, type ReactNode } from 'react'
import { Text } from 'ink'
import type { Notice } from '../../src/tui/components/frame.tsx'
import { useNotice } from '../../src/tui/hooks/use-notice.ts'
import { renderSized, waitForFrame } from './support/render-sized.ts'

function Line ({ notices }: { readonly notices: readonly Notice[] }): ReactNode {
  const [notice, notify] = useNotice(60)
  useEffect(() => {
    const timers = notices.map((n, i) => setTimeout(() => { notify(n) }, i * 150))
    return () => { for (const timer of timers) clearTimeout(timer) }
  }, [notices, notify])
  return <Text>[{notice?.text ?? ''}]</Text>
}

test('a success clears itself from the notice line; a problem stays until replaced', async () => {
  const ui = renderSized(<Line notices={[{ text: 'published demo', tone: 'good' }, { text: 'export failed', tone: 'bad' }]} />)
  try {
    await waitForFrame(ui.lastFrame, f => f.includes('[published demo]'))
    await waitForFrame(ui.lastFrame, f => f.includes('[]'))
    await waitForFrame(ui.lastFrame, f => f.includes('[export failed]'))
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.match(ui.lastFrame(), /\[export failed\]/)
  } finally {
    ui.unmount()
  }
})
