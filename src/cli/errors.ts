import { InputError } from '../errors.ts'

/** Bad usage or bad input: the CLI prints `mesh: <message>` and exits 2. */
export class UsageError extends InputError {
  override name = 'UsageError'
}

/** The work itself failed (a project failed, a peer could not be reached): exit 1. */
export class WorkError extends Error {
  override name = 'WorkError'
}

export const EXIT_OK = 0
export const EXIT_WORK_FAILED = 1
export const EXIT_USAGE = 2
