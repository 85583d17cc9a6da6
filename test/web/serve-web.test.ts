import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { CliMesh } from '../e2e/helpers/cli-peers.ts'
import { runMesh } from '../helpers/run-mesh.ts'
import { request } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { WebSocket } from 'ws'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CONTENT_SECURITY_POLICY, pageUrls, parseWebAddress } from '../../src/web/server/page-server.ts'
import { createSelfSignedCertificate } from '../../src/web/server/page-certificate.ts'
import { qrLines } from '../../src/cli/qr-text.ts'
import type { JsonLines } from '../helpers/json-lines.ts'

/**
 * `mesh serve --web HOST:PORT` (issue 14): the peer serves the volunteer
 * page with its content types and a strict CSP, over plain HTTP and HTTPS on
 * one port, prints the URL and its certificate's fingerprint in `started`,
 * bridges WebSockets at /p2p/PEER to its own TCP listener (and to no peer
 * that is not a researcher), and refuses `--web` with a swarm key (a browser
 * cannot hold one) and a malformed address, exit 2.
 */

let mesh: CliMesh
let server: JsonLines
let started: any
before(async () => {
  mesh = await CliMesh.create('serve-web')
  server = mesh.start('server', ['serve', '--web', '127.0.0.1:0', '--json'])
  started = await server.waitFor('started', line => line.event === 'started')
})
after(async () => { await mesh.cleanup() })

test('given `mesh serve --web 127.0.0.1:0 --json`, started names the page URL and its certificate, and the peer listens on TCP only', () => {
  assert.match(started.web.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
  assert.deepEqual(started.web.urls, [started.web.url])
  assert.match(started.web.certificate.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
  assert.equal(started.web.certificate.selfSigned, true)
  const addresses: string[] = started.addresses
  assert.ok(addresses.some(a => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//.test(a)), 'TCP')
  assert.ok(!addresses.some(a => a.includes('/ws')), 'no WebSocket listener: browsers come in through the page')
})

/** The certificate fingerprint an HTTPS request to the page port meets, and the status of `path`. */
async function httpsAnswer (port: number, path = '/config.json'): Promise<{ status: number, fingerprint: string }> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, res => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, fingerprint: (res.socket as TLSSocket).getPeerCertificate().fingerprint256 })
    })
    req.on('error', reject)
    req.end()
  })
}

test('given --web-cert and --web-key, the page is served with the lab\'s certificate; a pair that does not match, or half of one, exits 2 with one line', async () => {
  const lab = createSelfSignedCertificate({ names: ['mesh.lab.example'], addresses: ['127.0.0.1'] })
  const other = createSelfSignedCertificate({ names: ['other.lab.example'], addresses: [] })
  await writeFile(mesh.dataDir('lab.crt'), lab.cert)
  await writeFile(mesh.dataDir('lab.key'), lab.key)
  await writeFile(mesh.dataDir('other.key'), other.key)
  const served = mesh.start('lab', ['serve', '--web', '127.0.0.1:0', '--web-cert', mesh.dataDir('lab.crt'), '--web-key', mesh.dataDir('lab.key'), '--json'])
  const labStarted = await served.waitFor('started', line => line.event === 'started')
  assert.deepEqual(labStarted.web.certificate, { fingerprint: lab.fingerprint, selfSigned: false })
  assert.equal((await httpsAnswer(Number(new URL(labStarted.web.url).port))).fingerprint, lab.fingerprint)
  served.child.kill('SIGTERM')
  assert.equal(await served.exited, 0, served.stderr)

  const cases: Array<[string[], RegExp]> = [
    [['--web', '127.0.0.1:0', '--web-cert', mesh.dataDir('lab.crt'), '--web-key', mesh.dataDir('other.key')], /other\.key: the key does not belong to the certificate/],
    [['--web', '127.0.0.1:0', '--web-cert', mesh.dataDir('lab.crt')], /--web-cert needs --web-key/],
    [['--web-cert', mesh.dataDir('lab.crt'), '--web-key', mesh.dataDir('lab.key')], /--web-cert is for the page of --web HOST:PORT/],
    [['--web', '127.0.0.1:0', '--web-cert', mesh.dataDir('missing.crt'), '--web-key', mesh.dataDir('lab.key')], /missing\.crt.*cannot be read/]
  ]
  for (const [args, message] of cases) {
    const result = await runMesh(['serve', ...args, '--data-dir', mesh.dataDir('lab-bad'), '--no-mdns'], { env: mesh.env, timeoutMs: 30_000 })
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
    assert.match(result.stderr, message)
  }
})

