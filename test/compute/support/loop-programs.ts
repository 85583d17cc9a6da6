import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { GpuProgramSource } from '../../../src/compute/gpu-program.ts'
import type { GpuComputeDevice } from '../../../src/compute/device/gpu-device.ts'

/** The binding layout of the test programs (that of GpuDispatch with one unused input). */
export const HEADER = `@group(0) @binding(0) var<uniform> u: vec4<u32>;
@group(0) @binding(1) var<storage, read> dummy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
`
/**
 * HEADER and `body`, whose `fn main(...) {` gets `_ = dummy[0]; _ = u;`: bindings
 * must be used for the pipeline's automatic layout to have them.
 */
export function withHeader (body: string): string {
  const uses = body.replace(/(fn main\([\s\S]*?\)\s*\{)/, '$1 _ = dummy[0]; _ = u;')
  if (uses === body) throw new Error('a test program needs an fn main')
  return HEADER + uses
}

/** The guard's statement in the tests: a flag in the output's last element. */
export const ON_CUT = 'out[arrayLength(&out) - 1u] = 1.0;'
export const OUTPUT_LENGTH = 8

export interface TestProgram {
  readonly name: string
  /** The module without HEADER. */
  readonly body: string
  readonly uniforms: readonly number[]
}

let runs = 0

/** A fresh key per call: each run gets new (zeroed) buffers, so no flag of an earlier run is read back. */
export function source (name: string, code: string): GpuProgramSource {
  return { key: `loop-test-${name}-${hash(code)}-${runs++}`, code, entryPoint: 'main' }
}

/** Runs `code` as one workgroup with the layout of HEADER. */
export async function runProgram (device: GpuComputeDevice, name: string, code: string, uniforms: readonly number[], outputLength = OUTPUT_LENGTH): Promise<number[]> {
  const out = await device.runDispatch({
    program: source(name, code),
    uniforms: new Uint32Array(uniforms),
    inputs: [{ data: new Float32Array(4), immutable: false }],
    outputLength,
    workgroups: [1, 1, 1]
  })
  return Array.from(out)
}

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json'
export const swiftShaderMissing = existsSync(SWIFTSHADER_ICD) ? undefined : `no SwiftShader Vulkan ICD at ${SWIFTSHADER_ICD} (Debian's chromium package ships it)`

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../../..')

/** Runs test/compute/support/loop-child.ts on SwiftShader (Vulkan, core) with `request` on its stdin; resolves to its JSON answer. */
export async function onSwiftShader<T> (request: unknown): Promise<T> {
  const env = {
    ...process.env,
    PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    MESH_GPU: 'core'
  }
  return await new Promise<T>((resolve, reject) => {
    const child = execFile('node', ['--import', 'tsx', path.join(here, 'loop-child.ts')], { env, cwd: root, maxBuffer: 16 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err != null) { reject(new Error(`${err.message}\n${stderr}`)); return }
      const line = stdout.split('\n').find(l => l.startsWith('RESULT '))
      if (line == null) { reject(new Error(`no result from the SwiftShader child:\n${stdout}\n${stderr}`)); return }
      resolve(JSON.parse(line.slice('RESULT '.length)) as T)
    })
    child.stdin!.end(JSON.stringify(request))
  })
}

function hash (text: string): string {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0
  return h.toString(16)
}
