import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ReactNode } from 'react'
import { Text } from 'ink'
import type { Notice } from '../../src/tui/components/frame.tsx'
import { useNotice } from '../../src/tui/hooks/use-notice.ts'
import { renderSized, waitForFrame } from './support/render-sized.ts'

/** The notice line alone; `notify` is handed to the test. */
function Line ({ expose }: { readonly expose: (notify: (notice: Notice) => void) => void }): ReactNode {
  const [notice, notify] = useNotice(60)
  expose(notify)
  return <Text>[{notice?.text ?? ''}]</Text>
}

test('a success clears itself from the notice line; a problem stays until replaced', async () => {
  let notify: (notice: Notice) => void = () => {}
  const ui = renderSized(<Line expose={n => { notify = n }} />)
  try {
    notify({ text: 'published demo', tone: 'good' })
    await waitForFrame(ui.lastFrame, f => f.includes('[published demo]'))
    await waitForFrame(ui.lastFrame, f => f.includes('[]'))
    notify({ text: 'export failed', tone: 'bad' })
    await waitForFrame(ui.lastFrame, f => f.includes('[export failed]'))
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.match(ui.lastFrame(), /\[export failed\]/)
  } finally {
    ui.unmount()
  }
})
