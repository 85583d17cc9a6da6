import { connect } from 'node:net'
import { controlSocketPath, CONTROL_TIMEOUT_MS } from './constants.ts'

/** The running peer answered with an error; `errorName` is the error class's name there, `inputError` whether it was an InputError. */
export class ControlCallError extends Error {
  override name = 'ControlCallError'
  constructor (message: string, readonly errorName?: string, readonly inputError = false) {
    super(message)
  }
}

/**
 * Calls a method on the peer running on `dataDir`. Resolves `undefined` when
 * no peer is running there (no socket, or nobody listening), so callers can
 * fall back to opening the store themselves.
 */
export async function callRunningPeer (dataDir: string, method: string, params: Record<string, unknown> = {}, timeoutMs = CONTROL_TIMEOUT_MS): Promise<{ result: unknown } | undefined> {
  const socket = connect(controlSocketPath(dataDir))
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
  } catch (err: any) {
    socket.destroy()
    // No socket (or no directory for it): no peer is running there.
    if (err?.code === 'ENOENT' || err?.code === 'ECONNREFUSED' || err?.code === 'ENOTDIR') return undefined
    throw err
  }
  try {
    socket.write(JSON.stringify({ id: 1, method, params }) + '\n')
    const line = await new Promise<string>((resolve, reject) => {
      let pending = ''
      const timer = setTimeout(() => { reject(new ControlCallError(`the running peer did not answer '${method}' within ${timeoutMs} ms`)) }, timeoutMs)
      socket.on('data', (data: Buffer) => {
        pending += data.toString('utf8')
        const newline = pending.indexOf('\n')
        if (newline >= 0) { clearTimeout(timer); resolve(pending.slice(0, newline)) }
      })
      socket.once('error', err => { clearTimeout(timer); reject(err) })
      socket.once('close', () => { clearTimeout(timer); reject(new ControlCallError('the running peer closed the control connection')) })
    })
    const reply = JSON.parse(line) as { result?: unknown, error?: string, errorName?: string, inputError?: boolean }
    if (reply.error != null) throw new ControlCallError(reply.error, reply.errorName, reply.inputError === true)
    return { result: reply.result }
  } finally {
    socket.destroy()
  }
}
