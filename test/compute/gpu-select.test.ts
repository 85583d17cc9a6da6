import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { listComputeAdapters, openComputeDevice, type AdapterList, type ComputeAdapter } from '../../src/compute/device.ts'
import { chooseAdapter } from '../../src/compute/device/gpu-choice.ts'
import { InputError } from '../../src/errors.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'
import { getKernel } from '../../src/compute/kernels/index.ts'
import type { ChunkWork } from '../../src/compute/kernel.ts'

const matmul = getKernel('matmul')
let list: AdapterList

before(async () => {
  list = await listComputeAdapters()
  console.log(`adapters here: ${list.adapters.map(a => `${a.index} ${a.name} on ${a.backend} (${a.featureLevel}${a.fallbackAdapter ? ', fallback' : ''})`).join('; ')}; notes: ${list.notes.join('; ')}`)
})

function chunk (seed: number): ChunkWork {
  return { kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: 33 }, rows: generateMatrix(33, 20, seed).data, rowCols: 20, shared: { b: generateMatrix(20, 17, seed + 1) } }
}

async function assertOpens (gpu: string | number, expected: ComputeAdapter): Promise<void> {
  const device = await openComputeDevice({ gpu, loopFallback: false })
  try {
    assert.equal(device.info.description, expected.description, `gpu ${gpu}`)
    assert.equal(device.info.backend, expected.backend)
    assert.equal(device.info.featureLevel, expected.featureLevel)
    const work = chunk(3)
    const shapes = [{ name: 'a', rows: 33, cols: 20 }, { name: 'b', rows: 20, cols: 17 }]
    assert.ok(matmul.compare({}, shapes, matmul.cpuReference(work), await device.run(work)).ok, `adapter ${expected.index} computes matmul`)
  } finally {
    await device.destroy()
  }
}

test('the adapters are listed once each, numbered in order, with their limits', () => {
  assert.ok(list.adapters.length > 0, `no WebGPU adapter found: ${list.notes.join('; ')}`)
  list.adapters.forEach((adapter, i) => { assert.equal(adapter.index, i) })
  const keys = list.adapters.map(a => `${a.backend}\u0000${a.name}`)
  assert.equal(new Set(keys).size, keys.length, 'an adapter is listed once per backend')
  for (const adapter of list.adapters) {
    assert.ok(['core', 'compatibility'].includes(adapter.featureLevel))
    assert.equal(typeof adapter.fallbackAdapter, 'boolean')
    assert.ok(adapter.sameName >= 1)
    for (const limit of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension'] as const) {
      assert.ok(Number.isInteger(adapter.limits[limit]) && adapter.limits[limit] > 0, limit)
    }
  }
})

test('the list from a child process is the list in this process', async () => {
  const here = await listComputeAdapters({ inWorker: false })
  assert.deepEqual(here.adapters.map(a => [a.backend, a.name, a.description]), list.adapters.map(a => [a.backend, a.name, a.description]))
})

test('gpu: 0 and every other index open that adapter', async () => {
  for (const adapter of list.adapters) await assertOpens(adapter.index, adapter)
  await assertOpens('0', list.adapters[0]!)
})

test('gpu: NAME opens the first adapter whose name or description contains it, in any case', async () => {
  const first = list.adapters[0]!
  const part = (first.name !== '' ? first.name : first.description).slice(0, 8)
  await assertOpens(part.toUpperCase(), firstMatching(part))
  // The last adapter by its own description (another backend of the same GPU shares its name).
  const last = list.adapters.at(-1)!
  await assertOpens(last.description.toLowerCase(), firstMatching(last.description))
})

test('gpu: NAME on the device in this process too', async () => {
  const first = list.adapters[0]!
  const device = await openComputeDevice({ gpu: first.description, inWorker: false })
  try {
    assert.equal(device.info.description, first.description)
  } finally {
    await device.destroy()
  }
})

test('a gpu naming no adapter is an InputError of one line that lists the adapters found', async () => {
  for (const gpu of [String(list.adapters.length), 'no-such-gpu-anywhere', 99]) {
    await assert.rejects(openComputeDevice({ gpu }), (err: any) => {
      assert.ok(err instanceof InputError, `${err?.name}: ${err?.message}`)
      assert.doesNotMatch(err.message, /\n/)
      assert.match(err.message, new RegExp(`^gpu '${gpu}': (there is no adapter ${gpu}|no adapter's name contains '${gpu}') \\(adapters here: 0 `))
      for (const adapter of list.adapters) assert.ok(err.message.includes(`${adapter.index} ${adapter.name !== '' ? adapter.name : adapter.description} on ${adapter.backend}`), err.message)
      return true
    })
  }
})

function firstMatching (text: string): ComputeAdapter {
  const wanted = text.toLowerCase()
  return list.adapters.find(a => a.name.toLowerCase().includes(wanted) || a.description.toLowerCase().includes(wanted))!
}

const fake = (index: number, name: string, backend: ComputeAdapter['backend'], description = `${name} driver`): ComputeAdapter => ({
  index,
  name,
  description,
  vendor: '',
  backend,
  featureLevel: backend === 'vulkan' ? 'core' : 'compatibility',
  fallbackAdapter: false,
  limits: { maxStorageBufferBindingSize: 1, maxBufferSize: 1, maxComputeWorkgroupsPerDimension: 1, maxComputeWorkgroupStorageSize: 1, maxComputeInvocationsPerWorkgroup: 1, maxStorageBuffersPerShaderStage: 1 },
  sameName: 1
})

test('chooseAdapter: an index, a number, text of the name or description in any case, the first match', () => {
  const two: AdapterList = {
    adapters: [fake(0, 'NVIDIA H200', 'vulkan'), fake(1, 'Intel(R) Arc(tm) A770', 'vulkan', 'Intel open-source Mesa driver'), fake(2, 'NVIDIA H200/PCIe/SSE2', 'opengles')],
    notes: []
  }
  assert.equal(chooseAdapter(two, '1').index, 1)
  assert.equal(chooseAdapter(two, 2).index, 2)
  assert.equal(chooseAdapter(two, ' 0 ').index, 0)
  assert.equal(chooseAdapter(two, 'h200').index, 0)
  assert.equal(chooseAdapter(two, 'pcie').index, 2)
  assert.equal(chooseAdapter(two, 'MESA').index, 1)
  assert.throws(() => chooseAdapter(two, '3'), { name: 'InputError', message: "gpu '3': there is no adapter 3 (adapters here: 0 NVIDIA H200 on vulkan (core), 1 Intel(R) Arc(tm) A770 on vulkan (core), 2 NVIDIA H200/PCIe/SSE2 on opengles (compatibility))" })
  assert.throws(() => chooseAdapter(two, '-1'), { message: /^gpu '-1': no adapter's name contains '-1' \(/ })
  assert.throws(() => chooseAdapter(two, ''), { message: /^gpu '': it names no adapter \(/ })
  assert.throws(() => chooseAdapter(two, 1.5), { message: /^gpu '1.5': there is no adapter 1.5 \(/ })
  assert.throws(() => chooseAdapter({ adapters: [], notes: ['vulkan: no adapter'] }, '0'), { message: "gpu '0': there is no adapter 0 (no WebGPU adapter here: vulkan: no adapter)" })
})
