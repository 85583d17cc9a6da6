import type { Command, CommandContext } from '../command.ts'
import { UsageError, WorkError } from '../errors.ts'
import { benchmarkMatmul } from '../../compute/bench-matmul.ts'
import { openDevice } from './gpu.ts'

const MAX_SIZE = 8192

async function run (ctx: CommandContext): Promise<number> {
  const [kernel] = ctx.positionals
  if (kernel !== 'matmul') throw new UsageError(`bench: unknown benchmark '${kernel}' (available: matmul)`)
  const size = integerOption(ctx.options.size, '--size', 1, MAX_SIZE, 1024)
  const seed = integerOption(ctx.options.seed, '--seed', 0, 2 ** 32 - 1, 1)
  // In this thread: the benchmark times the kernel on the device object itself.
  const device = await openDevice(false)
  try {
    const result = await benchmarkMatmul(device, size, seed, ctx.signal)
    if (ctx.options.json === true) {
      ctx.out.json(result)
    } else {
      ctx.out.line(`matmul ${size}x${size}x${size} on ${result.backend} (${result.description})`)
      ctx.out.line(`  device    ${result.gflops} GFLOPS kernel, ${result.endToEndGflops} GFLOPS with upload and readback`)
      ctx.out.line(`  cpu       ${result.cpuGflops} GFLOPS (reference, ${result.checkedRows} rows)`)
      ctx.out.line(`  agreement max relative error ${result.maxRelError.toExponential(2)} (${result.ok ? 'within' : 'OUTSIDE'} tolerance)`)
    }
    if (!result.ok) throw new WorkError(`bench: the device's result differs from the CPU reference (max relative error ${result.maxRelError})`)
    return 0
  } finally {
    await device.destroy()
  }
}

function integerOption (value: unknown, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  const text = String(value).trim()
  const number = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`${flag} expects an integer from ${min} to ${max} (got '${String(value)}')`)
  }
  return number
}

export const benchCommand: Command = {
  name: 'bench',
  summary: "measure a kernel on this peer's compute device against the CPU reference",
  usage: 'matmul [--size N] [--seed S] [--json]',
  help: `Runs C = A x B at N x N x N (default 1024) on the chosen device and the CPU reference
on the same seeded inputs (sampled rows above 1024), and prints:
  gflops          the kernel with inputs on the device
  endToEndGflops  one chunk with upload and readback
  cpuGflops       the CPU reference
  maxRelError     max |device - cpu| / max |cpu|
  --json          one JSON object with these and backend, description
Exits 1 when the results disagree beyond the kernel's tolerance.`,
  options: { size: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1, names: 'BENCHMARK' },
  run
}
