import { Buffer } from 'buffer'

/*
 * Node globals that shared modules use, injected into the volunteer page's
 * bundle by esbuild (src/web/server/build.ts) for the modules that name
 * them, and for nothing else:
 *
 * - `Buffer` (announce.ts and manifest-codec.ts compare and hex-encode bytes
 *   with it, the map kernel measures its WGSL with it): the `buffer` package,
 *   the browser implementation of Node's Buffer, with `equals` taking any
 *   Uint8Array as Node's does;
 * - timers with `unref()` (the volunteer loop unrefs its heartbeat timer so
 *   it never keeps a Node process alive): in a tab, unref means nothing, and
 *   the timer still clears with clearTimeout.
 */

// Node's Buffer#equals compares with any Uint8Array (announce.ts passes one); the package's wants a Buffer.
Buffer.prototype.equals = function equals (this: Uint8Array, other: Uint8Array): boolean {
  if (!(other instanceof Uint8Array)) throw new TypeError('The "otherBuffer" argument must be a Buffer or Uint8Array')
  if (this.byteLength !== other.byteLength) return false
  for (let i = 0; i < this.byteLength; i++) if (this[i] !== other[i]) return false
  return true
}

export { Buffer }

/** A browser timer id with Node's Timeout methods; converts to the id, so either form clears it. */
class PageTimeout {
  constructor (readonly id: number) {}
  unref (): this { return this }
  ref (): this { return this }
  hasRef (): boolean { return true }
  [Symbol.toPrimitive] (): number { return this.id }
}

const browserSetTimeout = globalThis.setTimeout.bind(globalThis)
const browserClearTimeout = globalThis.clearTimeout.bind(globalThis)

function pageSetTimeout (handler: (...args: any[]) => void, ms?: number, ...args: any[]): PageTimeout {
  return new PageTimeout(browserSetTimeout(handler, ms, ...args) as unknown as number)
}

function pageClearTimeout (timer: PageTimeout | number | undefined | null): void {
  browserClearTimeout(timer instanceof PageTimeout ? timer.id : timer ?? undefined)
}

export { pageSetTimeout as setTimeout, pageClearTimeout as clearTimeout }
