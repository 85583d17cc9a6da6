import { InputError } from '../../errors.ts'

/** The project runs researcher-written WGSL and this volunteer has not accepted custom code. */
export class CustomCodeNotAcceptedError extends InputError {
  override name = 'CustomCodeNotAcceptedError'
  constructor (readonly projectId: string, readonly kernel: string) {
    super(`project ${projectId} runs researcher-written WGSL (kernel '${kernel}'): accept it first (--accept-wgsl)`)
  }
}

/** join() while another project is being worked on: one project at a time. */
export class VolunteerBusyError extends Error {
  override name = 'VolunteerBusyError'
  constructor (readonly projectId: string) {
    super(`already volunteering for project ${projectId}; stop it first`)
  }
}
