import { constants } from 'node:fs'
import { open, readFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { problemText } from '../sources.ts'
import type { IdleBackend } from './backend.ts'

/**
 * Keyboards and mice read directly: the kernel's evdev devices
 * (`/dev/input/eventN`, listed with their kind in /proc/bus/input/devices)
 * hand every reader a copy of every event with its time, so this sees input
 * in any session, X11, Wayland or text, and to the millisecond. Limits:
 * - reading them takes root or the `input` group, which can read every key
 *   press (this backend keeps only the times); without, it says so;
 * - it knows only input since it started watching, so it counts idle time
 *   from then;
 * - the devices' access and change times are of no use (evdev leaves them
 *   alone), hence the reading;
 * - no timer keeps a read pending: each idleMs() drains what arrived since
 *   the last one (O_NONBLOCK), so the kernel's buffer of a few dozen events
 *   per device may overflow between polls, which loses nothing that matters
 *   here (the latest events stay).
 */

/** How often the device list is read again, for a keyboard or mouse plugged in later. */
const RESCAN_MS = 10_000
/** Event types that mean a person did something: keys and buttons, relative and absolute motion. */
const USER_EVENT_TYPES = new Set([1, 2, 3])
/** EV_KEY in a device's EV bitmap. */
const EV_KEY_BIT = 1n << 1n

export interface InputDevice {
  readonly name: string
  readonly handlers: readonly string[]
  /** The evdev node, `eventN`. */
  readonly event?: string
  /** Has keys (EV_KEY) and a keyboard or mouse handler. */
  readonly userInput: boolean
}

/** /proc/bus/input/devices: blocks of `N: Name="..."`, `H: Handlers=kbd event3`, `B: EV=120013` lines. */
export function parseInputDevices (text: string): InputDevice[] {
  return text.split(/\n\s*\n/).map(block => {
    const name = /^N: Name="(.*)"$/m.exec(block)?.[1] ?? ''
    const handlers = (/^H: Handlers=(.*)$/m.exec(block)?.[1] ?? '').trim().split(/\s+/).filter(h => h !== '')
    const evText = /^B: EV=([0-9a-f]+)$/im.exec(block)?.[1]
    const ev = evText == null ? 0n : BigInt(`0x${evText}`)
    const event = handlers.find(h => /^event\d+$/.test(h))
    const person = handlers.some(h => h === 'kbd' || /^mouse\d+$/.test(h))
    return { name, handlers, ...(event != null ? { event } : {}), userInput: person && (ev & EV_KEY_BIT) !== 0n }
  }).filter(device => device.name !== '' || device.handlers.length > 0)
}

/** `struct input_event`: a timeval (two longs) then type u16, code u16, value s32; 24 bytes on 64-bit Linux, 16 on 32-bit. */
export function eventSize (arch: string = process.arch): number {
  return ['arm', 'ia32', 'mips', 'mipsel', 'ppc'].includes(arch) ? 16 : 24
}

/** The time (epoch ms) of the last key, button or motion event in `bytes`, whole events only; undefined if none. */
export function lastUserEventMs (bytes: Uint8Array, size: number = eventSize()): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const long = size / 2 - 4
  let last: number | undefined
  for (let at = 0; at + size <= bytes.byteLength; at += size) {
    const type = view.getUint16(at + 2 * long, true)
    if (!USER_EVENT_TYPES.has(type)) continue
    const seconds = long === 8 ? Number(view.getBigInt64(at, true)) : view.getInt32(at, true)
    const micros = long === 8 ? Number(view.getBigInt64(at + 8, true)) : view.getInt32(at + 4, true)
    const ms = seconds * 1_000 + micros / 1_000
    if (last == null || ms > last) last = ms
  }
  return last
}

export interface InputDevicesInit {
  /** Where `proc/` and `dev/` are: `/`, or a fixture directory in tests. */
  readonly root?: string
  readonly now?: () => number
  readonly eventSize?: number
}

interface Open { readonly device: InputDevice, readonly handle: FileHandle, rest: Uint8Array }

export class InputDevicesIdle implements IdleBackend {
  readonly name = 'input devices'
  private readonly root: string
  private readonly now: () => number
  private readonly size: number
  private readonly open = new Map<string, Open>()
  private lastInput?: number
  private scannedAt = -Infinity
  private closed = false

