import { tmpdir } from 'node:os'
import { runTui } from '../../../src/tui/run.tsx'
import { FixturePort } from './fixture-port.ts'

/**
 * The real terminal UI (runTui: raw mode, alternate screen, resize, quit)
 * over the fixture port, for driving in tmux. Prints what happened to the
 * peer after the UI closed.
 */
const port = new FixturePort()
const controller = new AbortController()
process.once('SIGTERM', () => { controller.abort() })
// The fixture port stands for a started peer, so the data dir is never opened.
const code = await runTui({ dataDir: tmpdir(), listen: [], bootstrap: [], mdns: false }, controller.signal, async () => port)
process.stdout.write(`ui closed: exit ${code}, peer stopped: ${String(port.stopped)}, leave calls: ${port.called('leave').length}\n`)
process.exit(code)
