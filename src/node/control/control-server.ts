import { createServer, type Server, type Socket } from 'node:net'
import { rm } from 'node:fs/promises'
import { controlSocketPath, MAX_CONTROL_LINE_BYTES } from './constants.ts'
import { InputError } from '../../errors.ts'

/**
 * A local control socket for a running peer: `mesh status`, `mesh export` and
 * friends reach the peer through it, since LevelDB lets only one process open
 * the data dir. One JSON request per line, one JSON reply per line:
 * `{"id":1,"method":"status","params":{}}` -> `{"id":1,"result":...}` or
 * `{"id":1,"error":"...","errorName":"...","inputError":true}`. A handler
 * error goes back as `error`, with `inputError` when it is the caller's
 * to fix (an InputError: the CLI exits 2 for it); a bad line
 * closes that connection only.
 */

export type ControlHandler = (params: Record<string, unknown>) => Promise<unknown>
export type ControlHandlers = Readonly<Record<string, ControlHandler>>

export class ControlServer {
  private readonly sockets = new Set<Socket>()

  private constructor (private readonly server: Server, readonly path: string) {}

  static async listen (dataDir: string, handlers: ControlHandlers): Promise<ControlServer> {
    const path = controlSocketPath(dataDir)
    // The data dir lock is held by this process, so a socket file left here is a dead peer's.
    await rm(path, { force: true })
    const server = createServer()
    const control = new ControlServer(server, path)
    server.on('connection', socket => { control.serve(socket, handlers) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => { server.off('error', reject); resolve() })
    })
    return control
  }

  private serve (socket: Socket, handlers: ControlHandlers): void {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let pending = ''
    socket.on('data', (data: Buffer) => {
      pending += data.toString('utf8')
      if (pending.length > MAX_CONTROL_LINE_BYTES) { socket.destroy(); return }
      let newline: number
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline)
        pending = pending.slice(newline + 1)
        void this.answer(socket, line, handlers)
      }
    })
  }

  private async answer (socket: Socket, line: string, handlers: ControlHandlers): Promise<void> {
    let request: { id?: unknown, method?: unknown, params?: unknown }
    try {
      request = JSON.parse(line)
    } catch {
      socket.destroy()
      return
    }
    const handler = typeof request.method === 'string' && Object.hasOwn(handlers, request.method) ? handlers[request.method] : undefined
    let reply: object
    if (handler == null) {
      reply = { id: request.id, error: `unknown control method '${String(request.method)}'` }
    } else {
      try {
        const params = typeof request.params === 'object' && request.params != null ? request.params as Record<string, unknown> : {}
        reply = { id: request.id, result: await handler(params) ?? null }
      } catch (err: any) {
        reply = { id: request.id, error: String(err?.message ?? err), errorName: err?.name, inputError: err instanceof InputError }
      }
    }
    if (!socket.destroyed) socket.write(JSON.stringify(reply) + '\n')
  }

  async close (): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => { resolve() }))
    await rm(this.path, { force: true })
  }
}
