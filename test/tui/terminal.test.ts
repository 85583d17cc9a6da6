import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { TmuxSession } from '../helpers/tmux.ts'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const script = fileURLToPath(new URL('./support/fixture-tui.tsx', import.meta.url))
const command = [process.execPath, '--import', 'tsx', script]

test('in a real terminal: keys move between screens, a resize redraws, q releases leases and exits', async () => {
  const tmux = await TmuxSession.start(command, { cwd: repo, columns: 80, rows: 24 })
  try {
    let screen = await tmux.waitForText('mm-own')
    assert.match(screen.split('\n')[0], /1 Home/)
    assert.match(screen, /enter open\/join .* q quit/)
    await tmux.sendKeys('5')
    await tmux.waitForText('Response time mean')
    await tmux.resize(110, 30)
    screen = await tmux.waitForText(/History\s+alice AAself01/)
    assert.ok(screen.split('\n').some(line => line.length > 80), `not redrawn wider:\n${screen}`)
    await tmux.sendKeys('1', 'Down', 'Enter')
    await tmux.waitForText('computing chunk 3')
    await tmux.sendKeys('q')
    assert.equal(await tmux.waitForExit(), 0)
    // The alternate screen is gone: the terminal's own screen is back, with what the process printed after.
    screen = await tmux.capture({ scrollback: true })
    assert.match(screen, /ui closed: exit 0, peer stopped: true, leave calls: 1/)
    assert.doesNotMatch(screen, /1 Home/)
  } finally {
    await tmux.kill()
  }
})

test('in a real terminal: colour by default, none at all under NO_COLOR', async () => {
  for (const noColor of [false, true]) {
    const tmux = await TmuxSession.start(command, { cwd: repo, env: noColor ? { NO_COLOR: '1' } : { FORCE_COLOR: '1' } })
    try {
      await tmux.waitForText('mm-own')
      const styled = await tmux.captureStyled()
      if (noColor) assert.doesNotMatch(styled, /\u001B\[/, `styles under NO_COLOR:\n${JSON.stringify(styled)}`)
      else assert.match(styled, /\u001B\[/)
    } finally {
      await tmux.kill()
    }
  }
})
