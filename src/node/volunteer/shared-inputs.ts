import type { SharedMatrix } from '../../compute/kernel.ts'
import { floatsOf } from '../coordinator/floats.ts'
import type { BlobSink, BlobTransfer } from '../../protocols/blob/index.ts'
import type { SharedInput } from '../../protocols/work/index.ts'
import type { PeerId } from '@libp2p/interface'

/** The blob store reads and writes a volunteer needs (a BlobStore). */
export interface VolunteerBlobs extends BlobSink {
  get (hash: string): Promise<Uint8Array>
}

export interface SharedFetch {
  readonly matrices: Record<string, SharedMatrix>
  /** Bytes that crossed the network for this call (0 when everything was cached). */
  readonly bytes: number
  readonly ms: number
}

/**
 * A project's shared inputs on the volunteer: fetched from the researcher
 * once (and only when not already in the blob store), verified against their
 * hash by the store's writer, and kept in memory for every later chunk.
 */
export class SharedInputs {
  private readonly loaded = new Map<string, SharedMatrix>()
  /** The hash each input name had last: a rounds project's state changes every round, and the old one is let go. */
  private readonly current = new Map<string, string>()

  constructor (private readonly blob: BlobTransfer, private readonly blobs: VolunteerBlobs, private readonly owner: PeerId) {}

  async load (inputs: readonly SharedInput[], signal: AbortSignal): Promise<SharedFetch> {
    const started = performance.now()
    let bytes = 0
    const matrices: Record<string, SharedMatrix> = {}
    for (const input of inputs) {
      const previous = this.current.get(input.name)
      if (previous != null && previous !== input.hash) this.loaded.delete(previous)
      this.current.set(input.name, input.hash)
      let matrix = this.loaded.get(input.hash)
      if (matrix == null) {
        const fetched = await this.blob.fetch(this.owner, input.hash, this.blobs, { expectedSize: input.size, signal })
        bytes += fetched.bytes
        const data = floatsOf(await this.blobs.get(input.hash))
        if (data.length !== input.rows * input.cols) throw new RangeError(`shared input ${input.name} holds ${data.length} values, not ${input.rows}x${input.cols}`)
        matrix = { data, rows: input.rows, cols: input.cols }
        this.loaded.set(input.hash, matrix)
      }
      matrices[input.name] = matrix
    }
    return { matrices, bytes, ms: bytes === 0 ? 0 : performance.now() - started }
  }
}
