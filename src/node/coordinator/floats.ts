/**
 * fp32 bytes on the wire and in the store are little-endian row-major, the
 * byte order of every platform Node runs on here (x86-64, arm64).
 */

/** A Float32Array over `bytes`, copied only when they are not 4-byte aligned. */
export function floatsOf (bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of fp32 values`)
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
  // A copy: Buffer's slice() would be another view of the same unaligned memory.
  return new Float32Array(new Uint8Array(bytes).buffer)
}

/** The bytes of `floats` (a view, no copy). */
export function bytesOf (floats: Float32Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(floats.buffer as ArrayBuffer, floats.byteOffset, floats.byteLength)
}

/** A Float32Array with its own buffer holding exactly `bytes` (not a view into a larger received frame). */
export function ownFloatsOf (bytes: Uint8Array): Float32Array {
  const floats = floatsOf(bytes)
  return floats.byteOffset === 0 && floats.buffer.byteLength === floats.byteLength ? floats : floats.slice()
}
