/**
 * Errors shared by every layer. An InputError is the user's to fix (a bad
 * flag, file, shape or WGSL source): the CLI prints its one-line message and
 * exits 2. Anything else that escapes is a failure of the work (exit 1).
 */
export class InputError extends Error {
  override name = 'InputError'
}
