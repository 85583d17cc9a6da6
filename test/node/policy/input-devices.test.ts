import assert from 'node:assert/strict'
import { appendFile, chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { eventSize, InputDevicesIdle, lastUserEventMs, parseInputDevices } from '../../../src/node/volunteer/policy/idle/input-devices.ts'
import { makeTempDir, type TempDir } from '../../helpers/tmpdir.ts'

const dirs: TempDir[] = []
after(async () => { for (const dir of dirs) await dir.remove() })

/** `struct input_event`s as the kernel hands them to a 64-bit reader: [epoch ms, type, code, value]. */
function events (list: Array<[number, number, number, number]>, size = 24): Uint8Array {
  const bytes = new Uint8Array(list.length * size)
  const view = new DataView(bytes.buffer)
  list.forEach(([ms, type, code, value], i) => {
    const at = i * size
    const long = size / 2 - 4
    if (long === 8) {
      view.setBigInt64(at, BigInt(Math.floor(ms / 1_000)), true)
      view.setBigInt64(at + 8, BigInt((ms % 1_000) * 1_000), true)
    } else {
      view.setInt32(at, Math.floor(ms / 1_000), true)
      view.setInt32(at + 4, (ms % 1_000) * 1_000, true)
    }
    view.setUint16(at + 2 * long, type, true)
    view.setUint16(at + 2 * long + 2, code, true)
    view.setInt32(at + 2 * long + 4, value, true)
  })
  return bytes
}

const EV_SYN = 0
const EV_KEY = 1
const EV_MSC = 4
const EV_LED = 17

test('/proc/bus/input/devices: keyboards and mice with their event nodes; switches and jacks are not people', async () => {
  const devices = parseInputDevices(await readFile(new URL('fixtures/proc-bus-input-devices.txt', import.meta.url), 'utf8'))
  assert.equal(devices.length, 6)
  assert.deepEqual(devices.filter(d => d.userInput).map(d => [d.event, d.name]), [
    ['event0', 'Power Button'],
    ['event3', 'AT Translated Set 2 keyboard'],
    ['event7', 'ELAN0412:00 04F3:3140 Touchpad'],
    ['event9', 'Intel HID events']
  ])
  assert.deepEqual(devices.find(d => d.name === 'Lid Switch')?.handlers, ['event1'])
})

test('input_event records: the time of the last key or motion, sync and LED events ignored', () => {
  assert.equal(eventSize('x64'), 24)
  assert.equal(eventSize('arm'), 16)
  const bytes = events([[1_765_150_000_250, EV_MSC, 4, 30], [1_765_150_000_250, EV_KEY, 30, 1], [1_765_150_000_251, EV_SYN, 0, 0], [1_765_150_009_000, EV_LED, 1, 1]])
  assert.equal(lastUserEventMs(bytes, 24), 1_765_150_000_250)
  assert.equal(lastUserEventMs(events([[1_765_150_000_500, 2, 0, -3]], 16), 16), 1_765_150_000_500)
  assert.equal(lastUserEventMs(events([[1_765_150_000_000, EV_SYN, 0, 0]]), 24), undefined)
  assert.equal(lastUserEventMs(new Uint8Array(10), 24), undefined)
})

test('the reader on a fixture directory: idle from the watch\'s start, then from each event read', async () => {
  const dir = await makeTempDir('mesh-input-')
  dirs.push(dir)
  await mkdir(join(dir.path, 'proc/bus/input'), { recursive: true })
  await mkdir(join(dir.path, 'dev/input'), { recursive: true })
  await copyFile(new URL('fixtures/proc-bus-input-devices.txt', import.meta.url), join(dir.path, 'proc/bus/input/devices'))
  // The keyboard and the touchpad are readable; the power button's node is missing.
  for (const node of ['event3', 'event7', 'event9']) await writeFile(join(dir.path, 'dev/input', node), '')
  let now = 1_765_150_000_000
  const input = new InputDevicesIdle({ root: dir.path, now: () => now, eventSize: 24 })
  try {
    const probe = await input.probe()
    assert.equal(probe.works, true)
    assert.match(probe.detail, /^reads event3 \(AT Translated Set 2 keyboard\), event7 \(ELAN0412:00 04F3:3140 Touchpad\), event9 \(Intel HID events\); cannot read 1 more$/)

    now += 5_000
    assert.equal(await input.idleMs(), 5_000, 'no input since the watch began')
    await appendFile(join(dir.path, 'dev/input/event3'), events([[now - 1_000, EV_KEY, 30, 1], [now - 1_000, EV_SYN, 0, 0]]))
    now += 500
    assert.equal(await input.idleMs(), 1_500)
    // Half an event waits for its rest.
    const move = events([[now, 3, 0, 512]])
    await appendFile(join(dir.path, 'dev/input/event7'), move.subarray(0, 10))
    now += 2_000
    assert.equal(await input.idleMs(), 3_500)
    await appendFile(join(dir.path, 'dev/input/event7'), move.subarray(10))
    assert.equal(await input.idleMs(), 2_000)
    // An event stamped in the future (a clock set back) counts as now, not as negative idle time.
    await appendFile(join(dir.path, 'dev/input/event3'), events([[now + 60_000, EV_KEY, 30, 0]]))
    assert.equal(await input.idleMs(), 0)
  } finally {
    input.close()
  }
  await assert.rejects(input.idleMs(), /closed/)
})

test('the reader says why it cannot work: no listing, no keyboard, no permission', async t => {
  const dir = await makeTempDir('mesh-input-')
  dirs.push(dir)
  assert.match((await new InputDevicesIdle({ root: dir.path }).probe()).detail, /^no .*proc\/bus\/input\/devices/)
  await mkdir(join(dir.path, 'proc/bus/input'), { recursive: true })
  await writeFile(join(dir.path, 'proc/bus/input/devices'), 'I: Bus=0019\nN: Name="Lid Switch"\nH: Handlers=event1\nB: EV=21\n')
  assert.deepEqual(await new InputDevicesIdle({ root: dir.path }).probe(), { works: false, detail: 'no keyboard or mouse in /proc/bus/input/devices' })
  await writeFile(join(dir.path, 'proc/bus/input/devices'), 'I: Bus=0011\nN: Name="kbd"\nH: Handlers=kbd event3\nB: EV=120013\n')
  await mkdir(join(dir.path, 'dev/input'), { recursive: true })
  await writeFile(join(dir.path, 'dev/input/event3'), '')
  await chmod(join(dir.path, 'dev/input/event3'), 0o000)
  const reader = new InputDevicesIdle({ root: dir.path })
  const refused = await reader.probe()
  reader.close()
  if (process.getuid?.() === 0) {
    t.diagnostic('running as root: file permissions do not stop a read, so the permission message is not checked')
  } else {
    assert.equal(refused.works, false)
    assert.match(refused.detail, /permission denied \(needs root or the 'input' group/)
  }
})
