import type { SharedMatrix } from '../../compute/kernel.ts'
import { InputError } from '../../errors.ts'
import { floatsOf } from './floats.ts'
import type { BlobInfo } from '../../store/blob-store.ts'
import type { ManifestInputInfo } from '../../protocols/manifest-codec.ts'

/** The blob-store reads the coordinator needs (a BlobStore). */
export interface InputBlobs {
  info (hash: string): Promise<Pick<BlobInfo, 'size' | 'pieceSize'> | undefined>
  pieces (hash: string, fromPiece?: number): AsyncIterable<Uint8Array>
  get (hash: string): Promise<Uint8Array>
  /** Stores an own blob (a rounds project's next state); idempotent. */
  put (bytes: Uint8Array, options: { own: boolean }): Promise<unknown>
}

/**
 * A project's inputs as the coordinator reads them: row ranges of the
 * row-split input straight from its blob pieces (never the whole input in
 * memory), and the shared inputs in memory only when a spot check needs them.
 */
export class ProjectInputs {
  private sharedLoaded?: Promise<Record<string, SharedMatrix>>
  private researcherLoaded?: Promise<Record<string, SharedMatrix>>

  constructor (
    private readonly blobs: InputBlobs,
    readonly split: ManifestInputInfo,
    readonly shared: readonly ManifestInputInfo[],
    /** Inputs only this peer reads (a held-out test set for round figures). */
    readonly researcher: readonly ManifestInputInfo[] = []
  ) {}

  /** Throws InputError when an input's blob is missing or has another size than the manifest says. */
  async check (): Promise<void> {
    for (const input of [this.split, ...this.shared, ...this.researcher]) {
      const info = await this.blobs.info(input.hash)
      if (info == null) throw new InputError(`input ${input.name} (blob ${input.hash}) is not in this peer's blob store`)
      if (info.size !== input.size) throw new InputError(`input ${input.name}: blob has ${info.size} bytes, the manifest says ${input.size}`)
    }
  }

  /** fp32 bytes of rows [rowStart, rowEnd) of the row-split input. */
  async rows (rowStart: number, rowEnd: number): Promise<Uint8Array> {
    const rowBytes = this.split.cols * 4
    const start = rowStart * rowBytes
    const end = rowEnd * rowBytes
    const out = new Uint8Array(end - start)
    const info = await this.blobs.info(this.split.hash)
    if (info == null) throw new InputError(`input ${this.split.name} (blob ${this.split.hash}) is gone from the blob store`)
    const firstPiece = Math.floor(start / info.pieceSize)
    let pieceStart = firstPiece * info.pieceSize
    for await (const piece of this.blobs.pieces(this.split.hash, firstPiece)) {
      const from = Math.max(start, pieceStart)
      const to = Math.min(end, pieceStart + piece.byteLength)
      if (to > from) out.set(piece.subarray(from - pieceStart, to - pieceStart), from - start)
      pieceStart += piece.byteLength
      if (pieceStart >= end) break
    }
    return out
  }

  /** The shared inputs by name, loaded once. */
  async sharedMatrices (): Promise<Record<string, SharedMatrix>> {
    this.sharedLoaded ??= this.load(this.shared)
    return await this.sharedLoaded
  }

  /** The researcher-only inputs by name, loaded once. */
  async researcherMatrices (): Promise<Record<string, SharedMatrix>> {
    this.researcherLoaded ??= this.load(this.researcher)
    return await this.researcherLoaded
  }

  private async load (inputs: readonly ManifestInputInfo[]): Promise<Record<string, SharedMatrix>> {
    const matrices: Record<string, SharedMatrix> = {}
    for (const input of inputs) {
      matrices[input.name] = { data: floatsOf(await this.blobs.get(input.hash)), rows: input.rows, cols: input.cols }
    }
    return matrices
  }
}
