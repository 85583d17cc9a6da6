import { InputError } from '../../../errors.ts'

/**
 * A policy value the user gave cannot be read: a duration, a schedule, a
 * stored policy. The message is `<subject>: <problem>`; `problem` alone lets
 * a caller name the flag or field instead (`--idle-after: ...`).
 */
export class PolicyError extends InputError {
  override name = 'PolicyError'
  constructor (readonly subject: string, readonly problem: string) {
    super(`${subject}: ${problem}`)
  }
}
