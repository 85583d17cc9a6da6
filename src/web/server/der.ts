/**
 * The few DER (ITU-T X.690) encodings an X.509 certificate needs, so the
 * page certificate is built without an X.509 library. Every function returns
 * one complete TLV (tag, length, value).
 */

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18
} as const

/** Definite length: short form below 128, else 0x80 + the count of big-endian length bytes. */
function encodeLength (length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

export function tlv (tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content])
}

export function sequence (...items: Uint8Array[]): Buffer {
  return tlv(TAG.sequence, Buffer.concat(items))
}

/** SET OF: DER wants the members sorted by their encodings. */
export function set (...items: Uint8Array[]): Buffer {
  const sorted = items.map(item => Buffer.from(item)).sort(Buffer.compare)
  return tlv(TAG.set, Buffer.concat(sorted))
}

export function boolean (value: boolean): Buffer {
  return tlv(TAG.boolean, Buffer.from([value ? 0xff : 0x00]))
}

/** A non-negative INTEGER from its big-endian magnitude: minimal length, and a 0x00 in front where the top bit would read as a sign. */
export function unsignedInteger (magnitude: Uint8Array): Buffer {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++
  const bytes = Buffer.from(magnitude.subarray(start))
  if (bytes.length === 0) return tlv(TAG.integer, Buffer.from([0]))
  return tlv(TAG.integer, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)
}

export function smallInteger (value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`DER integer out of range: ${value}`)
  const bytes: number[] = []
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return unsignedInteger(Buffer.from(bytes))
}

/** OBJECT IDENTIFIER from dotted text: the first two arcs share a byte (40a + b), each arc is base 128 with the top bit marking "more follows". */
export function oid (dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number)
  if (arcs.length < 2 || arcs.some(arc => !Number.isSafeInteger(arc) || arc < 0)) throw new RangeError(`bad OID: ${dotted}`)
  const bytes: number[] = []
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const septets = [arc % 128]
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) septets.unshift(0x80 | (rest % 128))
    bytes.push(...septets)
  }
  return tlv(TAG.oid, Buffer.from(bytes))
}

export function utf8String (text: string): Buffer {
  return tlv(TAG.utf8String, Buffer.from(text, 'utf8'))
}

/** BIT STRING: a first byte counts the unused low bits of the last byte. */
export function bitString (bytes: Uint8Array, unusedBits = 0): Buffer {
  return tlv(TAG.bitString, Buffer.concat([Buffer.from([unusedBits]), bytes]))
}

export function octetString (bytes: Uint8Array): Buffer {
  return tlv(TAG.octetString, bytes)
}

/**
 * A certificate time per RFC 5280 section 4.1.2.5: UTCTime (two-digit year)
 * for 1950 through 2049, GeneralizedTime otherwise; always UTC ("Z") and
 * whole seconds.
 */
export function certificateTime (date: Date): Buffer {
  const year = date.getUTCFullYear()
  const rest = [date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    .map(part => String(part).padStart(2, '0')).join('')
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, Buffer.from(`${String(year % 100).padStart(2, '0')}${rest}Z`, 'ascii'))
  return tlv(TAG.generalizedTime, Buffer.from(`${String(year).padStart(4, '0')}${rest}Z`, 'ascii'))
}

/** [n] EXPLICIT: a constructed context tag wrapping a whole TLV. */
export function explicitTag (number: number, inner: Uint8Array): Buffer {
  return tlv(0xa0 | number, inner)
}

/** [n] IMPLICIT of a primitive type: the context tag replaces the type's own, the content stays. */
export function implicitPrimitiveTag (number: number, content: Uint8Array): Buffer {
  return tlv(0x80 | number, content)
}
