import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WindowsIdle } from '../../../src/node/volunteer/policy/idle/windows.ts'
import { LineStream } from '../../../src/node/volunteer/policy/line-stream.ts'
import { WindowsPower } from '../../../src/node/volunteer/policy/power/windows.ts'

/**
 * The Windows backends keep one PowerShell running that prints a reading per
 * line. Here `sh` plays PowerShell, printing the lines the scripts print, so
 * the helper-process handling runs for real on any POSIX machine.
 */

test('the Windows idle backend reads the latest line of its helper', async () => {
  const idle = new WindowsIdle({ file: 'sh', args: ['-c', 'echo "Add-Type output to skip"; n=0; while true; do n=$((n+100)); echo "idle-ms $n"; sleep 0.05; done'] })
  try {
    const probe = await idle.probe()
    assert.equal(probe.works, true)
    assert.match(probe.detail, /^PowerShell: idle 0 s$/)
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.ok(await idle.idleMs() > 100)
  } finally {
    idle.close()
  }
})

test('the Windows battery backend, and a helper that cannot start', async () => {
  const power = new WindowsPower({ file: 'sh', args: ['-c', 'while true; do echo "battery 1"; sleep 0.05; done'] })
  try {
    assert.deepEqual(await power.probe(), { works: true, detail: 'BatteryStatus 1' })
    assert.equal(await power.onBattery(), true)
  } finally {
    power.close()
  }
  const missing = new WindowsIdle({ file: 'no-such-powershell-here', args: [] })
  assert.deepEqual(await missing.probe(), { works: false, detail: 'no-such-powershell-here is not installed (not found on PATH)' })
})

test('a helper that ends is restarted; a stale reading is refused; close() ends it', async () => {
  const stream = new LineStream({ file: 'sh', args: ['-c', 'echo "idle-ms 7"; sleep 0.1'] })
  try {
    assert.equal(await stream.next(5_000), 'idle-ms 7')
    assert.equal(stream.latest(5_000), 'idle-ms 7')
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.throws(() => stream.latest(100), /ended \(status 0\)|printed no reading/)
    // Restarted after its back-off (a second): a fresh line comes.
    assert.equal(await stream.next(5_000), 'idle-ms 7')
  } finally {
    stream.close()
  }
  await assert.rejects(stream.next(100), /ended|printed no reading/)
})
