import { runCommand } from '../exec.ts'
import { problemText } from '../sources.ts'
import type { IdleBackend, Runner } from './backend.ts'

/**
 * systemd-logind's idle hint for the user's session (`loginctl
 * show-session`). For a graphical session the desktop sets the hint: it goes
 * to `no` at once on input, but to `yes` only after the desktop's own idle
 * delay (GNOME: Settings > Power > Screen Blank), so an `--idle-after`
 * shorter than that waits for the desktop; a desktop that never sets it
 * leaves `IdleSinceHint=0`, and this backend then says it does not work.
 * For a text session logind reports the terminal's last input time, which
 * the kernel keeps to within a few seconds.
 */

const PROPERTIES = ['Id', 'User', 'Type', 'Class', 'Active', 'Remote', 'Seat', 'State', 'IdleHint', 'IdleSinceHint', 'IdleSinceHintMonotonic']
const GRAPHICAL = new Set(['x11', 'wayland', 'mir'])

export interface LogindSession {
  readonly id: string
  readonly uid?: number
  readonly type: string
  readonly class: string
  readonly active: boolean
  readonly remote: boolean
  readonly seat: string
  readonly idleHint: boolean
  /** Microseconds since the epoch; 0: never set. */
  readonly idleSinceUs: number
  /** Microseconds of CLOCK_MONOTONIC; 0: never set. */
  readonly idleSinceMonotonicUs: number
}

/** `KEY=VALUE` lines of `loginctl show-session A B ...`: one record per session, blank lines between. */
export function parseProperties (text: string): Array<Record<string, string>> {
  const blocks: Array<Record<string, string>> = []
  let block: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const trimmed = line.trim()
    if (trimmed === '') {
      if (Object.keys(block).length > 0) blocks.push(block)
      block = {}
      continue
    }
    const eq = trimmed.indexOf('=')
    if (eq > 0) block[trimmed.slice(0, eq)] = trimmed.slice(eq + 1)
  }
  if (Object.keys(block).length > 0) blocks.push(block)
  return blocks
}

/** Session ids from `loginctl list-sessions --no-legend`: the first column, whatever the version's other columns. */
export function parseSessionIds (text: string): string[] {
  return text.split('\n').map(line => line.trim().split(/\s+/)[0] ?? '').filter(id => /^[\w-]+$/.test(id))
}

export function sessionFrom (props: Record<string, string>): LogindSession {
  const uid = Number(props.User)
  return {
    id: props.Id ?? '',
    ...(props.User != null && Number.isInteger(uid) ? { uid } : {}),
    type: props.Type ?? '',
    class: props.Class ?? '',
    active: props.Active === 'yes',
    remote: props.Remote === 'yes',
    seat: props.Seat ?? '',
    idleHint: props.IdleHint === 'yes',
    idleSinceUs: Number(props.IdleSinceHint ?? 0) || 0,
    idleSinceMonotonicUs: Number(props.IdleSinceHintMonotonic ?? 0) || 0
  }
}

/**
 * The session whose idleness means the machine is idle: a user's (not a
 * greeter's) local session on a seat, the active one first, this user's
 * first, graphical before text.
 */
export function chooseSession (sessions: readonly LogindSession[], uid?: number): LogindSession | undefined {
  const score = (s: LogindSession): number =>
    (s.seat !== '' ? 16 : 0) + (s.active ? 8 : 0) + (!s.remote ? 4 : 0) + (s.uid === uid ? 2 : 0) + (GRAPHICAL.has(s.type) ? 1 : 0)
  return sessions
    .filter(s => s.class === 'user' || s.class === '')
    .sort((a, b) => score(b) - score(a))[0]
}

export interface LogindClock {
  readonly realtimeMs: number
  /** CLOCK_MONOTONIC in microseconds, when known: immune to the wall clock being set. */
  readonly monotonicUs?: number
}

/** Milliseconds since the session's last input; throws when the session does not tell. */
export function sessionIdleMs (session: LogindSession, clock: LogindClock): number {
  const since = (): number => {
    if (session.idleSinceMonotonicUs > 0 && clock.monotonicUs != null) return Math.max(0, (clock.monotonicUs - session.idleSinceMonotonicUs) / 1_000)
    return Math.max(0, clock.realtimeMs - session.idleSinceUs / 1_000)
  }
  if (session.idleSinceUs === 0 && session.idleSinceMonotonicUs === 0) {
    throw new Error(GRAPHICAL.has(session.type)
      ? `session ${session.id} (${session.type}): the desktop never set logind's idle hint (IdleSinceHint=0)`
      : `session ${session.id}: logind knows no last input time (IdleSinceHint=0)`)
  }
  // A desktop's hint is yes or no; IdleSinceHint is then when it last changed.
  if (GRAPHICAL.has(session.type)) return session.idleHint ? since() : 0
  return since()
}

export interface LogindInit {
  readonly run?: Runner
  readonly env?: NodeJS.ProcessEnv
  readonly uid?: number
  readonly now?: () => LogindClock
}

export class LogindIdle implements IdleBackend {
  readonly name = 'logind'
  private readonly run: Runner
  private readonly env: NodeJS.ProcessEnv
  private readonly uid?: number
  private readonly now: () => LogindClock
  private sessionId?: string

  constructor (init: LogindInit = {}) {
    this.run = init.run ?? (async (file, args) => await runCommand(file, args, { timeoutMs: 2_000 }))
    this.env = init.env ?? process.env
    const uid = init.uid ?? process.getuid?.()
    if (uid != null) this.uid = uid
    this.now = init.now ?? systemClock
  }

  async probe (): Promise<{ works: boolean, detail: string }> {
    try {
      const session = await this.findSession()
      const idle = sessionIdleMs(session, this.now())
      this.sessionId = session.id
      return { works: true, detail: `session ${session.id}, ${session.type === '' ? 'unspecified' : session.type}${session.seat !== '' ? ` on ${session.seat}` : ''}: idle ${Math.round(idle / 1_000)} s` }
    } catch (err) {
      return { works: false, detail: problemText(err) }
    }
  }

  async idleMs (): Promise<number> {
    const id = this.sessionId ?? (await this.findSession()).id
    this.sessionId = id
    try {
      const [props] = parseProperties(await this.run('loginctl', ['show-session', id, ...PROPERTIES.flatMap(p => ['-p', p])]))
      if (props == null) throw new Error(`loginctl said nothing about session ${id}`)
      return sessionIdleMs(sessionFrom(props), this.now())
    } catch (err) {
      // The session may have ended (a log-out): look for the user's session again next time.
      this.sessionId = undefined
      throw err
    }
  }

  private async findSession (): Promise<LogindSession> {
    const own = this.env.XDG_SESSION_ID
    const ids = own != null && own !== '' ? [own] : parseSessionIds(await this.run('loginctl', ['list-sessions', '--no-legend']))
    if (ids.length === 0) throw new Error('logind lists no sessions (nobody is logged in)')
    const sessions = parseProperties(await this.run('loginctl', ['show-session', ...ids, ...PROPERTIES.flatMap(p => ['-p', p])])).map(sessionFrom)
    const session = chooseSession(sessions, this.uid)
    if (session == null) throw new Error(`no user session among logind's sessions ${ids.join(', ')}`)
    return session
  }
}

/** CLOCK_MONOTONIC is what process.hrtime reads on Linux, the clock of IdleSinceHintMonotonic. */
function systemClock (): LogindClock {
  return { realtimeMs: Date.now(), ...(process.platform === 'linux' ? { monotonicUs: Number(process.hrtime.bigint() / 1_000n) } : {}) }
}
