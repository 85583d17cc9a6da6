import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import type { Server as HttpServer } from 'node:http'
import type { Server as HttpsServer } from 'node:https'

/** A TLS record starts with its content type; 22 is a handshake, the first thing a TLS client sends. */
const TLS_HANDSHAKE = 0x16
/** A client that says nothing this long is let go. */
const FIRST_BYTES_MS = 10_000

/**
 * One port for both schemes: HTTPS for browsers on other machines (WebGPU
 * needs a secure context) and plain HTTP for one on this machine, which is
 * a secure context at http://127.0.0.1 and should not meet a certificate
 * warning. The first byte decides; it is handed on unread.
 */
export function tlsOrPlainServer (plain: HttpServer, secure: HttpsServer): TcpServer {
  return createTcpServer((socket: Socket) => {
    socket.on('error', () => { socket.destroy() })
    socket.setTimeout(FIRST_BYTES_MS, () => { socket.destroy() })
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0)
      socket.pause()
      socket.unshift(first)
      if (first[0] === TLS_HANDSHAKE) secure.emit('connection', socket)
      else {
        plain.emit('connection', socket)
        socket.resume()
      }
    })
  })
}