test('given the page port, HTTPS answers on it too with the certificate started named, and a restarted peer keeps that certificate', async () => {
  const { status, fingerprint } = await httpsAnswer(Number(new URL(started.web.url).port))
  assert.equal(status, 200)
  assert.equal(fingerprint, started.web.certificate.fingerprint)
  const again = mesh.start('second', ['serve', '--web', '127.0.0.1:0', '--json'])
  const restarted = await again.waitFor('started', line => line.event === 'started')
  assert.notEqual(restarted.web.certificate.fingerprint, started.web.certificate.fingerprint, 'each peer makes its own certificate')
  again.child.kill('SIGTERM')
  assert.equal(await again.exited, 0, again.stderr)
  const third = mesh.start('second', ['serve', '--web', '127.0.0.1:0', '--json'])
  const kept = await third.waitFor('started', line => line.event === 'started')
  assert.equal(kept.web.certificate.fingerprint, restarted.web.certificate.fingerprint, 'the certificate is kept across restarts (an accepted browser exception stays valid)')
  third.child.kill('SIGTERM')
  assert.equal(await third.exited, 0, third.stderr)
})

/** Opens a WebSocket to the page's bridge; resolves with the first binary message, or rejects with the HTTP status of a refusal. */
async function bridgeGreeting (url: string, hello: Uint8Array): Promise<Uint8Array> {
  return await new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.on('unexpected-response', (_req, res) => { reject(new Error(`refused ${res.statusCode}`)) })
    socket.on('error', reject)
    socket.on('open', () => { socket.send(hello) })
    socket.on('message', data => { resolve(new Uint8Array(data as Buffer)); socket.close() })
  })
}

test('given a WebSocket to /p2p/PEER on the page, the bridge joins it to the serving peer\'s TCP listener, and refuses a peer that is not a researcher or not a peer id', async () => {
  const base = started.web.url.replace(/^http/, 'ws')
  // multistream-select's header, as libp2p's dialer sends it first: the peer's listener answers with its own.
  const header = new TextEncoder().encode('\x13/multistream/1.0.0\n')
  const greeting = await bridgeGreeting(`${base}p2p/${started.peerId}`, header)
  assert.equal(new TextDecoder().decode(greeting.subarray(0, header.length)), new TextDecoder().decode(header))
  const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  await assert.rejects(bridgeGreeting(`${base}p2p/${stranger}`, header), /refused 404/)
  await assert.rejects(bridgeGreeting(`${base}p2p/not-a-peer`, header), /refused 404/)
  await assert.rejects(bridgeGreeting(`${base}elsewhere`, header), /refused 404/)
})

test('given `mesh serve --web 127.0.0.1:0` in text mode, started prints the URL and after it its QR code; --json prints none', async () => {
  const text = mesh.start('text', ['serve', '--web', '127.0.0.1:0'])
  await text.waitFor('serving', line => typeof line.unparsed === 'string' && line.unparsed.startsWith('serving'))
  // Stopped cleanly, so everything it wrote to stderr has arrived.
  text.child.kill('SIGTERM')
  assert.equal(await text.exited, 0, text.stderr)
  const lines = text.stderr.split('\n')
  const at = lines.findIndex(line => /^mesh: volunteer from a browser: open http:\/\/127\.0\.0\.1:\d+\/$/.test(line))
  assert.ok(at >= 0, text.stderr)
  const url = lines[at]!.split(' ').at(-1)!
  const qr = qrLines(url)
  assert.deepEqual(lines.slice(at + 1, at + 1 + qr.length), qr, text.stderr)
  assert.doesNotMatch(server.stderr, /[█▀▄]/, 'no QR code with --json')
})

