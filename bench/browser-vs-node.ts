/**
 * `browserVsNode`: chunks per second of one browser volunteer (Debian's
 * Chromium, headless, computing with its WebGPU) against one Node volunteer
 * (`mesh volunteer`, Dawn) on the same machine, the same kernel and the
 * same chunks, measured in one run: a researcher publishes two identical
 * matmul projects, the tab computes one (through `mesh serve --web`), then
 * the Node volunteer the other, one after the other so neither takes the
 * other's cores. Rate: chunks over the time from the first lease to the
 * last verified chunk, from the researcher's events. Both exports are
 * checked against the CPU reference.
 *
 *   node --import tsx bench/browser-vs-node.ts [--size N] [--rows-per-chunk R] [--json]
 *
 * Informational: on a machine without a GPU the tab runs SwiftShader and
 * the Node peer Mesa's llvmpipe, two different software rasterisers.
 */
import { parseArgs } from 'node:util'
import { generateMatrix } from '../src/compute/data/generate.ts'
import { readNpyMatrix, writeNpyMatrix } from '../src/compute/data/npy.ts'
import { CliMesh, compareWithReference, events } from '../test/e2e/helpers/cli-peers.ts'
import { browserMissing, launchChromium, openVolunteerPage, pagePeerId } from '../test/web/helpers/browser.ts'
import type { JsonLines } from '../test/helpers/json-lines.ts'

const { values } = parseArgs({ options: { size: { type: 'string' }, 'rows-per-chunk': { type: 'string' }, json: { type: 'boolean' } } })
const size = Number(values.size ?? 256)
const rowsPerChunk = Number(values['rows-per-chunk'] ?? 16)
const chunks = Math.ceil(size / rowsPerChunk)

const missing = browserMissing()
if (missing != null) {
  console.error(`browser-vs-node: ${missing}`)
  process.exit(1)
}

interface SideFigures { chunksPerSec: number, wallMs: number, computeMs: number, maxRelError: number, volunteer: string }

function rate (researcher: JsonLines, volunteer: string): Omit<SideFigures, 'maxRelError'> {
  const leased = events(researcher, 'chunk-leased')
  const verified = events(researcher, 'chunk-verified')
  if (verified.length !== chunks) throw new Error(`${verified.length} of ${chunks} chunks verified`)
  const strangers = verified.filter(v => v.volunteer !== volunteer)
  if (strangers.length > 0) throw new Error(`chunks ${strangers.map(v => v.chunk).join(', ')} were computed by another volunteer`)
  const wallMs = Math.max(...verified.map(v => v.at)) - Math.min(...leased.map(l => l.at))
  return { chunksPerSec: chunks / (wallMs / 1000), wallMs, computeMs: verified.reduce((sum, v) => sum + v.computeMs, 0), volunteer }
}

const mesh = await CliMesh.create('browser-vs-node')
const browser = await launchChromium()
try {
  const a = generateMatrix(size, size, 501)
  const b = generateMatrix(size, size, 502)
  await writeNpyMatrix(mesh.dataDir('A.npy'), a)
  await writeNpyMatrix(mesh.dataDir('B.npy'), b)
  const publish = (name: string): JsonLines => mesh.start(name, ['publish', '--kernel', 'matmul', '--a', mesh.dataDir('A.npy'), '--b', mesh.dataDir('B.npy'),
    '--rows-per-chunk', String(rowsPerChunk), '--name', `bench ${name}`, '--until-done', '--json'])
  const check = async (name: string, researcher: JsonLines): Promise<number> => {
    const id = events(researcher, 'published')[0].id
    const result = await mesh.run(name, ['export', id, '--format', 'npy', '--out', mesh.dataDir(`${name}.npy`)])
    if (result.code !== 0) throw new Error(result.stderr)
    const compared = compareWithReference(a, b, await readNpyMatrix(mesh.dataDir(`${name}.npy`)))
    if (!compared.ok) throw new Error(`${name}: the export is off the CPU reference by ${compared.maxRelError}`)
    return compared.maxRelError
  }

  const server = mesh.start('server', ['serve', '--web', '127.0.0.1:0', '--json'])
  const url = (await server.waitFor('started', line => line.event === 'started')).web.url

  // The tab: it joins the first running project, the only one announced yet.
  const forBrowser = publish('browser-project')
  await forBrowser.waitFor('published', line => line.event === 'published', 60_000)
  const context = await browser.newContext()
  const { page } = await openVolunteerPage(context, `${url}?auto=1`)
  const tabPeer = await pagePeerId(page)
  if (await forBrowser.exited !== 0) throw new Error(forBrowser.stderr)
  await page.close()
  await context.close()
  const browserSide: SideFigures = { ...rate(forBrowser, tabPeer), maxRelError: await check('browser-project', forBrowser) }

  const forNode = publish('node-project')
  const nodeProject = (await forNode.waitFor('published', line => line.event === 'published', 60_000)).id
  const volunteer = mesh.start('node-volunteer', ['volunteer', '--project', nodeProject, '--until-done', '--json'])
  if (await forNode.exited !== 0) throw new Error(forNode.stderr)
  await volunteer.exited
  const nodeSide: SideFigures = { ...rate(forNode, volunteer.lines[0].peerId), maxRelError: await check('node-project', forNode) }

  const figures = {
    browserVsNode: browserSide.chunksPerSec / nodeSide.chunksPerSec,
    browserChunksPerSec: browserSide.chunksPerSec,
    nodeChunksPerSec: nodeSide.chunksPerSec,
    browserWallMs: browserSide.wallMs,
    nodeWallMs: nodeSide.wallMs,
    browserComputeMs: browserSide.computeMs,
    nodeComputeMs: nodeSide.computeMs,
    browserMaxRelError: browserSide.maxRelError,
    nodeMaxRelError: nodeSide.maxRelError,
    kernel: 'matmul',
    size,
    rowsPerChunk,
    chunks
  }
  if (values.json === true) {
    console.log(JSON.stringify(figures))
  } else {
    console.log(`matmul ${size}^3 in ${chunks} chunks of ${rowsPerChunk} rows, one volunteer each, same machine`)
    console.log(`browser tab (WebGPU in Chromium): ${browserSide.chunksPerSec.toFixed(2)} chunks/s (${browserSide.wallMs} ms, compute ${Math.round(browserSide.computeMs)} ms)`)
    console.log(`Node volunteer (Dawn):            ${nodeSide.chunksPerSec.toFixed(2)} chunks/s (${nodeSide.wallMs} ms, compute ${Math.round(nodeSide.computeMs)} ms)`)
    console.log(`browserVsNode: ${figures.browserVsNode.toFixed(3)}`)
  }
} finally {
  await browser.close()
  await mesh.cleanup()
}
