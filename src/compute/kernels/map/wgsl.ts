import type { GpuProgramSource } from '../../gpu-program.ts'

/** Invocations per workgroup, and workgroups per dispatch row (WebGPU's minimum limit). */
export const MAP_WORKGROUP_SIZE = 64
export const MAP_MAX_GROUPS_X = 65535

/** The signature researchers implement; said with every error outside their code. */
export const MAP_SIGNATURE = 'fn map_row(row: array<f32, IN_COLS>) -> array<f32, OUT_COLS>'

/**
 * Wraps the researcher's function into a complete compute shader: one
 * invocation per row copies the row into an array, calls map_row and writes
 * the returned row. Names starting with `mesh_` belong to the wrapper.
 */
export function mapProgram (userWgsl: string, inCols: number, outCols: number): GpuProgramSource {
  const preamble = [
    `const IN_COLS: u32 = ${inCols}u;`,
    `const OUT_COLS: u32 = ${outCols}u;`
  ]
  const user = userWgsl.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n')
  const wrapper = [
    'struct MeshMapParams { rows: u32, groups_x: u32 }',
    '@group(0) @binding(0) var<uniform> mesh_params: MeshMapParams;',
    '@group(0) @binding(1) var<storage, read> mesh_input: array<f32>;',
    '@group(0) @binding(2) var<storage, read_write> mesh_output: array<f32>;',
    `@compute @workgroup_size(${MAP_WORKGROUP_SIZE})`,
    'fn mesh_main(@builtin(global_invocation_id) mesh_id: vec3<u32>) {',
    `  let mesh_row = mesh_id.y * mesh_params.groups_x * ${MAP_WORKGROUP_SIZE}u + mesh_id.x;`,
    '  if (mesh_row >= mesh_params.rows) { return; }',
    '  var mesh_in: array<f32, IN_COLS>;',
    '  for (var j = 0u; j < IN_COLS; j++) { mesh_in[j] = mesh_input[mesh_row * IN_COLS + j]; }',
    '  let mesh_out: array<f32, OUT_COLS> = map_row(mesh_in);',
    '  for (var j = 0u; j < OUT_COLS; j++) { mesh_output[mesh_row * OUT_COLS + j] = mesh_out[j]; }',
    '}'
  ]
  return {
    key: `map/${inCols}/${outCols}/${userWgsl}`,
    code: [...preamble, ...user, ...wrapper].join('\n') + '\n',
    entryPoint: 'mesh_main',
    output: { variable: 'mesh_output', element: 'f32' },
    userCode: { firstLine: preamble.length + 1, lineCount: user.length, hint: `the WGSL must define ${MAP_SIGNATURE}` }
  }
}