  constructor (init: InputDevicesInit = {}) {
    this.root = init.root ?? '/'
    this.now = init.now ?? Date.now
    this.size = init.eventSize ?? eventSize()
  }

  async probe (): Promise<{ works: boolean, detail: string }> {
    try {
      const { refused, devices } = await this.scan()
      if (devices.length === 0) return { works: false, detail: 'no keyboard or mouse in /proc/bus/input/devices' }
      if (this.open.size === 0) {
        const first = refused[0]!
        return { works: false, detail: `cannot read ${first.path} (${first.device.name})${refused.length > 1 ? ` or ${refused.length - 1} more` : ''}: ${first.problem}` }
      }
      return { works: true, detail: `reads ${[...this.open.values()].map(o => `${o.device.event} (${o.device.name})`).join(', ')}${refused.length > 0 ? `; cannot read ${refused.length} more` : ''}` }
    } catch (err) {
      return { works: false, detail: problemText(err) }
    }
  }

  async idleMs (): Promise<number> {
    if (this.closed) throw new Error('input devices: closed')
    if (this.now() - this.scannedAt >= RESCAN_MS) await this.scan()
    if (this.open.size === 0) throw new Error('no readable keyboard or mouse left')
    for (const [event, device] of this.open) {
      try {
        const last = await this.drain(device)
        if (last != null) this.lastInput = Math.max(this.lastInput ?? 0, Math.min(last, this.now()))
      } catch {
        // Unplugged (ENODEV): read the list again on the next poll.
        this.open.delete(event)
        await device.handle.close().catch(() => {})
        this.scannedAt = -Infinity
      }
    }
    this.lastInput ??= this.now()
    return Math.max(0, this.now() - this.lastInput)
  }

  close (): void {
    this.closed = true
    for (const { handle } of this.open.values()) handle.close().catch(() => {})
    this.open.clear()
  }

  /** Opens the keyboards and mice not yet open; the input so far is unknown, so idle time counts from the first one opened. */
  private async scan (): Promise<{ refused: Array<{ device: InputDevice, path: string, problem: string }>, devices: InputDevice[] }> {
    this.scannedAt = this.now()
    const listing = join(this.root, 'proc/bus/input/devices')
    let text: string
    try {
      text = await readFile(listing, 'utf8')
    } catch {
      throw new Error(`no ${listing} (no input devices here, or not Linux)`)
    }
    const devices = parseInputDevices(text).filter(d => d.userInput && d.event != null)
    const refused: Array<{ device: InputDevice, path: string, problem: string }> = []
    for (const device of devices) {
      if (this.open.has(device.event!)) continue
      const path = join(this.root, 'dev/input', device.event!)
      try {
        const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
        if (this.closed) {
          await handle.close()
          continue
        }
        this.open.set(device.event!, { device, handle, rest: new Uint8Array(0) })
        this.lastInput ??= this.now()
      } catch (err: any) {
        refused.push({ device, path, problem: err?.code === 'EACCES' ? 'permission denied (needs root or the \'input\' group, which can read every key press)' : err?.code === 'ENOENT' ? 'no such device' : problemText(err) })
      }
    }
    return { refused, devices }
  }

  /** Reads what arrived since the last poll without waiting; the last user event's time, if any. */
  private async drain (device: Open): Promise<number | undefined> {
    const buffer = new Uint8Array(this.size * 256)
    let last: number | undefined
    for (;;) {
      let bytesRead: number
      try {
        ({ bytesRead } = await device.handle.read(buffer, 0, buffer.length, null))
      } catch (err: any) {
        if (err?.code === 'EAGAIN' || err?.code === 'EWOULDBLOCK') break
        throw err
      }
      if (bytesRead === 0) break
      // Whole events only; a partial one (never from evdev, but from a file) waits for its rest.
      const bytes = new Uint8Array(device.rest.length + bytesRead)
      bytes.set(device.rest)
      bytes.set(buffer.subarray(0, bytesRead), device.rest.length)
      const whole = bytes.length - (bytes.length % this.size)
      const found = lastUserEventMs(bytes.subarray(0, whole), this.size)
      if (found != null && (last == null || found > last)) last = found
      device.rest = bytes.slice(whole)
      if (bytesRead < buffer.length) break
    }
    return last
  }
}
