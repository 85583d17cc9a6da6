import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { parsePmsetBatt, PmsetPower } from '../../../src/node/volunteer/policy/power/pmset.ts'
import { selectPowerBackend } from '../../../src/node/volunteer/policy/power/select.ts'
import { powerStateOf, readPowerSupplies, SysfsPower } from '../../../src/node/volunteer/policy/power/sysfs.ts'
import { BATTERY_LOOP_SCRIPT, parseBatteryStatus } from '../../../src/node/volunteer/policy/power/windows.ts'
import { makeTempDir, type TempDir } from '../../helpers/tmpdir.ts'

const dirs: TempDir[] = []
after(async () => { for (const dir of dirs) await dir.remove() })

async function fixture (name: string): Promise<string> {
  return await readFile(new URL(`fixtures/${name}`, import.meta.url), 'utf8')
}

/** A /sys/class/power_supply tree: supply name -> its files. */
async function powerSupplies (supplies: Record<string, Record<string, string>>): Promise<string> {
  const dir = await makeTempDir('mesh-power-')
  dirs.push(dir)
  for (const [name, files] of Object.entries(supplies)) {
    await mkdir(join(dir.path, name))
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir.path, name, file), `${text}\n`)
  }
  return dir.path
}

test('sysfs: a laptop on AC is not on battery, unplugged it is', async () => {
  const ac = await powerSupplies({ AC: { type: 'Mains', online: '1' }, BAT0: { type: 'Battery', status: 'Charging', capacity: '71' } })
  assert.deepEqual(powerStateOf(await readPowerSupplies(ac)), { onBattery: false, detail: 'AC online, BAT0 Charging' })
  const unplugged = await powerSupplies({ AC: { type: 'Mains', online: '0' }, BAT0: { type: 'Battery', status: 'Discharging' } })
  assert.deepEqual(powerStateOf(await readPowerSupplies(unplugged)), { onBattery: true, detail: 'AC offline, BAT0 Discharging' })
  assert.equal(await new SysfsPower(unplugged).onBattery(), true)
  assert.deepEqual(await new SysfsPower(unplugged).probe(), { works: true, detail: 'AC offline, BAT0 Discharging: on battery' })
})

test('sysfs: a desktop has no battery and is never on battery; a mouse\'s battery does not count', async () => {
  const empty = await powerSupplies({})
  assert.deepEqual(powerStateOf(await readPowerSupplies(empty)), { onBattery: false, detail: 'no battery, a desktop' })
  const mouse = await powerSupplies({ 'hidpp_battery_0': { type: 'Battery', scope: 'Device', status: 'Discharging' } })
  assert.equal(powerStateOf(await readPowerSupplies(mouse)).onBattery, false)
})

test('sysfs: USB-C power counts as external; a battery that says Not charging on an offline adapter is on battery', async () => {
  const usbc = await powerSupplies({ ADP1: { type: 'Mains', online: '0' }, 'ucsi-source-psy-USBC000:001': { type: 'USB', online: '1' }, BAT1: { type: 'Battery', status: 'Discharging' } })
  assert.equal(powerStateOf(await readPowerSupplies(usbc)).onBattery, false)
  const stale = await powerSupplies({ ACAD: { type: 'Mains', online: '0' }, BAT1: { type: 'Battery', status: 'Not charging' } })
  assert.equal(powerStateOf(await readPowerSupplies(stale)).onBattery, true)
  const full = await powerSupplies({ BAT0: { type: 'Battery', status: 'Full' } })
  assert.equal(powerStateOf(await readPowerSupplies(full)).onBattery, false)
})

test('sysfs: no power_supply directory at all does not work (a container), and says so', async () => {
  const probe = await new SysfsPower('/nonexistent/power_supply').probe()
  assert.equal(probe.works, false)
  assert.match(probe.detail, /no \/nonexistent\/power_supply/)
  const selection = await selectPowerBackend({ backend: new SysfsPower('/nonexistent/power_supply') })
  assert.match((await selection.source.readPower() as { unavailable: string }).unavailable, /no \/nonexistent/)
  assert.match(selection.summary, /^battery: sysfs: no /)
})

test('macOS: pmset -g batt says where power comes from', async () => {
  assert.deepEqual(parsePmsetBatt(await fixture('pmset-batt-battery.txt')), { onBattery: true, detail: 'Battery Power, battery discharging' })
  assert.deepEqual(parsePmsetBatt(await fixture('pmset-batt-ac.txt')), { onBattery: false, detail: 'AC Power, battery charged' })
  assert.deepEqual(parsePmsetBatt(await fixture('pmset-batt-desktop.txt')), { onBattery: false, detail: 'AC Power' })
  assert.equal(parsePmsetBatt("Now drawing from 'UPS Power'\n").onBattery, true)
  assert.throws(() => parsePmsetBatt('pmset: unknown option'), /printed no power source/)
  const pmset = new PmsetPower({ run: async () => await fixture('pmset-batt-battery.txt') })
  assert.equal(await pmset.onBattery(), true)
})

test('Windows: Win32_Battery\'s BatteryStatus, 1 discharging and 2 on AC, none a desktop', async () => {
  assert.deepEqual(parseBatteryStatus(await fixture('powershell-battery-ac.txt')), { onBattery: false, detail: 'BatteryStatus 2' })
  assert.deepEqual(parseBatteryStatus(await fixture('powershell-battery-discharging.txt')), { onBattery: true, detail: 'BatteryStatus 1' })
  assert.deepEqual(parseBatteryStatus(await fixture('powershell-battery-desktop.txt')), { onBattery: false, detail: 'no battery, a desktop' })
  assert.deepEqual(parseBatteryStatus('battery 1\r\n'), { onBattery: true, detail: 'BatteryStatus 1' })
  assert.deepEqual(parseBatteryStatus('battery\r\n'), { onBattery: false, detail: 'no battery, a desktop' })
  assert.throws(() => parseBatteryStatus('Get-CimInstance : Access denied\r\n'), /printed no battery status/)
  assert.match(BATTERY_LOOP_SCRIPT, /Win32_Battery/)
})
