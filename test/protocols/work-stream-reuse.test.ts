import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { LeaseStatus, WORK_PROTOCOL } from '../../src/protocols/work/index.ts'
import { publishMatmul, startResearcher, stopPeer, type TestResearcher } from '../work/helpers/mesh.ts'
import { startWorkNode, type WorkNode } from '../work/helpers/nodes.ts'
import type { ProjectManifest } from '../../src/protocols/manifest-codec.ts'

let researcher: TestResearcher
let volunteer: WorkNode
let manifest: ProjectManifest

before(async () => {
  researcher = await startResearcher()
  manifest = (await publishMatmul(researcher, { m: 8, k: 4, n: 4, rowsPerChunk: 1 })).manifest
  await researcher.coordinator.addProject(manifest)
  volunteer = await startWorkNode()
  await volunteer.dial(researcher.node.getMultiaddrs()[0])
})

after(async () => {
  await volunteer?.stop()
  await stopPeer(researcher)
})

function workStreams (node: WorkNode): number {
  return node.getConnections().flatMap(c => c.streams).filter(s => s.protocol === WORK_PROTOCOL).length
}

test('given requests one after another, the volunteer sends them on one stream instead of negotiating a stream each', async () => {
  const inbound: string[] = []
  for (let i = 0; i < 3; i++) {
    const { answer } = await volunteer.services.work.lease(researcher.node.peerId, { projectId: manifest.id, device: 'test', gflops: 0 })
    assert.equal(answer.status, LeaseStatus.LEASED)
    const { answer: renewed } = await volunteer.services.work.heartbeat(researcher.node.peerId, { leaseIds: [answer.lease!.leaseId], gflops: 0 })
    assert.deepEqual(renewed.dropped, [])
    inbound.push(...researcher.node.getConnections(volunteer.peerId).flatMap(c => c.streams).filter(s => s.protocol === WORK_PROTOCOL).map(s => s.id))
  }
  assert.equal(new Set(inbound).size, 1, `six requests took ${new Set(inbound).size} streams`)
  assert.equal(workStreams(volunteer), 1)
})

test('given requests at the same time, each gets its own stream and all are answered', async () => {
  const answers = await Promise.all([0, 1, 2].map(async () => await volunteer.services.work.heartbeat(researcher.node.peerId, { leaseIds: ['none'], gflops: 0 })))
  for (const { answer } of answers) assert.deepEqual(answer.dropped, ['none'])
  assert.ok(workStreams(volunteer) >= 1 && workStreams(volunteer) <= 3)
})

test('given an idle stream the researcher ended, the next request is answered on a new stream', async () => {
  for (const stream of researcher.node.getConnections(volunteer.peerId).flatMap(c => c.streams).filter(s => s.protocol === WORK_PROTOCOL)) {
    stream.abort(new Error('test: researcher drops its idle work streams'))
  }
  const { answer } = await volunteer.services.work.heartbeat(researcher.node.peerId, { leaseIds: ['gone'], gflops: 0 })
  assert.deepEqual(answer.dropped, ['gone'])
})