test('given the served page, each asset has its content type and every answer the CSP', async () => {
  const expected: Record<string, string> = { '': 'text/html', 'index.html': 'text/html', 'app.js': 'text/javascript', 'app.css': 'text/css', 'config.json': 'application/json' }
  for (const [path, type] of Object.entries(expected)) {
    const response = await fetch(`${started.web.url}${path}`)
    assert.equal(response.status, 200, path)
    assert.equal(response.headers.get('content-type')?.split(';')[0], type, path)
    assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, path)
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff')
    await response.arrayBuffer()
  }
  const config: any = await (await fetch(`${started.web.url}config.json`)).json()
  assert.deepEqual(Object.keys(config).sort(), ['name', 'peerId'])
  assert.equal(config.peerId, started.peerId)
  const missing = await fetch(`${started.web.url}nothing-here`)
  assert.equal(missing.status, 404)
  assert.equal(missing.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY)
  const post = await fetch(started.web.url, { method: 'POST', body: 'x' })
  assert.equal(post.status, 405)
  // The policy: scripts and styles from the page's server only, no inline code, no eval.
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/)
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/)
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|\*/)
})

test('given --web with --swarm-key, serve and publish refuse with one line saying why, exit 2', async () => {
  const key = (await runMesh(['swarm-key'])).stdout
  await writeFile(mesh.dataDir('swarm.key'), key)
  for (const command of [['serve'], ['publish', '--kernel', 'matmul', '--size', '8']]) {
    const result = await runMesh([...command, '--web', '127.0.0.1:0', '--swarm-key', mesh.dataDir('swarm.key'), '--data-dir', mesh.dataDir('private'), '--no-mdns'], { env: mesh.env, timeoutMs: 30_000 })
    assert.equal(result.code, 2, result.stderr)
    const lines = result.stderr.trim().split('\n')
    assert.equal(lines.length, 1, result.stderr)
    assert.match(lines[0]!, /browser cannot hold a pnet swarm key over WebSockets/)
  }
})

test('given a malformed --web address, serve exits 2 naming the expected form', async () => {
  for (const text of ['8080', 'example.org:8080', '127.0.0.1:99999', '::1:80']) {
    const result = await runMesh(['serve', '--web', text, '--data-dir', mesh.dataDir('bad'), '--no-mdns'], { env: mesh.env, timeoutMs: 30_000 })
    assert.equal(result.code, 2, `${text}: ${result.stderr}`)
    assert.match(result.stderr, /--web expects HOST:PORT/)
  }
  // 192.0.2.0/24 is documentation space: no machine of a test has it.
  const foreign = await runMesh(['serve', '--web', '192.0.2.77:8080', '--data-dir', mesh.dataDir('bad'), '--no-mdns'], { env: mesh.env, timeoutMs: 30_000 })
  assert.equal(foreign.code, 2, foreign.stderr)
  assert.match(foreign.stderr, /--web 192\.0\.2\.77:8080: no interface of this machine has that address/)
  const taken = new URL(started.web.url).port
  const inUse = await runMesh(['serve', '--web', `127.0.0.1:${taken}`, '--data-dir', mesh.dataDir('bad'), '--no-mdns'], { env: mesh.env, timeoutMs: 30_000 })
  assert.equal(inUse.code, 2, inUse.stderr)
  assert.equal(inUse.stderr.trim().split('\n').length, 1, inUse.stderr)
  assert.match(inUse.stderr, /the port is in use/)
})

test('given addresses, the web helpers answer what the peer listens on and prints', () => {
  assert.deepEqual(parseWebAddress('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 })
  assert.deepEqual(parseWebAddress('[::1]:0'), { host: '::1', port: 0 })
  assert.deepEqual(parseWebAddress('localhost:80'), { host: '127.0.0.1', port: 80 })
  const interfaces = { eth0: [{ address: '10.0.0.5', family: 'IPv4', internal: false }], lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }] } as any
  // Other machines get https (WebGPU needs a secure context); loopback is one over plain http.
  assert.deepEqual(pageUrls('0.0.0.0', 8080, interfaces), ['https://10.0.0.5:8080/', 'http://127.0.0.1:8080/'])
  assert.deepEqual(pageUrls('10.0.0.5', 8080, interfaces), ['https://10.0.0.5:8080/'])
  assert.deepEqual(pageUrls('127.0.0.1', 8080, interfaces), ['http://127.0.0.1:8080/'])
})
