import { App } from '../../../src/tui/app.tsx'
import { FixturePort, type FixtureState } from './fixture-port.ts'
import { renderSized, waitForFrame, type SizedRender } from './render-sized.ts'

/** The UI over a fixture port, driven as a person (or tmux) would. */
export interface Running {
  readonly port: FixturePort
  readonly ui: SizedRender
  /** Presses keys one after another, as a person (or tmux) types them. */
  press: (...inputs: string[]) => Promise<void>
  /** The latest frame once it shows `text`. */
  see: (text: string | RegExp) => Promise<string>
}

/** Renders the App at a size and waits for its first screen (the fixture's own project listed). */
export async function startApp (state: Partial<FixtureState> = {}, columns = 80, rows = 24): Promise<Running> {
  const port = new FixturePort(state)
  const ui = renderSized(<App port={port} color={false} />, columns, rows)
  const see = async (text: string | RegExp): Promise<string> =>
    await waitForFrame(ui.lastFrame, f => typeof text === 'string' ? f.includes(text) : text.test(f))
  const press = async (...inputs: string[]): Promise<void> => {
    for (const input of inputs) {
      ui.press(input)
      await new Promise(resolve => setTimeout(resolve, 30))
    }
  }
  await see('mm-own')
  return { port, ui, press, see }
}
