/**
 * How large a data file mesh reads. A project's inputs are held in memory
 * while it is published (read, hashed, stored as blobs), so a file larger
 * than this is refused up front with a message, not an out-of-memory crash.
 */

const GiB = 1024 ** 3
const MiB = 1024 ** 2

/** fp32 bytes of one input matrix (.npy, or the values of a CSV/JSON dataset). */
export const MAX_INPUT_BYTES = 4 * GiB
/** A JSON dataset is parsed whole, as one string. */
export const MAX_JSON_FILE_BYTES = 256 * MiB

export function sizeText (bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`
}
