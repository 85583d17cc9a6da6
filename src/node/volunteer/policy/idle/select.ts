import { problemText, type IdleSource, type ProbeResult } from '../sources.ts'
import { CommandIdle } from './command.ts'
import { InputDevicesIdle } from './input-devices.ts'
import { LogindIdle } from './logind.ts'
import { MacIdle } from './macos.ts'
import { WindowsIdle } from './windows.ts'
import { X11Idle } from './x11.ts'
import type { IdleBackend } from './backend.ts'

/**
 * Picks the idle detection for this machine: the platform's backends,
 * probed, the first that works being used. On Linux, the most exact first:
 * the input devices (any session, to the millisecond, but only with read
 * access), X11 (xprintidle), then logind (as exact as the desktop's idle
 * setting). An `--idle-command` replaces them all, and stays in use even if
 * its first run failed (its file may not exist yet): each poll runs it again.
 */

export interface IdleSelection {
  /** The backend in use; undefined when none works (the policy then computes by schedule only). */
  readonly backend?: IdleBackend
  /** Every backend tried, in order, with what it found. */
  readonly probes: readonly ProbeResult[]
  /** What the policy watcher reads. */
  readonly source: IdleSource
  /** One line for `mesh volunteer`: `idle detection: logind (session 3, ...) works; X11: no DISPLAY; ...`. */
  readonly summary: string
  close (): void
}

export interface SelectIdleInit {
  readonly idleCommand?: string
  readonly platform?: NodeJS.Platform
  /** Instead of the platform's (tests). */
  readonly backends?: readonly IdleBackend[]
}

export function idleBackendsFor (platform: NodeJS.Platform, idleCommand?: string): IdleBackend[] {
  if (idleCommand != null && idleCommand.trim() !== '') return [new CommandIdle(idleCommand)]
  switch (platform) {
    case 'linux': return [new InputDevicesIdle(), new X11Idle(), new LogindIdle()]
    case 'darwin': return [new MacIdle()]
    case 'win32': return [new WindowsIdle()]
    // The BSDs: X11 where a display is reachable.
    default: return [new X11Idle()]
  }
}

export async function selectIdleBackend (init: SelectIdleInit = {}): Promise<IdleSelection> {
  const backends = init.backends ?? idleBackendsFor(init.platform ?? process.platform, init.idleCommand)
  const results = await Promise.all(backends.map(async backend => {
    try {
      return { backend, ...(await backend.probe()) }
    } catch (err) {
      return { backend, works: false, detail: problemText(err) }
    }
  }))
  const commandGiven = backends.length === 1 && backends[0] instanceof CommandIdle
  const chosen = results.find(r => r.works)?.backend ?? (commandGiven ? backends[0] : undefined)
  for (const backend of backends) if (backend !== chosen) backend.close?.()
  const probes = results.map(({ backend, works, detail }) => ({ name: backend.name, works, detail }))
  const source: IdleSource = {
    readIdle: async () => {
      if (chosen == null) return { unavailable: 'no idle detection works here' }
      try {
        return { idleMs: await chosen.idleMs() }
      } catch (err) {
        return { unavailable: `${chosen.name}: ${problemText(err)}` }
      }
    }
  }
  return {
    ...(chosen != null ? { backend: chosen } : {}),
    probes,
    source,
    summary: idleSummary(probes),
    close: () => { chosen?.close?.() }
  }
}

/** `idle detection: logind (session 3) works; X11: no DISPLAY; input devices: no readable /dev/input`. */
export function idleSummary (probes: readonly ProbeResult[]): string {
  const parts = probes.map(p => p.works ? `${p.name} (${p.detail}) works` : `${p.name}: ${p.detail}`)
  const none = probes.length > 0 && probes.every(p => !p.works) ? ' (none works here)' : ''
  return `idle detection: ${parts.length > 0 ? parts.join('; ') : 'no backend for this platform'}${none}`
}
