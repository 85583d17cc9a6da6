/*
 * What the volunteer page's bundle gets for src/compute/device.ts, which
 * opens Dawn in a child process (Node only). The volunteer loop imports one
 * name from it, to recognise a compute process over its memory cap; a tab
 * computes with its own WebGPU device (gpu.ts) and has no such cap, so the
 * error is never thrown here. See src/web/server/build.ts.
 */

/** A chunk needed more memory than the compute process's cap allows (never in a tab). */
export class MemoryCapError extends Error {
  override name = 'MemoryCapError'
}
