import { InputError } from '../../errors.ts'

/** Asked to snooze a running peer that does not volunteer: there is nothing to pause. */
export class PolicyNotRunningError extends InputError {
  override name = 'PolicyNotRunningError'
  constructor () {
    super('the peer running on this data dir does not volunteer, so it has no volunteer policy (start it with `mesh volunteer`, `mesh serve --volunteer` or `mesh`)')
  }
}
