import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InputDevicesIdle } from '../../../src/node/volunteer/policy/idle/input-devices.ts'
import { LogindIdle } from '../../../src/node/volunteer/policy/idle/logind.ts'
import { selectIdleBackend } from '../../../src/node/volunteer/policy/idle/select.ts'
import { X11Idle } from '../../../src/node/volunteer/policy/idle/x11.ts'
import { selectPowerBackend } from '../../../src/node/volunteer/policy/power/select.ts'
import { SysfsPower } from '../../../src/node/volunteer/policy/power/sysfs.ts'
import type { IdleBackend } from '../../../src/node/volunteer/policy/idle/backend.ts'

/**
 * The Linux backends tried for real on this machine: what each found is
 * reported (`t.diagnostic`), and only the shape of the answer is asserted,
 * since a CI machine has no desktop, a laptop has one.
 */
const linux = process.platform === 'linux'

function wellFormed (probe: { works: boolean, detail: string }): void {
  assert.equal(typeof probe.works, 'boolean')
  assert.equal(typeof probe.detail, 'string')
  assert.ok(probe.detail.length > 0 && !probe.detail.includes('\n'), probe.detail)
}

for (const make of [() => new LogindIdle(), () => new X11Idle(), () => new InputDevicesIdle()] as Array<() => IdleBackend>) {
  const backend = make()
  test(`idle backend ${backend.name}, for real`, { skip: !linux && 'not Linux' }, async t => {
    try {
      const probe = await backend.probe()
      t.diagnostic(`${backend.name}: ${probe.works ? 'works' : 'does not work'}: ${probe.detail}`)
      wellFormed(probe)
      if (probe.works) {
        const ms = await backend.idleMs()
        t.diagnostic(`${backend.name}: idle ${ms} ms`)
        assert.ok(Number.isFinite(ms) && ms >= 0)
      }
    } finally {
      backend.close?.()
    }
  })
}

test('battery through sysfs, for real', { skip: !linux && 'not Linux' }, async t => {
  const probe = await new SysfsPower().probe()
  t.diagnostic(`sysfs: ${probe.works ? 'works' : 'does not work'}: ${probe.detail}`)
  wellFormed(probe)
})

test('the selections this machine makes, as `mesh volunteer` would print them', { skip: !linux && 'not Linux' }, async t => {
  const idle = await selectIdleBackend()
  const power = await selectPowerBackend()
  try {
    t.diagnostic(idle.summary)
    t.diagnostic(power.summary)
    assert.match(idle.summary, /^idle detection: /)
    assert.match(power.summary, /^battery: /)
    const reading = await idle.source.readIdle()
    assert.ok('idleMs' in reading || typeof reading.unavailable === 'string')
  } finally {
    idle.close()
    power.close()
  }
})
