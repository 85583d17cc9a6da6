import { cpus } from 'node:os'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sleep } from '../abortable-sleep.ts'
import { problemText, type CpuLoadSource, type CpuReading } from './sources.ts'

/**
 * Other programs' CPU use, as a percent of all cores, for `--max-other-cpu`:
 * all busy CPU time minus that of this process and of the processes it
 * excludes (the compute child, which on the software GPU driver burns every
 * core) and their descendants, between two samples.
 * - Linux: /proc/stat's `cpu` line minus the processes' /proc/PID/stat
 *   times (their own and their waited-for children's), the descendants
 *   found through /proc/PID/task/TID/children or, without it, a scan of
 *   /proc. Both count in the same clock ticks.
 * - Elsewhere: os.cpus() times minus process.cpuUsage(), and whatever the
 *   excluded processes report of their own use (`excludedCpuMs`).
 */

export interface CpuSample {
  /** Busy and total time of all cores (any unit, both the same). */
  readonly busy: number
  readonly total: number
  /** Time used by each excluded process, by pid, in the same unit. */
  readonly ours: ReadonlyMap<number, number>
}

/** /proc/stat's aggregate `cpu` line in clock ticks; guest time is inside user time already. */
export function parseProcStat (text: string): { busy: number, total: number } {
  const line = text.split('\n').find(l => l.startsWith('cpu '))
  if (line == null) throw new Error('/proc/stat has no cpu line')
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number)
  const total = user + nice + system + idle + iowait + irq + softirq + steal
  return { busy: total - idle - iowait, total }
}

/** /proc/PID/stat: the parent, and utime + stime + cutime + cstime in clock ticks. The name may hold spaces and parentheses. */
export function parsePidStat (text: string): { ppid: number, ticks: number } {
  const rest = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/)
  // Fields from the state (field 3): ppid is field 4, utime..cstime are 14..17.
  const [utime, stime, cutime, cstime] = rest.slice(11, 15).map(Number) as [number, number, number, number]
  const ppid = Number(rest[1])
  if (rest.length < 15 || [ppid, utime, stime, cutime, cstime].some(n => !Number.isFinite(n))) throw new Error('unreadable /proc/PID/stat')
  return { ppid, ticks: utime + stime + cutime + cstime }
}

/** Others' share, 0..100, between two samples; a process present in only the later one counts in full. */
export function otherCpuPercent (before: CpuSample, after: CpuSample): number {
  const total = after.total - before.total
  if (total <= 0) return 0
  let ours = 0
  for (const [pid, used] of after.ours) ours += Math.max(0, used - (before.ours.get(pid) ?? 0))
  const others = Math.min(Math.max(after.busy - before.busy - ours, 0), total)
  return others / total * 100
}

export interface ProcCpuLoadInit {
  /** /proc, or a fixture directory in tests. */
  readonly procDir?: string
  /** This process: it and its descendants are not "other programs". */
  readonly pid?: number
  /** More processes to leave out, with their descendants (e.g. the compute child, which may be restarted). */
  readonly exclude?: () => Iterable<number>
  /** Between the two samples of a first reading. */
  readonly firstSampleMs?: number
}

export class ProcCpuLoad implements CpuLoadSource {
  private readonly procDir: string
  private readonly pid: number
  private readonly exclude: () => Iterable<number>
  private readonly firstSampleMs: number
  private last?: CpuSample

  constructor (init: ProcCpuLoadInit = {}) {
    this.procDir = init.procDir ?? '/proc'
    this.pid = init.pid ?? process.pid
    this.exclude = init.exclude ?? (() => [])
    this.firstSampleMs = init.firstSampleMs ?? 250
  }

  /** Since the last reading; the first one samples twice, `firstSampleMs` apart. */
  async readCpu (): Promise<CpuReading> {
    try {
      if (this.last == null) {
        this.last = await this.sample()
        await sleep(this.firstSampleMs)
      }
      const now = await this.sample()
      const percent = otherCpuPercent(this.last, now)
      this.last = now
      return { percent }
    } catch (err) {
      return { unavailable: problemText(err) }
    }
  }

