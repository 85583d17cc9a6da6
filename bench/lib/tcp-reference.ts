import { createServer, connect, type Socket, type AddressInfo } from 'node:net'
import { nowMs, percentile } from './stats.ts'

/**
 * Plain TCP on loopback, measured in the same run as the mesh figures so the
 * ratios stay comparable on a noisy machine. Frames are a 4-byte length and a
 * body, the smallest protocol that does what the mesh's framing does.
 */

async function listen (onSocket: (socket: Socket) => void): Promise<{ port: number, close: () => Promise<void> }> {
  const server = createServer(onSocket)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => { await new Promise<void>(resolve => server.close(() => { resolve() })) }
  }
}

async function dial (port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true })
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  return socket
}

function frame (size: number): Buffer {
  const buf = Buffer.alloc(4 + size)
  buf.writeUInt32BE(size, 0)
  return buf
}

/**
 * Reads length-prefixed frames from a socket, calling back once per whole
 * frame. Bodies are counted, not copied: the reference moves bytes as fast
 * as a socket can, so the ratio charges the mesh for everything it adds.
 */
function onFrames (socket: Socket, onFrame: (length: number) => void): void {
  const header = Buffer.alloc(4)
  let headerFilled = 0
  let length = 0
  let remaining = -1
  socket.on('data', (data: Buffer) => {
    let offset = 0
    while (offset < data.length || remaining === 0) {
      if (remaining < 0) {
        const take = Math.min(4 - headerFilled, data.length - offset)
        data.copy(header, headerFilled, offset, offset + take)
        headerFilled += take
        offset += take
        if (headerFilled < 4) break
        headerFilled = 0
        length = header.readUInt32BE(0)
        remaining = length
      }
      const take = Math.min(remaining, data.length - offset)
      offset += take
      remaining -= take
      if (remaining === 0) {
        remaining = -1
        onFrame(length)
      }
    }
  })
}

/** Request/response round trips of `size`-byte frames over one open connection. */
export async function tcpRoundTrip (options: { size: number, iterations: number, warmup?: number }): Promise<{ p50Ms: number, p99Ms: number }> {
  const reply = frame(options.size)
  const server = await listen(socket => {
    socket.setNoDelay(true)
    onFrames(socket, () => socket.write(reply))
  })
  const socket = await dial(server.port)
  const request = frame(options.size)
  let resolveReply: () => void = () => {}
  onFrames(socket, () => { resolveReply() })
  const samples: number[] = []
  const total = (options.warmup ?? 50) + options.iterations
  for (let i = 0; i < total; i++) {
    const start = nowMs()
    await new Promise<void>(resolve => { resolveReply = resolve; socket.write(request) })
    if (i >= total - options.iterations) samples.push(nowMs() - start)
  }
  socket.destroy()
  await server.close()
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) }
}

/**
 * A TCP server that answers each connection's first frame with
 * `totalBytes` in `pieceSize` frames: the sending side of the transfer
 * reference, run in the researcher's process.
 */
export async function tcpSource (options: { totalBytes: number, pieceSize: number }): Promise<{ port: number, close: () => Promise<void> }> {
  const piece = frame(options.pieceSize)
  return await listen(socket => {
    socket.on('error', () => {})
    socket.once('data', async () => {
      for (let sent = 0; sent < options.totalBytes; sent += options.pieceSize) {
        if (!socket.write(piece)) await new Promise(resolve => socket.once('drain', resolve))
      }
    })
  })
}

/** The receiving side: asks `port` for `totalBytes` and counts them in; MB/s (10^6 bytes). */
export async function tcpReceive (options: { port: number, totalBytes: number }): Promise<{ mbps: number }> {
  const socket = await dial(options.port)
  const start = nowMs()
  let received = 0
  await new Promise<void>(resolve => {
    onFrames(socket, length => {
      received += length
      if (received >= options.totalBytes) resolve()
    })
    socket.write(frame(0))
  })
  const seconds = (nowMs() - start) / 1000
  socket.destroy()
  return { mbps: received / 1e6 / seconds }
}
