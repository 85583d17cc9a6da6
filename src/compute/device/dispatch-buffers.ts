/// <reference types="@webgpu/types" />
import type { GpuDispatch } from '../gpu-program.ts'

/** The usage and map-mode flags, from the webgpu module (not installed as globals). */
export interface WebGpuConstants {
  readonly GPUBufferUsage: { readonly MAP_READ: number, readonly COPY_SRC: number, readonly COPY_DST: number, readonly UNIFORM: number, readonly STORAGE: number }
  readonly GPUMapMode: { readonly READ: number }
}

/**
 * The buffers and bind group of one program at one chunk shape: a uniform
 * block, one storage buffer per input, the output and its readback copy.
 * Immutable inputs (shared ones) are uploaded once per array object.
 */
export class DispatchBuffers {
  readonly bindGroup: GPUBindGroup
  private readonly uniform: GPUBuffer
  private readonly inputs: GPUBuffer[]
  private readonly output: GPUBuffer
  private readonly readback: GPUBuffer
  private readonly uploaded: Array<Float32Array | undefined>
  private readonly mapRead: number
  private readonly shape: { uniformBytes: number, inputBytes: number[], outputBytes: number }

  constructor (private readonly device: GPUDevice, constants: WebGpuConstants, pipeline: GPUComputePipeline, dispatch: GpuDispatch) {
    const usage = constants.GPUBufferUsage
    this.shape = shapeOf(dispatch)
    this.uniform = device.createBuffer({ size: this.shape.uniformBytes, usage: usage.UNIFORM | usage.COPY_DST })
    this.inputs = this.shape.inputBytes.map(size => device.createBuffer({ size, usage: usage.STORAGE | usage.COPY_DST }))
    // COPY_DST: the loop guard's flag past the output is cleared before each run.
    this.output = device.createBuffer({ size: this.shape.outputBytes, usage: usage.STORAGE | usage.COPY_SRC | usage.COPY_DST })
    this.readback = device.createBuffer({ size: this.shape.outputBytes, usage: usage.MAP_READ | usage.COPY_DST })
    this.uploaded = this.inputs.map(() => undefined)
    this.mapRead = constants.GPUMapMode.READ
    this.bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [this.uniform, ...this.inputs, this.output].map((buffer, binding) => ({ binding, resource: { buffer } }))
    })
  }

  /** Same program and same buffer sizes: these buffers serve the dispatch as they are. */
  fits (dispatch: GpuDispatch): boolean {
    const shape = shapeOf(dispatch)
    return shape.uniformBytes === this.shape.uniformBytes && shape.outputBytes === this.shape.outputBytes &&
      shape.inputBytes.length === this.shape.inputBytes.length && shape.inputBytes.every((n, i) => n === this.shape.inputBytes[i])
  }

  /** Writes the uniforms and inputs; returns how many immutable inputs were already on the device. */
  upload (dispatch: GpuDispatch): number {
    const queue = this.device.queue
    const uniforms = new Uint32Array(this.shape.uniformBytes / 4)
    uniforms.set(dispatch.uniforms)
    queue.writeBuffer(this.uniform, 0, uniforms)
    let skipped = 0
    dispatch.inputs.forEach((input, i) => {
      if (input.immutable && this.uploaded[i] === input.data) {
        skipped++
        return
      }
      queue.writeBuffer(this.inputs[i]!, 0, input.data)
      this.uploaded[i] = input.immutable ? input.data : undefined
    })
    return skipped
  }

  /** Zeroes the output past its first `values` floats (the loop guard's flag), which an earlier chunk may have raised. */
  encodeClearTail (encoder: GPUCommandEncoder, values: number): void {
    const from = values * 4
    if (from < this.shape.outputBytes) encoder.clearBuffer(this.output, from, this.shape.outputBytes - from)
  }

  encodeReadback (encoder: GPUCommandEncoder): void {
    encoder.copyBufferToBuffer(this.output, 0, this.readback, 0, this.shape.outputBytes)
  }

  async readOutput (): Promise<Float32Array> {
    await this.readback.mapAsync(this.mapRead)
    try {
      return new Float32Array(this.readback.getMappedRange().slice(0))
    } finally {
      this.readback.unmap()
    }
  }

  destroy (): void {
    for (const buffer of [this.uniform, ...this.inputs, this.output, this.readback]) buffer.destroy()
  }
}

function shapeOf (dispatch: GpuDispatch): { uniformBytes: number, inputBytes: number[], outputBytes: number } {
  return {
    // Uniform blocks are padded to 16 bytes.
    uniformBytes: Math.max(16, Math.ceil(dispatch.uniforms.byteLength / 16) * 16),
    inputBytes: dispatch.inputs.map(input => input.data.byteLength),
    outputBytes: dispatch.outputLength * 4
  }
}
