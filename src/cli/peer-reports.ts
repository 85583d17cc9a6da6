import { stat } from 'node:fs/promises'
import { callRunningPeer, ControlCallError } from '../node/control/control-client.ts'
import { StoredPeer } from '../node/stored-peer.ts'
import { dataDirProblem, StoreLockedError } from '../store/store.ts'
import { UsageError, WorkError } from './errors.ts'

/** How long a running peer may take to answer (an export streams the whole result). */
export const REPORT_TIMEOUT_MS = 30 * 60_000

/**
 * Asks the peer running on `dataDir` through its control socket, or, when
 * none runs, reads the data dir itself with `offline`: LevelDB lets one
 * process open it, so both ways exist. Errors come back as the CLI's:
 * the user's to fix exit 2; a project not done yet, or anything else, exits 1.
 */
export async function askPeer<T> (
  dataDir: string,
  method: string,
  params: Record<string, unknown>,
  offline: (peer: StoredPeer | undefined) => Promise<T>
): Promise<T> {
  let reply: { result: unknown } | undefined
  try {
    reply = await callRunningPeer(dataDir, method, params, REPORT_TIMEOUT_MS)
  } catch (err) {
    throw asCliError(err)
  }
  if (reply != null) return reply.result as T
  await checkDataDir(dataDir)
  let peer: StoredPeer | undefined
  try {
    peer = await StoredPeer.open(dataDir)
  } catch (err) {
    if (err instanceof StoreLockedError) throw new UsageError(`${err.message}; it is starting or not answering on its control socket`)
    throw err
  }
  try {
    return await offline(peer)
  } catch (err) {
    throw asCliError(err)
  } finally {
    await peer?.close()
  }
}

/** A data dir that does not exist yet just has nothing in it; one that is a file is a mistake to name. */
async function checkDataDir (dataDir: string): Promise<void> {
  const found = await stat(dataDir).catch(() => undefined)
  if (found != null && !found.isDirectory()) throw dataDirProblem(Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }), dataDir)!
}

function asCliError (err: unknown): unknown {
  const name = err instanceof ControlCallError ? err.errorName : (err as Error | undefined)?.name
  const message = (err as Error | undefined)?.message ?? String(err)
  // Exporting a project that is still running is the work not being done yet, not bad input.
  if (name === 'ProjectNotDoneError') return new WorkError(message)
  if (err instanceof ControlCallError) return err.inputError ? new UsageError(message) : new WorkError(message)
  return err
}
