import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { probeLoopBudget, type LoopBudgetProbe } from '../../src/compute/device/loop-probe.ts'
import { selectComputeDevice } from '../../src/compute/device/select.ts'
import { GpuComputeDevice } from '../../src/compute/device/gpu-device.ts'
import type { ComputeDevice } from '../../src/compute/device.ts'
import { onSwiftShader, swiftShaderMissing } from './support/loop-programs.ts'

let device: ComputeDevice | undefined
before(async () => { device = await selectComputeDevice() })
after(async () => { await device?.destroy() })

test('the budget is reported from the cut counts the run returns', async () => {
  // A fake device cutting every invocation's loops at 1000 iterations in all, as llvmpipe does at 65,535.
  const fake = async (budget: number | null): Promise<{ loopBudget: number | null, probe: LoopBudgetProbe }> =>
    await probeLoopBudget(async (program, uniforms, outputLength) => {
      assert.match(program.code, /@group\(0\) @binding\(0\) var<uniform> u: vec4<u32>;/)
      assert.match(program.code, /@workgroup_size\(1\)/)
      assert.equal(uniforms.length, 4)
      const total = program.key.includes('nested') || program.key.includes('sequence')
        ? (program.key.includes('nested') ? uniforms[0]! * uniforms[1]! : uniforms[0]! + uniforms[1]!)
        : uniforms[0]!
      const out = new Float32Array(outputLength)
      out[0] = budget == null ? total : Math.min(total, budget)
      return out
    })
  assert.deepEqual(await fake(null), { loopBudget: null, probe: { single: null, nested: null, sequence: null } })
  assert.deepEqual(await fake(1000), { loopBudget: 1000, probe: { single: 1000, nested: 1000, sequence: 1000 } })
  assert.deepEqual(await fake(1_000_000 - 5), { loopBudget: 999_995, probe: { single: 999_995, nested: 999_995, sequence: null } })
})

test('llvmpipe: a budget of about 65,535 iterations, shared by nested and in-sequence loops', async (t) => {
  if (!(device instanceof GpuComputeDevice) || !/llvmpipe/i.test(device.info.description)) {
    t.skip(`not llvmpipe (${device?.info.description ?? ''})`)
    return
  }
  const gpu = device
  const result = await probeLoopBudget(async (program, uniforms, outputLength) => await gpu.runDispatch({
    program, uniforms, inputs: [{ data: new Float32Array(4), immutable: false }], outputLength, workgroups: [1, 1, 1]
  }))
  t.diagnostic(`llvmpipe: ${JSON.stringify(result)}`)
  assert.ok(result.loopBudget != null && result.loopBudget > 60_000 && result.loopBudget <= 65_536, JSON.stringify(result))
  assert.equal(result.loopBudget, result.probe.single)
  for (const n of [result.probe.nested, result.probe.sequence]) assert.ok(n != null && n > 60_000 && n < 70_000, JSON.stringify(result))
})

test('SwiftShader: no budget', async (t) => {
  if (swiftShaderMissing != null) { t.skip(swiftShaderMissing); return }
  const result = await onSwiftShader<{ description: string, loopBudget: number | null, probe: LoopBudgetProbe }>({ mode: 'probe' })
  t.diagnostic(`SwiftShader: ${JSON.stringify(result)}`)
  assert.match(result.description, /swiftshader/i)
  assert.deepEqual({ loopBudget: result.loopBudget, probe: result.probe }, { loopBudget: null, probe: { single: null, nested: null, sequence: null } })
})
