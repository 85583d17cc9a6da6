import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runMesh } from '../helpers/run-mesh.ts'

function jsonLines (stdout: string): any[] {
  return stdout.trim().split('\n').filter(line => line !== '').map(line => JSON.parse(line))
}

test('mesh gpu --json prints one object naming a WebGPU backend and the limits for chunking', async () => {
  const { code, stdout, stderr } = await runMesh(['gpu', '--json'])
  assert.equal(code, 0, stderr)
  const lines = jsonLines(stdout)
  assert.equal(lines.length, 1)
  const info = lines[0]
  assert.notEqual(info.backend, 'cpu', `fell back to the CPU: ${info.fallbackReasons}`)
  assert.ok(['core', 'compatibility'].includes(info.featureLevel))
  assert.equal(typeof info.description, 'string')
  assert.ok(Array.isArray(info.fallbackReasons))
  for (const limit of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension']) {
    assert.ok(Number.isInteger(info.limits[limit]) && info.limits[limit] > 0, limit)
  }
})

test('MESH_GPU=cpu gives the CPU reference with its reason; a forced missing step or bad value fails in one line', async () => {
  const cpu = await runMesh(['gpu', '--json'], { env: { MESH_GPU: 'cpu' } })
  assert.equal(cpu.code, 0)
  assert.deepEqual(jsonLines(cpu.stdout)[0].fallbackReasons, ['GPU adapters skipped (MESH_GPU=cpu)'])

  const bad = await runMesh(['gpu'], { env: { MESH_GPU: 'fastest' } })
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /^mesh: MESH_GPU must be one of auto, core, compat, cpu \(got 'fastest'\)$/m)

  const core = await runMesh(['gpu', '--json'], { env: { MESH_GPU: 'core' } })
  if (core.code === 0) {
    assert.equal(jsonLines(core.stdout)[0].featureLevel, 'core')
  } else {
    assert.equal(core.code, 1)
    assert.match(core.stderr, /^mesh: no core WebGPU adapter on \w+: .*\(MESH_GPU=core allows no other device\)$/m)
    assert.equal(core.stdout, '')
  }
})

test('mesh gpu without --json prints the choice and the fallback reasons', async () => {
  const { code, stdout } = await runMesh(['gpu'], { env: { MESH_GPU: 'compat' } })
  assert.equal(code, 0)
  assert.match(stdout, /^backend +opengles \(compatibility\)$/m)
  assert.match(stdout, /^fallbacks +core adapter skipped \(MESH_GPU=compat\)$/m)
})

test('mesh bench matmul --size 64 --json agrees with the CPU reference', async () => {
  const { code, stdout, stderr } = await runMesh(['bench', 'matmul', '--size', '64', '--json'])
  assert.equal(code, 0, stderr)
  const [result] = jsonLines(stdout)
  assert.equal(result.kernel, 'matmul')
  assert.equal(result.size, 64)
  assert.notEqual(result.backend, 'cpu')
  assert.ok(result.maxRelError <= 1e-4, `maxRelError ${result.maxRelError}`)
  assert.ok(result.ok)
  for (const figure of ['gflops', 'cpuGflops', 'endToEndGflops']) assert.ok(result[figure] > 0, figure)
  console.log(`bench matmul 64 on ${result.backend}: ${result.gflops} GFLOPS, cpu ${result.cpuGflops}`)
})

test('mesh bench refuses unknown benchmarks and bad sizes with exit 2', async () => {
  const unknown = await runMesh(['bench', 'fft'])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /^mesh: bench: unknown benchmark 'fft' \(available: matmul\)$/m)
  for (const size of ['abc', '0', '12x', '99999']) {
    const bad = await runMesh(['bench', 'matmul', '--size', size])
    assert.equal(bad.code, 2, size)
    assert.match(bad.stderr, /--size expects an integer from 1 to 8192/)
  }
  const missing = await runMesh(['bench'])
  assert.equal(missing.code, 2)
})
