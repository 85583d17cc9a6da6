import { InputError } from '../../errors.ts'

/** The coordinator has no such own project (in memory or in the store). */
export class UnknownProjectError extends InputError {
  override name = 'UnknownProjectError'
  constructor (readonly projectId: string) {
    super(`project ${projectId} is not one of this peer's projects`)
  }
}

/** Export asked for a project that has unverified chunks. */
export class ProjectNotDoneError extends InputError {
  override name = 'ProjectNotDoneError'
  constructor (readonly projectId: string, readonly done: number, readonly total: number) {
    super(`project ${projectId} is not done yet (${done}/${total} chunks verified)`)
  }
}

/** The store holds results that do not fit the project's shape (a damaged or foreign store). */
export class CorruptResultError extends Error {
  override name = 'CorruptResultError'
}
