import { runCommand } from '../exec.ts'
import { problemText } from '../sources.ts'
import type { Runner } from '../idle/backend.ts'
import type { PowerBackend, PowerState } from './backend.ts'

/**
 * macOS: `pmset -g batt`, whose first line says where power comes from:
 * `Now drawing from 'AC Power'`, `'Battery Power'` or `'UPS Power'` (the
 * mains are out: counted as on battery).
 */

export function parsePmsetBatt (text: string): PowerState {
  const source = /drawing from '([^']+)'/.exec(text)?.[1]
  if (source == null) throw new Error(`pmset printed no power source ('${text.trim().split('\n')[0]?.slice(0, 60) ?? ''}')`)
  const battery = /InternalBattery[^\n]*?;\s*([a-z ]+);/i.exec(text)?.[1]?.trim()
  return { onBattery: source !== 'AC Power', detail: `${source}${battery != null ? `, battery ${battery}` : ''}` }
}

export class PmsetPower implements PowerBackend {
  readonly name = 'pmset'
  readonly pollMs = 2_000
  private readonly run: Runner

  constructor (init: { run?: Runner } = {}) {
    this.run = init.run ?? (async (file, args) => await runCommand(file, args, { timeoutMs: 2_000 }))
  }

  async probe (): Promise<{ works: boolean, detail: string }> {
    try {
      const state = parsePmsetBatt(await this.run('pmset', ['-g', 'batt']))
      return { works: true, detail: state.detail }
    } catch (err) {
      return { works: false, detail: problemText(err) }
    }
  }

  async onBattery (): Promise<boolean> {
    return parsePmsetBatt(await this.run('pmset', ['-g', 'batt'])).onBattery
  }
}
