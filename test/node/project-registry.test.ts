import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { openStore } from '../../src/store/store.ts'
import { signManifest, type ManifestFields } from '../../src/protocols/manifest-codec.ts'
import { decodeAnnouncement, encodeAnnouncement, type DecodedAnnouncement } from '../../src/protocols/announce.ts'
import { ProjectRegistry } from '../../src/node/discovery/project-registry.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'

const dir = await makeTempDir()
const store = await openStore(dir.path)
after(async () => {
  await store.close()
  await dir.remove()
})

const fields: ManifestFields = {
  name: 'p',
  description: '',
  kernel: 'matmul',
  paramsJson: '{}',
  inputs: [{ name: 'a', rows: 2, cols: 2, hash: '33'.repeat(32), size: 16 }, { name: 'b', rows: 2, cols: 2, hash: '44'.repeat(32), size: 16 }],
  outputCols: 2,
  rowsPerChunk: 1,
  chunkCount: 2,
  verification: { redundancy: 1, spotCheck: 0 },
  createdAt: 1
}

async function announcement (name: string, done: number, timestamp: number): Promise<DecodedAnnouncement> {
  const key = await generateKeyPair('Ed25519')
  const { signedBytes } = await signManifest({ ...fields, name }, key)
  const bytes = await encodeAnnouncement({ signedManifest: signedBytes, progress: { done, total: 2, volunteers: 1, status: 'running' }, addresses: [], sequence: 1, timestamp }, key)
  return await decodeAnnouncement(bytes)
}

test('the registry keeps at most maxProjects, dropping the longest unheard, in memory and in the store', async () => {
  const announced: string[] = []
  const registry = new ProjectRegistry({ store, selfId: 'self', maxProjects: 3, onAnnounced: p => announced.push(p.manifest.name) })
  const now = Date.now()
  for (let i = 0; i < 5; i++) await registry.heard(await announcement(`p${i}`, 0, now), now + i)
  assert.deepEqual(registry.list().map(p => p.manifest.name).sort(), ['p2', 'p3', 'p4'])
  assert.deepEqual(announced, ['p0', 'p1', 'p2', 'p3', 'p4'])
  let stored = 0
  for await (const _ of store.projects.keys()) stored++
  assert.equal(stored, 3)

  const reloaded = new ProjectRegistry({ store, selfId: 'self' })
  await reloaded.load()
  assert.deepEqual(reloaded.list().map(p => [p.manifest.name, p.offline]).sort(), [['p2', true], ['p3', true], ['p4', true]])
})

test('an older announcement does not replace a newer one; a project goes offline after offlineAfterMs', async () => {
  const registry = new ProjectRegistry({ store, selfId: 'self', offlineAfterMs: 1000 })
  const key = await generateKeyPair('Ed25519')
  const { signedBytes, id } = await signManifest({ ...fields, name: 'ordered' }, key)
  const at = async (done: number, timestamp: number): Promise<DecodedAnnouncement> =>
    await decodeAnnouncement(await encodeAnnouncement({ signedManifest: signedBytes, progress: { done, total: 2, volunteers: 0, status: 'running' }, addresses: [], sequence: timestamp, timestamp }, key))
  const now = Date.now()
  await registry.heard(await at(1, now), now)
  await registry.heard(await at(0, now - 5000), now + 10)
  assert.equal(registry.get(id)?.progress.done, 1)
  const offline: string[] = []
  const watching = new ProjectRegistry({ store, selfId: 'self', offlineAfterMs: 1000, onOffline: p => offline.push(p.manifest.id) })
  await watching.heard(await at(1, now), now)
  watching.sweep(now + 999)
  assert.deepEqual(offline, [])
  watching.sweep(now + 1001)
  assert.deepEqual(offline, [id])
  assert.equal(watching.get(id)?.offline, true)
})
