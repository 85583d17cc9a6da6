import { spawn, type ChildProcess } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { FixedTimeDevice } from './lib/fixed-time-kernel.ts'
import { publishFixedTime } from './lib/projects.ts'
import { makeTempDir, startResearcher, startVolunteer, stopPeers, type BenchPeer } from './lib/peers.ts'
import { nowMs, percentile } from './lib/stats.ts'

export interface ReassignOptions {
  /** Volunteer processes killed, one after another. */
  readonly kills: number
  /** Volunteers in this process that keep working and take over. */
  readonly others: number
  readonly chunkMs: number
}

export interface ReassignFigures {
  /** Median over kills: SIGKILL to the last of the killed volunteer's chunks leased to another volunteer. */
  readonly reassignMs: number
  readonly reassignMaxMs: number
  /** Median: SIGKILL to the researcher's volunteer:lost (the connection's close seen). */
  readonly detectMs: number
  readonly reassignSamples: number[]
}

const CHILD = new URL('./lib/volunteer-process.ts', import.meta.url).pathname

/**
 * Reassignment: a volunteer running in its own process is SIGKILLed while it
 * holds leases (the chunk it computes and the one it prefetched), next to
 * `others` busy volunteers; the time from the kill to its chunks being
 * leased to another volunteer. Each chunk takes chunkMs, so a busy volunteer
 * asks for its next lease at most chunkMs after the chunks are requeued.
 */
export async function benchReassign (options: ReassignOptions): Promise<ReassignFigures> {
  const peers: BenchPeer[] = []
  try {
    const researcher = await startResearcher()
    peers.push(researcher)
    const coordinator = researcher.coordinator!
    const manifest = await publishFixedTime(researcher, { chunks: 100_000, cols: 16, chunkMs: options.chunkMs })
    const device = new FixedTimeDevice()
    for (let i = 0; i < options.others; i++) peers.push(await startVolunteer(researcher, device))
    const leasedTo = new Map<number, string>()
    const leasedAt = new Map<number, number>()
    coordinator.events.addEventListener('chunk:leased', (evt: any) => {
      leasedTo.set(evt.detail.chunk, evt.detail.volunteer)
      leasedAt.set(evt.detail.chunk, nowMs())
    })
    let lost: { volunteer: string, chunks: number[], at: number } | undefined
    coordinator.events.addEventListener('volunteer:lost', (evt: any) => { lost = { ...evt.detail, at: nowMs() } })
    const working = peers.slice(1).map(async v => await v.volunteer!.join(manifest))

    const reassign: number[] = []
    const detect: number[] = []
    for (let kill = 0; kill < options.kills; kill++) {
      const dir = await makeTempDir()
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({
        researcher: researcher.node.getMultiaddrs()[0].toString(), manifest: Buffer.from(manifest.signedBytes).toString('base64'), dir
      })], { stdio: ['ignore', 'pipe', 'inherit'] })
      try {
        const peer = await readyPeer(child)
        // Steady state: the child has computed a few chunks and holds a lease; then a kill at a random point of a chunk.
        await until(() => [...leasedTo.values()].filter(v => v === peer).length >= 4)
        await new Promise(resolve => setTimeout(resolve, Math.random() * options.chunkMs))
        lost = undefined
        const killedAt = nowMs()
        child.kill('SIGKILL')
        await until(() => lost?.volunteer === peer)
        const chunks = lost!.chunks
        await until(() => chunks.every(chunk => leasedTo.get(chunk) !== peer))
        detect.push(lost!.at - killedAt)
        reassign.push(Math.max(...chunks.map(chunk => leasedAt.get(chunk)!)) - killedAt)
        console.error(`  reassign: kill ${kill + 1}: chunks ${chunks.join(', ')} lost after ${(lost!.at - killedAt).toFixed(1)} ms, leased again after ${reassign.at(-1)!.toFixed(1)} ms`)
      } finally {
        child.kill('SIGKILL')
        await new Promise(resolve => { if (child.exitCode != null || child.signalCode != null) resolve(undefined); else child.once('exit', resolve) })
        await rm(dir, { recursive: true, force: true })
      }
    }
    await Promise.all(peers.slice(1).map(async v => { await v.volunteer!.stop() }))
    await Promise.allSettled(working)
    return {
      reassignMs: percentile(reassign, 50),
      reassignMaxMs: Math.max(...reassign),
      detectMs: percentile(detect, 50),
      reassignSamples: reassign
    }
  } finally {
    await stopPeers(peers)
  }
}

async function readyPeer (child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! })
  const exited = new Promise<never>((_resolve, reject) => { child.once('exit', code => { reject(new Error(`volunteer process exited (${code}) before it was ready`)) }) })
  const ready = (async () => {
    for await (const line of lines) {
      const message = JSON.parse(line)
      if (message.event === 'ready') return message.peer as string
    }
    throw new Error('volunteer process closed its output before it was ready')
  })()
  return await Promise.race([ready, exited])
}

/** Polls `condition` every millisecond, up to `timeoutMs`. */
async function until (condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = nowMs() + timeoutMs
  while (!condition()) {
    if (nowMs() > deadline) throw new Error('timed out waiting in the reassignment benchmark')
    await new Promise(resolve => setTimeout(resolve, 1))
  }
}
