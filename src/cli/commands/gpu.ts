import type { Command, CommandContext } from '../command.ts'
import { UsageError, WorkError } from '../errors.ts'
import { listComputeAdapters, openComputeDevice, type ComputeAdapter, type ComputeDevice, type ComputeDeviceInfo } from '../../compute/device.ts'
import { DeviceUnavailableError } from '../../compute/errors.ts'
import { findSwiftShaderIcd } from '../../compute/device/loop-fallback.ts'

const MiB = 1024 * 1024

async function run (ctx: CommandContext): Promise<number> {
  const gpu = ctx.options.gpu as string | undefined
  if (ctx.options.all === true) {
    if (gpu != null) throw new UsageError('gpu: --all lists every adapter and --gpu opens one: give one of them')
    return await listAll(ctx)
  }
  const device = await openDevice(true, gpu)
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

/** `mesh gpu --all`: every adapter WebGPU offers here, numbered as --gpu takes them. */
async function listAll (ctx: CommandContext): Promise<number> {
  const { adapters, notes } = await listComputeAdapters()
  if (ctx.options.json === true) {
    for (const adapter of adapters) ctx.out.json(adapter)
    for (const note of notes) ctx.out.info(note)
    return 0
  }
  for (const adapter of adapters) for (const line of describeAdapter(adapter)) ctx.out.line(line)
  for (const note of notes) ctx.out.line(note)
  if (adapters.length > 0) ctx.out.line('--gpu N or --gpu NAME (text of its name or description) picks one')
  return 0
}

/** Opens the compute device; a device forced by MESH_GPU (or a gpu choice) that is missing is a failure, said in one line. */
export async function openDevice (inWorker = true, gpu?: string): Promise<ComputeDevice> {
  try {
    return await openComputeDevice({ inWorker, ...(gpu != null ? { gpu } : {}) })
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

function describeAdapter (adapter: ComputeAdapter): string[] {
  const { limits } = adapter
  return [
    `${String(adapter.index).padEnd(3)}${adapter.name !== '' ? adapter.name : adapter.description}`,
    `   backend        ${adapter.backend} (${adapter.featureLevel})${adapter.fallbackAdapter ? ', fallback adapter' : ''}`,
    `   vendor         ${adapter.vendor !== '' ? adapter.vendor : '(none given)'}`,
    `   description    ${adapter.description}`,
    `   buffer limit   ${(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / MiB).toFixed(0)} MiB per storage binding, ${(limits.maxBufferSize / MiB).toFixed(0)} MiB per buffer`,
    `   workgroups     ${limits.maxComputeWorkgroupsPerDimension} per dimension, ${limits.maxComputeInvocationsPerWorkgroup} invocations, ${(limits.maxComputeWorkgroupStorageSize / 1024).toFixed(0)} KiB shared memory`,
    ...(adapter.sameName > 1 ? [`   note           ${adapter.sameName} adapters of this name on ${adapter.backend}: only the first can be chosen`] : [])
  ]
}

export const gpuCommand: Command = {
  name: 'gpu',
  summary: 'show the compute device this peer uses and why',
  usage: '[--all] [--gpu N|NAME] [--json]',
  help: `Opens the compute device the way every command does: a core WebGPU adapter (Vulkan,
Metal, D3D12); else a compatibility adapter on OpenGL ES (Mesa's software driver
where there is no GPU); else the CPU reference. Prints the choice, the reason each
better step was passed over, and the limits that bound chunk sizes.
  --all            list every adapter WebGPU offers here instead: index, name, backend,
                   feature level, fallback adapter or not, vendor, description, limits
  --gpu N|NAME     open that adapter (index in --all's list, or text of its name or
                   description, any case) instead of the automatic choice
  --json           one JSON object: backend, featureLevel, description, fallbackReasons,
                   limits (with --all: one per adapter)
Set MESH_GPU=core|compat|cpu to force one step.`,
  options: { json: { type: 'boolean' }, all: { type: 'boolean' }, gpu: { type: 'string' } },
  run
}
