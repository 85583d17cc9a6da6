import { encode } from 'fast-png'
import type { ImageSize } from '../kernel.ts'

/** Channels of an image output: grey, RGB or RGBA. */
export type ImageChannels = 1 | 3 | 4

/**
 * Encodes an image output as 8-bit PNG: `pixels` holds width x height rows
 * of `channels` values in [0, 1], row-major from the top-left pixel (item
 * i is pixel (i mod width, i div width)). Values outside [0, 1] are clamped,
 * NaN becomes 0.
 */
export function encodePng (pixels: Float32Array, size: ImageSize, channels: ImageChannels): Uint8Array {
  const { width, height } = size
  if (pixels.length !== width * height * channels) {
    throw new RangeError(`an image of ${width}x${height} with ${channels} channels needs ${width * height * channels} values (got ${pixels.length})`)
  }
  const data = new Uint8Array(pixels.length)
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!
    data[i] = v > 0 ? (v >= 1 ? 255 : Math.round(v * 255)) : 0
  }
  return encode({ width, height, data, channels, depth: 8 })
}