  async sample (): Promise<CpuSample> {
    const stat = parseProcStat(await readFile(join(this.procDir, 'stat'), 'utf8'))
    const ours = new Map<number, number>()
    const pids = await this.tree([this.pid, ...this.exclude()])
    await Promise.all([...pids].map(async pid => {
      try {
        ours.set(pid, parsePidStat(await readFile(join(this.procDir, String(pid), 'stat'), 'utf8')).ticks)
      } catch {
        // Ended between the listing and now: its time is in its parent's cutime, if it was ours.
      }
    }))
    return { ...stat, ours }
  }

  /** `roots` and their descendants. */
  private async tree (roots: readonly number[]): Promise<Set<number>> {
    const found = new Set<number>()
    let pending = roots.filter(pid => Number.isInteger(pid) && pid > 0)
    let scanned: Map<number, number[]> | undefined
    while (pending.length > 0) {
      const next: number[] = []
      for (const pid of pending) {
        if (found.has(pid)) continue
        found.add(pid)
        let children = await this.childrenFile(pid)
        if (children == null) {
          scanned ??= await this.scanParents()
          children = scanned.get(pid) ?? []
        }
        next.push(...children)
      }
      pending = next
    }
    return found
  }

  /** The kernel's list of children per thread (CONFIG_PROC_CHILDREN); undefined where it has none. */
  private async childrenFile (pid: number): Promise<number[] | undefined> {
    let tids: string[]
    try {
      tids = await readdir(join(this.procDir, String(pid), 'task'))
    } catch {
      return []
    }
    const lists = await Promise.all(tids.map(async tid =>
      await readFile(join(this.procDir, String(pid), 'task', tid, 'children'), 'utf8').catch(() => undefined)))
    if (lists.every(list => list == null)) return undefined
    return lists.flatMap(list => (list ?? '').trim().split(/\s+/).filter(s => s !== '').map(Number))
  }

  /** Children by parent, from every /proc/PID/stat. */
  private async scanParents (): Promise<Map<number, number[]>> {
    const byParent = new Map<number, number[]>()
    const entries = (await readdir(this.procDir)).filter(name => /^\d+$/.test(name))
    await Promise.all(entries.map(async name => {
      try {
        const { ppid } = parsePidStat(await readFile(join(this.procDir, name, 'stat'), 'utf8'))
        byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(name)])
      } catch {
        // Gone already.
      }
    }))
    return byParent
  }
}

export interface OsCpuLoadInit {
  /** Cumulative CPU milliseconds of the excluded processes (the compute child reports its process.cpuUsage()). */
  readonly excludedCpuMs?: () => number
  readonly firstSampleMs?: number
}

/** os.cpus() and process.cpuUsage(), in milliseconds: macOS, Windows, the BSDs. */
export class OsCpuLoad implements CpuLoadSource {
  private readonly excludedCpuMs: () => number
  private readonly firstSampleMs: number
  private last?: CpuSample

  constructor (init: OsCpuLoadInit = {}) {
    this.excludedCpuMs = init.excludedCpuMs ?? (() => 0)
    this.firstSampleMs = init.firstSampleMs ?? 250
  }

  async readCpu (): Promise<CpuReading> {
    try {
      if (this.last == null) {
        this.last = this.sample()
        await sleep(this.firstSampleMs)
      }
      const now = this.sample()
      const percent = otherCpuPercent(this.last, now)
      this.last = now
      return { percent }
    } catch (err) {
      return { unavailable: problemText(err) }
    }
  }

  sample (): CpuSample {
    let busy = 0
    let total = 0
    for (const { times } of cpus()) {
      busy += times.user + times.nice + times.sys + times.irq
      total += times.user + times.nice + times.sys + times.irq + times.idle
    }
    if (total === 0) throw new Error('os.cpus() reports no CPU times')
    const usage = process.cpuUsage()
    return { busy, total, ours: new Map([[process.pid, (usage.user + usage.system) / 1_000], [-1, this.excludedCpuMs()]]) }
  }
}

/** /proc where there is one, else os.cpus(). */
export function cpuLoadSource (init: ProcCpuLoadInit & OsCpuLoadInit = {}): CpuLoadSource {
  return process.platform === 'linux' ? new ProcCpuLoad(init) : new OsCpuLoad(init)
}
