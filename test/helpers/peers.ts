import { randomUUID } from 'node:crypto'
import { MeshNode, type MeshNodeOptions } from '../../src/node/mesh-node.ts'
import { makeTempDir, type TempDir } from './tmpdir.ts'

/** Options for test peers: loopback only, and an mDNS tag of their own so other tests' peers stay out. */
export function loopbackOptions (tag: string, overrides: Partial<MeshNodeOptions> = {}): Omit<MeshNodeOptions, 'dataDir'> {
  return {
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdnsServiceTag: tag,
    mdnsIntervalMs: 1000,
    announceIntervalMs: 1000,
    ...overrides
  }
}

export function uniqueTag (label: string): string {
  return `mesh-test-${label}-${randomUUID().slice(0, 8)}`
}

export interface TestPeer {
  readonly node: MeshNode
  readonly dir: TempDir
}

/** Starts a MeshNode in a fresh temp data dir (or the given one). */
export async function startPeer (options: Omit<MeshNodeOptions, 'dataDir'>, dir?: TempDir): Promise<TestPeer> {
  const dataDir = dir ?? await makeTempDir('mesh-peer-')
  try {
    const node = await MeshNode.start({ ...options, dataDir: dataDir.path })
    return { node, dir: dataDir }
  } catch (err) {
    if (dir == null) await dataDir.remove()
    throw err
  }
}

/** Stops every peer and removes its data dir; never throws. */
export async function stopPeers (peers: Iterable<TestPeer | undefined>): Promise<void> {
  await Promise.all([...peers].map(async peer => {
    if (peer == null) return
    await peer.node.stop().catch(() => {})
    await peer.dir.remove().catch(() => {})
  }))
}

/** Polls `check` until it returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T> (what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}
