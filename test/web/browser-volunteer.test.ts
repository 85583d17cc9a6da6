import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext } from 'playwright-core'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { readNpyMatrix, writeNpyMatrix } from '../../src/compute/data/npy.ts'
import { CliMesh, compareWithReference, events } from '../e2e/helpers/cli-peers.ts'
import type { JsonLines } from '../helpers/json-lines.ts'
import { browserMissing, launchChromium, openVolunteerPage, pagePeerId, type PageReport } from './helpers/browser.ts'
import { AFFINE_WGSL, affineReference, LCG_WGSL, lcgReference } from './helpers/kernels.ts'

/**
 * A browser tab volunteers (issue 14): real `mesh` processes (researchers
 * publishing, a peer serving the page with `mesh serve --web`), Debian's
 * Chromium opening the page headless and computing with its WebGPU
 * (SwiftShader), every result verified by the researcher and exported
 * against a reference computed here.
 */

const missing = browserMissing()

describe('a browser tab as a volunteer', { skip: missing }, () => {
  let mesh: CliMesh
  let browser: Browser
  /** One browser profile: the volunteer who comes back. */
  let profile: BrowserContext
  let server: JsonLines
  let pageUrl = ''
  const reports: PageReport[] = []

  before(async () => {
    mesh = await CliMesh.create('web')
    browser = await launchChromium()
    profile = await browser.newContext()
    server = mesh.start('server', ['serve', '--web', '127.0.0.1:0', '--json'])
    const started = await server.waitFor('started', line => line.event === 'started')
    pageUrl = started.web.url
  })

  after(async () => {
    await browser?.close()
    await mesh?.cleanup()
  })

  const a = generateMatrix(48, 40, 141)
  const b = generateMatrix(40, 24, 142)
  const items = 64
  let tabPeer = ''

  test('given a matmul and a custom-WGSL project, ?auto=1 computes the matmul (export equals the CPU reference); the custom kernel runs only after Accept, and its export equals the reference', async () => {
    await writeNpyMatrix(mesh.dataDir('A.npy'), a)
    await writeNpyMatrix(mesh.dataDir('B.npy'), b)
    await writeFile(mesh.dataDir('affine.wgsl'), AFFINE_WGSL)
    const matmul = mesh.start('matmul', ['publish', '--kernel', 'matmul', '--a', mesh.dataDir('A.npy'), '--b', mesh.dataDir('B.npy'), '--rows-per-chunk', '12', '--spot-check', '1', '--name', 'web matmul', '--until-done', '--json'])
    const custom = mesh.start('custom', ['publish', '--kernel', 'wgsl', '--wgsl', mesh.dataDir('affine.wgsl'), '--items', String(items), '--items-per-chunk', '16', '--out-cols', '2', '--spot-check', '1', '--name', 'web custom', '--until-done', '--json'])
    const matmulId = (await matmul.waitFor('published', line => line.event === 'published')).id
    const customId = (await custom.waitFor('published', line => line.event === 'published', 60_000)).id

    const { page, report } = await openVolunteerPage(profile, `${pageUrl}?auto=1`)
    reports.push(report)
    tabPeer = await pagePeerId(page)
    assert.equal(await matmul.exited, 0, matmul.stderr)
    const verified = events(matmul, 'chunk-verified')
    assert.deepEqual(verified.map(v => v.chunk).sort((x, y) => x - y), [0, 1, 2, 3])
    assert.ok(verified.every(v => v.volunteer === tabPeer), 'the tab computed every matmul chunk')
    const exported = await mesh.run('matmul', ['export', matmulId, '--format', 'npy', '--out', mesh.dataDir('C.npy')])
    assert.equal(exported.code, 0, exported.stderr)
    const check = compareWithReference(a, b, await readNpyMatrix(mesh.dataDir('C.npy')))
    assert.ok(check.ok, `matmul export off the reference by ${check.maxRelError}`)

    // Auto mode passed the custom project over; give it time to misbehave, then check nothing of it ran.
    await page.waitForSelector(`li[data-project-id="${customId}"] button[data-action="review"]`)
    await new Promise(resolve => setTimeout(resolve, 3_000))
    assert.equal(events(custom, 'chunk-leased').length, 0, 'no chunk of the custom project was leased before Accept')
    assert.equal(events(custom, 'chunk-verified').length, 0)

    await page.click(`li[data-project-id="${customId}"] button[data-action="review"]`)
    assert.match((await page.textContent('#review-source')) ?? '', /fn compute_item/, 'the page shows the WGSL before it runs')
    assert.equal(events(custom, 'chunk-leased').length, 0, 'reviewing is not accepting')
    await page.click('#accept')
    assert.equal(await custom.exited, 0, custom.stderr)
    const customVerified = events(custom, 'chunk-verified')
    assert.equal(customVerified.length, 4)
    assert.ok(customVerified.every(v => v.volunteer === tabPeer), 'the tab computed every custom chunk after Accept')
    const customExport = await mesh.run('custom', ['export', customId, '--format', 'npy', '--out', mesh.dataDir('custom.npy')])
    assert.equal(customExport.code, 0, customExport.stderr)
    assert.deepEqual(Array.from((await readNpyMatrix(mesh.dataDir('custom.npy'))).data), Array.from(affineReference(items)))

    await page.waitForSelector('#receipts[data-count="8"]', { timeout: 15_000 })
    assert.deepEqual(report.cspViolations, [], 'the page runs under its CSP without violations')
    assert.deepEqual(report.errors.filter(e => e.startsWith('uncaught')), [])
    await page.close()
  })

  test('given a browser without WebGPU, the page says so and how to get it, and starts no peer', async () => {
    const plain = await launchChromium({ webgpu: false })
    try {
      const { page, report } = await openVolunteerPage(await plain.newContext(), pageUrl)
      await page.waitForSelector('#no-gpu:not([hidden])')
      assert.match((await page.textContent('#no-gpu')) ?? '', /GPU adapter|no WebGPU/i)
      assert.match((await page.textContent('#no-gpu-remedy')) ?? '', /chrome:\/\/gpu|Chrome or Edge/)
      assert.equal(await page.textContent('#peer-id'), '')
      assert.deepEqual(report.cspViolations, [])
    } finally {
      await plain.close()
    }
  })

  test('given a reload, the tab keeps its peer id and its 8 receipts (IndexedDB)', async () => {
    const { page, report } = await openVolunteerPage(profile, pageUrl)
    reports.push(report)
    assert.equal(await pagePeerId(page), tabPeer)
    await page.waitForSelector('#receipts[data-count="8"]', { timeout: 15_000 })
    await page.reload()
    assert.equal(await pagePeerId(page), tabPeer)
    await page.waitForSelector('#receipts[data-count="8"]', { timeout: 15_000 })
    assert.deepEqual(report.cspViolations, [])
    await page.close()
  })

  test('given Pause the tab takes no lease and Resume goes on; given the tab closed mid-chunk, its leases are requeued within the heartbeat timeout and a Node volunteer completes the project (export equals the reference)', async () => {
    const slowItems = 4 * 8192
    const steps = 60_000
    await writeFile(mesh.dataDir('lcg.wgsl'), LCG_WGSL)
    const researcher = mesh.start('slow', ['publish', '--kernel', 'wgsl', '--wgsl', mesh.dataDir('lcg.wgsl'), '--items', String(slowItems), '--items-per-chunk', '8192', '--param', `steps:u32=${steps}`, '--out-cols', '1', '--name', 'web slow', '--until-done', '--json'])
    const projectId = (await researcher.waitFor('published', line => line.event === 'published', 60_000)).id
    const { page, report } = await openVolunteerPage(profile, pageUrl)
    reports.push(report)
    await page.click(`li[data-project-id="${projectId}"] button[data-action="review"]`, { timeout: 30_000 })
    await page.click('#accept')
    await researcher.waitFor('a lease to the tab', line => line.event === 'chunk-leased' && line.volunteer === tabPeer, 30_000)
    await page.waitForSelector('#state[data-state="computing"]', { timeout: 30_000 })

    // Pause: no new lease (the queued one is handed back); Resume: the tab computes again.
    await page.click('#pause')
    await page.waitForSelector('#state[data-state="paused"]')
    await new Promise(resolve => setTimeout(resolve, 2_000))
    const leasesWhilePaused = events(researcher, 'chunk-leased').length
    await new Promise(resolve => setTimeout(resolve, 2_000))
    assert.equal(events(researcher, 'chunk-leased').length, leasesWhilePaused, 'a paused tab takes no lease')
    await page.click('#pause')
    await page.waitForSelector('#state[data-state="computing"]', { timeout: 30_000 })
    const leased = events(researcher, 'chunk-leased').filter(line => line.volunteer === tabPeer).at(-1)
    assert.ok(events(researcher, 'chunk-leased').length > leasesWhilePaused, 'resumed, the tab leases again')

    const verifiedBefore = events(researcher, 'chunk-verified').length
    const closedAt = Date.now()
    await page.close({ runBeforeUnload: true })

    const requeued = await researcher.waitFor('the tab\'s leases requeued', line => line.at >= closedAt && line.volunteer === tabPeer &&
      (line.event === 'volunteer-lost' || (line.event === 'chunk-requeued' && line.chunk === leased.chunk)), 15_000)
    assert.ok(requeued.at - closedAt < 4_000 + 1_000, `requeued ${requeued.at - closedAt} ms after the tab closed`)
    assert.ok(verifiedBefore < 4, 'the tab was closed before the project was done')

    const volunteer = mesh.start('node-volunteer', ['volunteer', '--project', projectId, '--accept-wgsl', '--until-done', '--json'])
    assert.equal(await researcher.exited, 0, researcher.stderr)
    assert.equal(await volunteer.exited, 0, volunteer.stderr)
    const nodePeer = volunteer.lines[0].peerId
    const verified = events(researcher, 'chunk-verified')
    assert.deepEqual(verified.map(v => v.chunk).sort((x, y) => x - y), [0, 1, 2, 3])
    assert.equal(verified.find(v => v.chunk === leased.chunk)?.volunteer, nodePeer, 'the chunk the tab was computing was computed again by the Node volunteer')
    const exported = await mesh.run('slow', ['export', projectId, '--format', 'npy', '--out', mesh.dataDir('slow.npy')])
    assert.equal(exported.code, 0, exported.stderr)
    assert.deepEqual(Array.from((await readNpyMatrix(mesh.dataDir('slow.npy'))).data), Array.from(lcgReference(slowItems, steps)))
    assert.deepEqual(report.cspViolations, [])
  })

  test('given seven tabs opened at once, each with its own key, all reach the researcher through the one serving peer (past libp2p\'s per-host connection rate) and share the work; the export equals the CPU reference', async () => {
    const tabs = 7
    const a = generateMatrix(256, 256, 151)
    const b = generateMatrix(256, 256, 152)
    await writeNpyMatrix(mesh.dataDir('A7.npy'), a)
    await writeNpyMatrix(mesh.dataDir('B7.npy'), b)
    const researcher = mesh.start('crowd', ['publish', '--kernel', 'matmul', '--a', mesh.dataDir('A7.npy'), '--b', mesh.dataDir('B7.npy'), '--rows-per-chunk', '8', '--name', 'web crowd', '--until-done', '--json'])
    const projectId = (await researcher.waitFor('published', line => line.event === 'published', 60_000)).id
    const contexts = await Promise.all(Array.from({ length: tabs }, async () => await browser.newContext()))
    try {
      const opened = await Promise.all(contexts.map(async context => await openVolunteerPage(context, `${pageUrl}?auto=1`)))
      const peers = await Promise.all(opened.map(async ({ page }) => await pagePeerId(page)))
      assert.equal(new Set(peers).size, tabs, 'one key per browser profile')
      assert.equal(await researcher.exited, 0, researcher.stderr)
      const verified = events(researcher, 'chunk-verified')
      assert.equal(verified.length, 32)
      const leasedTo = new Set(events(researcher, 'chunk-leased').map(line => line.volunteer))
      assert.ok([...leasedTo].every(volunteer => peers.includes(volunteer)), 'only the tabs computed')
      assert.ok(leasedTo.size >= 2, `the work was shared: ${leasedTo.size} tabs leased chunks`)
      // Every tab joined: none was turned away as unreachable.
      for (const { page, report } of opened) {
        assert.doesNotMatch((await page.textContent('#note')) ?? '', /cannot reach/)
        assert.deepEqual(report.cspViolations, [])
      }
      const exported = await mesh.run('crowd', ['export', projectId, '--format', 'npy', '--out', mesh.dataDir('C7.npy')])
      assert.equal(exported.code, 0, exported.stderr)
      const check = compareWithReference(a, b, await readNpyMatrix(mesh.dataDir('C7.npy')))
      assert.ok(check.ok, `export off the reference by ${check.maxRelError}`)
    } finally {
      await Promise.all(contexts.map(async context => await context.close()))
    }
  })
})
