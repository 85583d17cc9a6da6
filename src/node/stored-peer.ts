import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { chunkPrefixRange, openStore, type MeshStore } from '../store/store.ts'
import { decodeSignedManifest } from '../protocols/manifest-codec.ts'
import { exportProject, listProjectRecords, withFoldedResult, type ExportFormat, type ExportSummary } from './coordinator/index.ts'
import { computeProjectStats, leaderboard } from './metrics.ts'
import { ledgerReceipts, recordsFromStore } from './figures.ts'
import { listHistory } from './coordinator/history.ts'
import { KnownNames } from './discovery/known-names.ts'
import { summarizeProject } from './project-summary.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { StatusReport } from './mesh-node.ts'
import type { HistoryEntry, LeaderboardEntry, ProjectStats, RoundsProgress } from './types.ts'

/**
 * The data dir of a peer that is not running, read without starting one:
 * the same reports a running MeshNode gives on its control socket (status,
 * export, leaderboard, history), from the store alone. No volunteers are
 * live and no names are known but the ones the store keeps (discovery/known-names.ts).
 */
export class StoredPeer {
  private constructor (private readonly store: MeshStore, private readonly names: KnownNames, private readonly peerId?: string) {}

  /** Opens the store of `dataDir`; undefined when no peer ever ran there. Throws StoreLockedError when one runs now. */
  static async open (dataDir: string): Promise<StoredPeer | undefined> {
    try {
      await access(join(dataDir, 'db'))
    } catch {
      return undefined
    }
    const store = await openStore(dataDir)
    try {
      const key = await store.identity.get('key')
      return new StoredPeer(store, await KnownNames.load(store), key == null ? undefined : peerIdFromPrivateKey(privateKeyFromProtobuf(key)).toString())
    } catch (err) {
      await store.close()
      throw err
    }
  }

  async status (now = Date.now()): Promise<StatusReport> {
    const projects: ProjectStats[] = []
    for (const record of await listProjectRecords(this.store)) {
      const signed = await this.store.projects.get(record.projectId)
      if (signed == null) continue
      const manifest = await decodeSignedManifest(signed)
      let done = 0
      for await (const _ of this.store.results.keys(chunkPrefixRange(manifest.id))) done++
      const summary = summarizeProject(manifest, {
        progress: { done, total: manifest.chunkCount, volunteers: 0, status: record.status },
        own: true,
        offline: false,
        lastHeard: now
      })
      const found = await recordsFromStore(this.store, manifest, summary, peer => this.names.get(peer))
      // A rounds project's results are every round's: its progress counts chunks of all its rounds.
      const records = found?.rounds == null ? found : { ...found, project: { ...summary, chunks: roundsChunks(found.rounds, done) } }
      if (records != null) projects.push(await withFoldedResult(computeProjectStats(records, now), this.store))
    }
    return { ...(this.peerId != null ? { peerId: this.peerId } : {}), running: false, projects }
  }

  async exportProject (projectId: string, format: ExportFormat, path: string, options: AbortOptions = {}): Promise<ExportSummary> {
    return await exportProject(this.store, projectId, format, path, options)
  }

  async leaderboard (): Promise<LeaderboardEntry[]> {
    return leaderboard(await ledgerReceipts(this.store), { names: this.names.all() })
  }

  async history (): Promise<HistoryEntry[]> {
    return await listHistory(this.store)
  }

  async close (): Promise<void> {
    await this.store.close()
  }
}

function roundsChunks (rounds: RoundsProgress, stored: number): { done: number, total: number } {
  const total = rounds.of * rounds.chunksPerRound
  return { done: rounds.converged === true || rounds.round >= rounds.of ? total : Math.min(stored, total), total }
}
