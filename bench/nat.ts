import { join } from 'node:path'
import { Internet, internetUnavailable, type NetHost } from '../test/helpers/nat-internet.ts'
import { JsonLines } from '../test/helpers/json-lines.ts'
import { makeTempDir } from '../test/helpers/tmpdir.ts'
import { DEFAULT_RELAY_LIMITS, relayedChunksPerSecond } from '../src/node/network/relay.ts'
import { percentile } from './lib/stats.ts'

/**
 * Beyond the LAN (issue 15), in the simulated internet of the NAT tests: a
 * relay on a public bridge and two labs behind port-preserving NAT routers,
 * every peer a real `mesh` CLI process.
 *
 * - holePunchMs: from the first (relayed) connection between two peers that
 *   know only the relay to their direct connection through both NATs, the
 *   median of several tries, each with two fresh peers (B is told A's relay
 *   circuit address);
 * - relayedVsDirect: chunks a second of a matmul project over the direct
 *   connection, against what one relayed connection under the relay's
 *   default limits (128 KiB, 2 minutes) could carry of those chunks.
 *
 * Needs root and nft; elsewhere it says so and reports natSkipped.
 */

export interface NatBenchOptions {
  /** Hole punches timed. */
  readonly tries: number
  /** Matmul size N (N x N inputs) and chunks for the throughput figure. */
  readonly size: number
  readonly chunks: number
}

const common = ['--no-mdns', '--no-upnp', '--json']

export async function benchNat (options: NatBenchOptions): Promise<object> {
  const unavailable = await internetUnavailable()
  if (unavailable != null) {
    console.error(`bench: nat skipped: ${unavailable}`)
    return { natSkipped: unavailable }
  }
  const dir = await makeTempDir('mesh-bench-nat-')
  const net = await Internet.create({ publicHosts: ['relay'], lans: [{ label: 'a', nat: 'cone' }, { label: 'b', nat: 'cone' }] })
  const start = (host: NetHost, dataDir: string, port: number, args: string[]): JsonLines =>
    new JsonLines(net.spawnMesh(host, [...args, ...common, '--listen', `/ip4/0.0.0.0/tcp/${port}`, '--data-dir', join(dir.path, dataDir)]))
  try {
    const relayHost = net.host('relay')
    const relay = start(relayHost, 'relay', 4001, ['serve', '--relay'])
    const relayAddress = `/ip4/${relayHost.ip}/tcp/4001/p2p/${(await relay.waitFor('started', l => l.event === 'started')).peerId}`

    const punches: number[] = []
    for (let i = 0; i < options.tries; i++) {
      // Fresh ports each try: the last try's connections to the relay linger in TIME_WAIT.
      const port = 4100 + i
      const a = start(net.host('a'), `a${i}`, port, ['serve', '--bootstrap', relayAddress])
      const reserved = await a.waitFor('relay-reservation', l => l.event === 'relay-reservation')
      const aId = a.lines[0].peerId
      const b = start(net.host('b'), `b${i}`, port, ['serve', '--bootstrap', relayAddress, '--bootstrap', `${reserved.address}/p2p/${aId}`])
      const punched = await b.waitFor('direct-path', l => l.event === 'direct-path' && l.peer === aId)
      punches.push(punched.holePunchMs)
      console.error(`bench: nat: hole punch ${i + 1}/${options.tries} in ${punched.holePunchMs} ms`)
      await Promise.all([a, b].map(async p => { await net.kill(p.child, 'SIGINT') }))
    }

    const rowsPerChunk = Math.ceil(options.size / options.chunks)
    const researcher = start(net.host('a'), 'researcher', 4200, ['publish', '--kernel', 'matmul', '--size', String(options.size), '--seed', '7', '--rows-per-chunk', String(rowsPerChunk), '--redundancy', '1', '--spot-check', '0', '--until-done', '--bootstrap', relayAddress])
    const volunteer = start(net.host('b'), 'volunteer', 4200, ['volunteer', '--auto', '--until-done', '--bootstrap', relayAddress])
    const [researcherCode] = await Promise.all([researcher.exited, volunteer.exited])
    if (researcherCode !== 0) throw new Error(`the researcher failed: ${researcher.stderr}`)
    const done = researcher.lines.find(l => l.event === 'done')
    const leases = researcher.lines.filter(l => l.event === 'chunk-leased')
    const verified = researcher.lines.filter(l => l.event === 'chunk-verified')
    const spanMs = Math.max(1, verified.at(-1).at - leases[0].at)
    const directChunksPerSec = done.chunks / (spanMs / 1000)
    const bytesPerChunk = done.bytesMoved / done.chunks
    const relayChunksPerSec = relayedChunksPerSecond(DEFAULT_RELAY_LIMITS, bytesPerChunk)
    await net.kill(relay.child, 'SIGINT')
    return {
      holePunchMs: percentile(punches, 50),
      holePunchTriesMs: punches,
      directChunksPerSec,
      relayChunksPerSec,
      relayedVsDirect: relayChunksPerSec > 0 ? directChunksPerSec / relayChunksPerSec : null,
      natBytesPerChunk: bytesPerChunk,
      natChunks: done.chunks,
      natMatmulSize: options.size,
      relayLimits: DEFAULT_RELAY_LIMITS
    }
  } finally {
    await net.cleanup()
    await dir.remove()
  }
}
