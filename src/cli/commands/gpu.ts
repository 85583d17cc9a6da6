import type { Command, CommandContext } from '../command.ts'
import { WorkError } from '../errors.ts'
import { openComputeDevice, type ComputeDevice, type ComputeDeviceInfo } from '../../compute/device.ts'
import { DeviceUnavailableError } from '../../compute/errors.ts'
import { findSwiftShaderIcd } from '../../compute/device/loop-fallback.ts'

const MiB = 1024 * 1024

async function run (ctx: CommandContext): Promise<number> {
  const device = await openDevice()
  try {
    const info = device.info
    if (ctx.options.json === true) {
      ctx.out.json(info)
    } else {
      for (const line of describe(info)) ctx.out.line(line)
    }
    return 0
  } finally {
    await device.destroy()
  }
}

/** Opens the compute device; a device forced by MESH_GPU that is missing is a failure, said in one line. */
export async function openDevice (inWorker = true): Promise<ComputeDevice> {
  try {
    return await openComputeDevice({ inWorker })
  } catch (err) {
    if (err instanceof DeviceUnavailableError) throw new WorkError(err.message)
    throw err
  }
}

function describe (info: ComputeDeviceInfo): string[] {
  const { limits } = info
  return [
    `backend        ${info.backend} (${info.featureLevel})`,
    `adapter        ${info.description}`,
    ...(info.fallbackReasons.length === 0 ? ['fallbacks      none'] : info.fallbackReasons.map((r, i) => `${i === 0 ? 'fallbacks     ' : '              '} ${r}`)),
    `buffer limit   ${(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / MiB).toFixed(0)} MiB per storage binding`,
    `workgroups     ${limits.maxComputeWorkgroupsPerDimension} per dimension, ${limits.maxComputeInvocationsPerWorkgroup} invocations, ${(limits.maxComputeWorkgroupStorageSize / 1024).toFixed(0)} KiB shared memory`,
    ...(info.loopBudget === undefined
      ? []
      : [`loop budget    ${info.loopBudget == null
          ? 'none found (loops of 1,000,000 iterations ran to the end)'
          : `${info.loopBudget.toLocaleString('en-US')} iterations an invocation: kernels that loop more are refused here${findSwiftShaderIcd() != null ? ' and run on SwiftShader instead' : ' (install chromium for SwiftShader, which runs them)'}`}`])
  ]
}

export const gpuCommand: Command = {
  name: 'gpu',
  summary: 'show the compute device this peer uses and why',
  usage: '[--json]',
  help: `Opens the compute device the way every command does: a core WebGPU adapter (Vulkan,
Metal, D3D12); else a compatibility adapter on OpenGL ES (Mesa's software driver
where there is no GPU); else the CPU reference. Prints the choice, the reason each
better step was passed over, and the limits that bound chunk sizes.
  --json   one JSON object: backend, featureLevel, description, fallbackReasons, limits
Set MESH_GPU=core|compat|cpu to force one step.`,
  options: { json: { type: 'boolean' } },
  run
}
