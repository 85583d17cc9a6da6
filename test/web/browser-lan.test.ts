import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { compareWithReference, events } from '../e2e/helpers/cli-peers.ts'
import { JsonLines } from '../helpers/json-lines.ts'
import { Lan, namespacesUnavailable } from '../helpers/netns.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import { browserMissing, launchChromium, openVolunteerPage, pagePeerId } from './helpers/browser.ts'

/**
 * The "done when" (issue 14): on a LAN of network namespaces, h1
 * runs `mesh serve --web 0.0.0.0:8080`, h2 publishes a matmul, and a
 * Chromium on h3 opens the URL h1 printed: HTTPS with h1's own certificate,
 * which the browser warns about once and the person accepts. The tab gets a
 * secure context, so WebGPU, reaches h1 and the researcher on h2 through
 * h1's bridge, and computes every chunk; the export equals the CPU
 * reference.
 */

const unavailable = browserMissing() ?? await namespacesUnavailable()
if (unavailable != null) console.log(`# browser LAN test skipped: ${unavailable}`)

let lan: Lan | undefined
let browser: Browser | undefined
const dir = await makeTempDir('mesh-web-lan-')
after(async () => {
  await browser?.close()
  await lan?.cleanup()
  await dir.remove()
})

test('given `mesh serve --web 0.0.0.0:8080` on one host, a browser on another host of the LAN volunteers by opening the printed URL, past the certificate warning', { skip: unavailable }, async () => {
  lan = await Lan.create(3)
  const [h1, h2, h3] = lan.hosts
  const dataDir = (host: string): string[] => ['--data-dir', join(dir.path, host)]

  const server = new JsonLines(lan.spawnMesh(h1, ['serve', '--web', '0.0.0.0:8080', '--json', ...dataDir('h1')]))
  const started = await server.waitFor('started', line => line.event === 'started')
  const url: string = started.web.url
  assert.equal(url, `https://${h1.ip}:8080/`, `the URL to share is h1's LAN address over HTTPS: ${JSON.stringify(started.web)}`)
  assert.ok(started.web.urls.includes('http://127.0.0.1:8080/'), 'on h1 itself, plain http (loopback is a secure context)')

  // Typed as http:// on another machine: sent to https (plain HTTP would give the tab no WebGPU).
  const plain = await lan.exec(h3, process.execPath, ['-e', `fetch('http://${h1.ip}:8080/?auto=1', { redirect: 'manual' }).then(r => console.log(r.status, r.headers.get('location')))`])
  assert.equal(plain.stdout.trim(), `308 https://${h1.ip}:8080/?auto=1`)

  const a = generateMatrix(36, 24, 811)
  const b = generateMatrix(24, 20, 812)
  await writeNpyMatrix(join(dir.path, 'A.npy'), a)
  await writeNpyMatrix(join(dir.path, 'B.npy'), b)
  const researcher = new JsonLines(lan.spawnMesh(h2, ['publish', '--kernel', 'matmul', '--a', join(dir.path, 'A.npy'), '--b', join(dir.path, 'B.npy'),
    '--rows-per-chunk', '12', '--spot-check', '1', '--name', 'lan web matmul', '--until-done', '--json', ...dataDir('h2')]))
  const projectId = (await researcher.waitFor('published', line => line.event === 'published', 60_000)).id

  browser = await launchChromium({ host: { ns: h3.ns, dir: dir.path } })
  const { page, report } = await openVolunteerPage(await browser.newContext(), `${url}?auto=1`, { pastCertificateWarning: true })
  const tabPeer = await pagePeerId(page, 60_000)
  assert.deepEqual(await page.evaluate(() => ({ secure: (globalThis as any).isSecureContext, href: (globalThis as any).location.href })), { secure: true, href: `${url}?auto=1` })

  assert.equal(await researcher.exited, 0, researcher.stderr)
  const verified = events(researcher, 'chunk-verified')
  assert.deepEqual(verified.map(v => v.chunk).sort((x, y) => x - y), [0, 1, 2])
  assert.ok(verified.every(v => v.volunteer === tabPeer), `the tab on h3 computed every chunk: ${JSON.stringify(verified)}`)
  const exported = new JsonLines(lan.spawnMesh(h2, ['export', projectId, '--format', 'npy', '--out', join(dir.path, 'C.npy'), ...dataDir('h2')]))
  assert.equal(await exported.exited, 0, exported.stderr)
  const check = compareWithReference(a, b, await readNpyMatrix(join(dir.path, 'C.npy')))
  assert.ok(check.ok, `export off the reference by ${check.maxRelError}`)
  assert.deepEqual(report.cspViolations, [])
  assert.deepEqual(report.errors.filter(e => e.startsWith('uncaught')), [])
  server.child.kill('SIGINT')
  assert.equal(await server.exited, 0, server.stderr)
})
