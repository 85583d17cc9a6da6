// Runs loop test programs (or the loop probe) on the device selected by the
// environment (the tests set VK_ICD_FILENAMES to SwiftShader and MESH_GPU=core)
// and prints `RESULT <json>`. Request on stdin:
//   { "mode": "run", "programs": [{ "name", "code", "uniforms" }] }  ->  { description, outputs: number[][] }
//   { "mode": "probe" }                                             ->  { description, loopBudget, probe }
import { selectComputeDevice } from '../../../src/compute/device/select.ts'
import { GpuComputeDevice } from '../../../src/compute/device/gpu-device.ts'
import { probeLoopBudget } from '../../../src/compute/device/loop-probe.ts'
import { runProgram } from './loop-programs.ts'

const chunks: Buffer[] = []
for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as
  | { mode: 'run', programs: Array<{ name: string, code: string, uniforms: number[] }> }
  | { mode: 'probe' }

const device = await selectComputeDevice()
if (!(device instanceof GpuComputeDevice)) throw new Error(`no GPU device: ${device.info.description}`)
try {
  const description = device.info.description
  if (request.mode === 'probe') {
    const result = await probeLoopBudget(async (program, uniforms, outputLength) => await device.runDispatch({
      program, uniforms, inputs: [{ data: new Float32Array(4), immutable: false }], outputLength, workgroups: [1, 1, 1]
    }))
    console.log(`RESULT ${JSON.stringify({ description, ...result })}`)
  } else {
    const outputs: number[][] = []
    for (const p of request.programs) outputs.push(await runProgram(device, p.name, p.code, p.uniforms))
    console.log(`RESULT ${JSON.stringify({ description, outputs })}`)
  }
} finally {
  await device.destroy()
}
