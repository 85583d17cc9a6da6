import assert from 'node:assert/strict'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { WebSocket } from 'ws'
import { PeerBridge, type BridgeTarget } from '../../src/web/server/peer-bridge.ts'

/**
 * The page's bridge on its own (issue 14): a WebSocket to /p2p/PEER is piped
 * to PEER's TCP listener, here an echo server, both ways with backpressure;
 * either side closing closes the other; peers it may not reach, unreachable
 * listeners and a browser address over its cap are refused with an HTTP
 * status, never a crash.
 */

const KNOWN = '12D3KooWQyuEEcgTeRP8Du3ziWzpbLFVoGYojdB4c8ELRjENtHh9'
const DEAD = '12D3KooWRBhwfeP2Y7TCx1SM6s8rLkW1wXodEJ1vY1gW6dNAzD3b'
const STRANGER = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'

let echo: TcpServer
let http: Server
let bridge: PeerBridge
let base = ''
const tcpSockets = new Set<Socket>()
const logged: string[] = []

before(async () => {
  echo = createTcpServer(socket => {
    tcpSockets.add(socket)
    socket.on('close', () => tcpSockets.delete(socket))
    socket.pipe(socket)
  })
  await new Promise<void>(resolve => echo.listen(0, '127.0.0.1', resolve))
  const echoAt: BridgeTarget = { host: '127.0.0.1', port: (echo.address() as AddressInfo).port }
  // A closed port: listen, note it, close.
  const probe = createTcpServer()
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
  const deadAt: BridgeTarget = { host: '127.0.0.1', port: (probe.address() as AddressInfo).port }
  await new Promise<void>(resolve => probe.close(() => resolve()))
  const targets = async (peerId: string): Promise<BridgeTarget[] | undefined> =>
    peerId === KNOWN ? [deadAt, echoAt] : peerId === DEAD ? [deadAt] : undefined
  bridge = new PeerBridge(targets, message => { logged.push(message) }, { perClient: 3, connectMs: 1_000 })
  http = createHttpServer((_req, res) => { res.statusCode = 404; res.end() })
  http.on('upgrade', (req, socket, head) => { bridge.upgrade(req, socket, head) })
  await new Promise<void>(resolve => http.listen(0, '127.0.0.1', resolve))
  base = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`
})

after(async () => {
  bridge.close()
  await new Promise(resolve => http.close(resolve))
  await new Promise(resolve => echo.close(resolve))
})

async function open (path: string): Promise<WebSocket> {
  return await new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base}${path}`)
    socket.on('unexpected-response', (_req, res) => { reject(new Error(`refused ${res.statusCode}`)) })
    socket.on('error', reject)
    socket.on('open', () => { resolve(socket) })
  })
}

async function until (condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise(resolve => setTimeout(resolve, 10))
  assert.ok(condition(), what)
}

test('given a WebSocket to a peer the bridge may reach, 4 MiB sent in 64 KiB messages come back whole and in order, past a listener that does not answer', async () => {
  const socket = await open(`/p2p/${KNOWN}`)
  const sent = randomBytes(4 * 1024 * 1024)
  const received: Buffer[] = []
  let length = 0
  const whole = new Promise<void>(resolve => {
    socket.on('message', (data: Buffer) => {
      received.push(data)
      length += data.length
      if (length >= sent.length) resolve()
    })
  })
  for (let at = 0; at < sent.length; at += 65_536) socket.send(sent.subarray(at, at + 65_536))
  await whole
  assert.ok(Buffer.concat(received).equals(sent), 'the echo equals what was sent')
  socket.close()
})

test('given either side closing, the other is closed', async () => {
  const socket = await open(`/p2p/${KNOWN}`)
  await until(() => tcpSockets.size === 1, 'one TCP connection to the listener')
  socket.close()
  await until(() => tcpSockets.size === 0, 'the tab closing closes the TCP connection')

  const second = await open(`/p2p/${KNOWN}`)
  const closed = new Promise<void>(resolve => second.on('close', () => { resolve() }))
  await until(() => tcpSockets.size === 1, 'a TCP connection again')
  for (const tcp of tcpSockets) tcp.destroy()
  await closed
})

test('given peers the bridge may not reach, paths that name no peer, and a dead listener, it refuses with a status and goes on', async () => {
  await assert.rejects(open(`/p2p/${STRANGER}`), /refused 404/)
  await assert.rejects(open('/p2p/not-a-peer-id'), /refused 404/)
  await assert.rejects(open('/somewhere/else'), /refused 404/)
  await assert.rejects(open(`/p2p/${DEAD}`), /refused 502/)
  assert.ok(logged.some(line => line.includes('no listener of the peer answered')), logged.join('\n'))
  const socket = await open(`/p2p/${KNOWN}`)
  socket.close()
})

test('given one browser address over its cap, the next connection is refused with 429 until one closes', async () => {
  const held = [await open(`/p2p/${KNOWN}`), await open(`/p2p/${KNOWN}`), await open(`/p2p/${KNOWN}`)]
  await assert.rejects(open(`/p2p/${KNOWN}`), /refused 429/)
  held[0]!.close()
  await until(() => tcpSockets.size === 2, 'one of the three released')
  await new Promise(resolve => setTimeout(resolve, 50))
  const again = await open(`/p2p/${KNOWN}`)
  for (const socket of [...held.slice(1), again]) socket.close()
})
