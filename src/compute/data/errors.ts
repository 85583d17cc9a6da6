import { InputError } from '../../errors.ts'

/** A data file the user named is missing or not what we accept: one line naming the file and the problem. */
export class DataFileError extends InputError {
  override name = 'DataFileError'

  constructor (readonly path: string, problem: string) {
    super(`${path}: ${problem}`)
  }
}
