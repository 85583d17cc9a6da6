import { test } from 'node:test'
import assert from 'node:assert/strict'

// Colour support is decided when chalk loads: force it on, so that only the
// app's own NO_COLOR handling can keep escape codes out of the output.
process.env.FORCE_COLOR = '3'
delete process.env.NO_COLOR
const { App } = await import('../../src/tui/app.tsx')
const { FixturePort } = await import('./support/fixture-port.ts')
const { keys, renderSized, waitForFrame } = await import('./support/render-sized.ts')

const ESC = '\u001B'

async function framesOfEveryScreen (): Promise<string[]> {
  const ui = renderSized(<App port={new FixturePort()} />, 80, 24)
  try {
    await waitForFrame(ui.lastFrame, f => f.includes('mm-own'))
    const steps: Array<[string, (frame: string) => boolean]> = [
      [keys.enter, f => f.includes('Speed-up')],
      ['x', f => f.includes('Export')],
      [keys.escape, f => !f.includes('Export')],
      ['2', f => f.includes('Publish a project')],
      ['3', f => f.includes('Contributing')],
      ['4', f => f.includes('Top volunteers')],
      ['5', f => f.includes('Response time')],
      ['6', f => f.includes('old-run')]
    ]
    for (const [key, shown] of steps) {
      ui.press(key)
      await waitForFrame(ui.lastFrame, shown)
    }
    return [...ui.frames]
  } finally {
    ui.unmount()
  }
}

test('with colour, the screens are styled', async () => {
  const frames = await framesOfEveryScreen()
  assert.ok(frames.some(f => f.includes(`${ESC}[`)), 'no escape codes although colour is forced on')
})

test('NO_COLOR: not one escape code on any screen', async () => {
  process.env.NO_COLOR = '1'
  try {
    const frames = await framesOfEveryScreen()
    assert.ok(frames.length > 8)
    const styled = frames.find(f => f.includes(ESC))
    assert.equal(styled, undefined, `escape codes under NO_COLOR:\n${JSON.stringify(styled)}`)
  } finally {
    delete process.env.NO_COLOR
  }
})
