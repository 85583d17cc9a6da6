import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { OsCpuLoad, otherCpuPercent, parsePidStat, parseProcStat, ProcCpuLoad } from '../../../src/node/volunteer/policy/cpu-load.ts'
import { makeTempDir, type TempDir } from '../../helpers/tmpdir.ts'

const dirs: TempDir[] = []
after(async () => { for (const dir of dirs) await dir.remove() })

/** /proc/stat with a `cpu` line of these ticks (user nice system idle iowait irq softirq steal guest guest_nice). */
function procStat (ticks: number[]): string {
  return `cpu  ${ticks.join(' ')}\ncpu0 ${ticks.map(t => Math.floor(t / 2)).join(' ')}\nintr 12345\nctxt 6789\n`
}

/** A /proc/PID/stat line: utime, stime, cutime, cstime as given. */
function pidStat (pid: number, name: string, ppid: number, [utime, stime, cutime, cstime]: number[]): string {
  return `${pid} (${name}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1000 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 11 0 100 1000000 5000\n`
}

test('/proc/stat: busy and total ticks, guest time not counted twice', () => {
  assert.deepEqual(parseProcStat(procStat([100, 10, 50, 800, 40, 5, 5, 0, 30, 0])), { busy: 170, total: 1010 })
  assert.throws(() => parseProcStat('intr 1\n'), /no cpu line/)
})

test('/proc/PID/stat: a name with spaces and parentheses does not shift the fields', () => {
  assert.deepEqual(parsePidStat(pidStat(42, 'Web Content (x) y', 7, [100, 20, 3, 4])), { ppid: 7, ticks: 127 })
  assert.throws(() => parsePidStat('42 (short) S'), /unreadable/)
})

test('others\' share: all busy time less ours, a process new since the last sample counted in full', () => {
  const before = { busy: 1_000, total: 10_000, ours: new Map([[1, 100], [2, 50]]) }
  const after = { busy: 1_400, total: 10_400, ours: new Map([[1, 150], [2, 100], [3, 20]]) }
  // 400 busy of 400, of which 50 + 50 + 20 ours: 280 others.
  assert.equal(otherCpuPercent(before, after), 70)
  assert.equal(otherCpuPercent(before, before), 0)
  // A process of ours counted for more than all the busy time (its children's time arriving in cutime) never goes below 0.
  assert.equal(otherCpuPercent(before, { busy: 1_010, total: 10_100, ours: new Map([[1, 500]]) }), 0)
})

test('the /proc reader on a fixture: this process, an excluded child, their descendants', async () => {
  const dir = await makeTempDir('mesh-proc-')
  dirs.push(dir)
  const proc = dir.path
  // 100 is us, 101 our child, 102 its child; 200 the compute child, excluded; 300 someone else.
  const write = async (pid: number, ppid: number, ticks: number[], children: string | undefined, tids = [pid]): Promise<void> => {
    for (const tid of tids) {
      await mkdir(join(proc, String(pid), 'task', String(tid)), { recursive: true })
      if (children != null) await writeFile(join(proc, String(pid), 'task', String(tid), 'children'), tid === pid ? children : '')
    }
    await writeFile(join(proc, String(pid), 'stat'), pidStat(pid, `p${pid}`, ppid, ticks))
  }
  const state = async (stat: number[], ours: number[][], withChildren: boolean): Promise<void> => {
    await writeFile(join(proc, 'stat'), procStat(stat))
    await write(100, 1, ours[0]!, withChildren ? '101 ' : undefined, [100, 103])
    await write(101, 100, ours[1]!, withChildren ? '102 ' : undefined)
    await write(102, 101, ours[2]!, withChildren ? '' : undefined)
    await write(200, 1, ours[3]!, withChildren ? '' : undefined)
    await write(300, 1, [999, 999, 0, 0], withChildren ? '' : undefined)
  }
  for (const withChildren of [true, false]) {
    const load = new ProcCpuLoad({ procDir: proc, pid: 100, exclude: () => [200] })
    await state([1000, 0, 0, 9000, 0, 0, 0, 0, 0, 0], [[10, 0, 0, 0], [10, 0, 0, 0], [10, 0, 0, 0], [10, 0, 0, 0]], withChildren)
    const first = await load.sample()
    assert.deepEqual([...first.ours.keys()].sort(), [100, 101, 102, 200], withChildren ? 'children files' : 'scan of /proc')
    // 100 ticks elapsed, all busy: ours 10 + 10 + 10 + 30 = 60, others 40.
    await state([1100, 0, 0, 9000, 0, 0, 0, 0, 0, 0], [[20, 0, 0, 0], [15, 5, 0, 0], [20, 0, 0, 0], [40, 0, 0, 0]], withChildren)
    assert.equal(otherCpuPercent(first, await load.sample()), 40)
    // readCpu(): the first reading samples twice (nothing moves between them here), the next ones since the last.
    assert.deepEqual(await new ProcCpuLoad({ procDir: proc, pid: 100, exclude: () => [200], firstSampleMs: 1 }).readCpu(), { percent: 0 })
    await load.readCpu()
    await state([1200, 0, 0, 9100, 0, 0, 0, 0, 0, 0], [[30, 0, 0, 0], [15, 5, 0, 0], [20, 0, 0, 0], [40, 0, 0, 0]], withChildren)
    assert.deepEqual(await load.readCpu(), { percent: 45 }, '200 ticks, 100 busy, 10 of them ours')
  }
})

test('for real: others\' CPU share is a percent, and this process\'s busy loop and an excluded child count as ours', async t => {
  const reading = await new ProcCpuLoad({ firstSampleMs: 200 }).readCpu()
  t.diagnostic(`other programs' CPU here: ${JSON.stringify(reading)}`)
  assert.ok('percent' in reading && reading.percent >= 0 && reading.percent <= 100)

  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);'], { stdio: 'ignore' })
  try {
    const load = new ProcCpuLoad({ exclude: () => [child.pid!] })
    const before = await load.sample()
    const end = Date.now() + 400
    while (Date.now() < end);
    const after = await load.sample()
    assert.ok(after.ours.get(process.pid)! > before.ours.get(process.pid)!, 'this process\'s ticks grew')
    assert.ok(after.ours.has(child.pid!), 'the excluded child is measured')
    const percent = otherCpuPercent(before, after)
    t.diagnostic(`while this process and its child were busy, others used ${percent.toFixed(1)}%`)
    assert.ok(percent >= 0 && percent <= 100)
  } finally {
    child.kill()
  }

  const os = await new OsCpuLoad({ firstSampleMs: 200 }).readCpu()
  t.diagnostic(`os.cpus() reading: ${JSON.stringify(os)}`)
  assert.ok('percent' in os && os.percent >= 0 && os.percent <= 100)
})
