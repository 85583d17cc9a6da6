import { test, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { openComputeDevice, type ComputeDevice } from '../../src/compute/device.ts'
import { DeviceUnavailableError } from '../../src/compute/errors.ts'
import { InputError } from '../../src/errors.ts'
import { generateMatrix } from '../../src/compute/data/generate.ts'

const opened: ComputeDevice[] = []
afterEach(async () => {
  delete process.env.MESH_GPU
  for (const device of opened.splice(0)) await device.destroy()
})

async function open (prefer?: 'auto' | 'core' | 'compat' | 'cpu'): Promise<ComputeDevice> {
  const device = await openComputeDevice(prefer == null ? {} : { prefer })
  opened.push(device)
  return device
}

async function computesMatmul (device: ComputeDevice): Promise<void> {
  const b = generateMatrix(8, 8, 2)
  const out = await device.run({ kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: 4 }, rows: generateMatrix(4, 8, 1).data, rowCols: 8, shared: { b } })
  assert.equal(out.length, 32)
}

test('step 1, core adapter: used when present, otherwise a forced core step fails with the reason', async () => {
  try {
    const device = await open('core')
    assert.ok(['vulkan', 'metal', 'd3d12'].includes(device.info.backend))
    assert.equal(device.info.featureLevel, 'core')
    assert.deepEqual(device.info.fallbackReasons, [])
    await computesMatmul(device)
  } catch (err: any) {
    assert.ok(err instanceof DeviceUnavailableError, String(err))
    assert.match(err.message, /no core WebGPU adapter on (vulkan|metal|d3d12): .*\(prefer: 'core' allows no other device\)/)
  }
})

test('step 2, compatibility adapter on OpenGL ES, with the skipped core step as its reason', async () => {
  // The user need not know about EGL: the device's process gets EGL_PLATFORM=surfaceless when it is unset.
  const eglPlatform = process.env.EGL_PLATFORM
  delete process.env.EGL_PLATFORM
  const device = await open('compat').finally(() => { if (eglPlatform != null) process.env.EGL_PLATFORM = eglPlatform })
  assert.equal(device.info.backend, 'opengles')
  assert.equal(device.info.featureLevel, 'compatibility')
  assert.deepEqual(device.info.fallbackReasons, ["core adapter skipped (prefer: 'compat')"])
  assert.ok(device.info.limits.maxStorageBufferBindingSize >= 128 * 1024 * 1024)
  await computesMatmul(device)
})

test('step 3, the CPU reference, labelled as such', async () => {
  const device = await open('cpu')
  assert.equal(device.info.backend, 'cpu')
  assert.equal(device.info.featureLevel, 'cpu')
  assert.match(device.info.description, /CPU reference/)
  assert.deepEqual(device.info.fallbackReasons, ["GPU adapters skipped (prefer: 'cpu')"])
  await computesMatmul(device)
})

test('auto takes the first step that works and says why earlier ones were passed over', async () => {
  const device = await open('auto')
  if (device.info.featureLevel === 'core') {
    assert.deepEqual(device.info.fallbackReasons, [])
  } else {
    assert.equal(device.info.backend, 'opengles', `expected Mesa's adapter here: ${device.info.fallbackReasons.join('; ')}`)
    assert.equal(device.info.fallbackReasons.length, 1)
    assert.match(device.info.fallbackReasons[0]!, /^no core WebGPU adapter on /)
  }
})

test('MESH_GPU forces a step; an option given in code wins over it; a bad value is an input error', async () => {
  process.env.MESH_GPU = 'cpu'
  const fromEnv = await open()
  assert.equal(fromEnv.info.backend, 'cpu')
  assert.deepEqual(fromEnv.info.fallbackReasons, ['GPU adapters skipped (MESH_GPU=cpu)'])
  const overridden = await open('compat')
  assert.equal(overridden.info.backend, 'opengles')
  process.env.MESH_GPU = 'fastest'
  await assert.rejects(openComputeDevice(), (err: any) => err instanceof InputError && /MESH_GPU must be one of auto, core, compat, cpu \(got 'fastest'\)/.test(err.message))
})

test('a destroyed device refuses further work', async () => {
  const device = await openComputeDevice({ prefer: 'compat' })
  await device.destroy()
  await assert.rejects(computesMatmul(device), /device is lost|destroyed/)
})
