import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { CliMesh } from '../e2e/helpers/cli-peers.ts'
import { runMesh } from '../helpers/run-mesh.ts'
import { CONTENT_SECURITY_POLICY, pageUrls, parseWebAddress, webSocketListenFor } from '../../src/web/server/page-server.ts'
import { qrLines } from '../../src/cli/qr-text.ts'
import type { JsonLines } from '../helpers/json-lines.ts'

/**
 * `mesh serve --web HOST:PORT` (issue 14): the peer serves the volunteer
 * page with its content types and a strict CSP, prints the URL in
 * `started`, listens on WebSockets besides TCP, and refuses `--web` with a
 * swarm key (a browser cannot hold one) and a malformed address, exit 2.
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

test('given `mesh serve --web 127.0.0.1:0 --json`, started names the page URL and a /ws address besides TCP', () => {
  assert.match(started.web.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
  assert.deepEqual(started.web.urls, [started.web.url])
  const addresses: string[] = started.addresses
  assert.ok(addresses.some(a => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//.test(a)), 'TCP')
  assert.ok(addresses.some(a => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//.test(a)), 'WebSockets')
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
  assert.equal(config.peerId, started.peerId)
  const wsPort = Number(/\/tcp\/(\d+)\/ws\//.exec(started.addresses.find((a: string) => a.includes('/ws/')))![1])
  assert.deepEqual(config.webSocketPorts, [wsPort])
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
  assert.deepEqual(webSocketListenFor({ host: '0.0.0.0', port: 8080 }, ['/ip4/0.0.0.0/tcp/0']), ['/ip4/0.0.0.0/tcp/0/ws'])
  assert.deepEqual(webSocketListenFor({ host: '::', port: 8080 }, ['/ip4/0.0.0.0/tcp/0']), ['/ip6/::/tcp/0/ws'])
  assert.deepEqual(webSocketListenFor({ host: '0.0.0.0', port: 8080 }, ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/8081/ws']), [])
  const interfaces = { eth0: [{ address: '10.0.0.5', family: 'IPv4', internal: false }], lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }] } as any
  assert.deepEqual(pageUrls('0.0.0.0', 8080, interfaces), ['http://10.0.0.5:8080/', 'http://127.0.0.1:8080/'])
  assert.deepEqual(pageUrls('10.0.0.5', 8080, interfaces), ['http://10.0.0.5:8080/'])
})
