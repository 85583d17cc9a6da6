import type { GpuProgramSource } from '../../gpu-program.ts'
import { randomWgsl } from '../../random/philox-wgsl.ts'
import type { ReduceOp } from '../../reduce.ts'
import type { WgslParams } from './params.ts'
import { STATE_INPUT } from '../../rounds.ts'

/** Invocations per workgroup (a power of two: the reduction halves it), and workgroups per dispatch row. */
export const WGSL_WORKGROUP_SIZE = 64
export const WGSL_MAX_GROUPS_X = 65535

/** The signature researchers implement; said with every error outside their code. */
export const WGSL_SIGNATURE = 'fn compute_item(i: u32) -> array<f32, OUT_COLS>'

/** The mesh's own fields at the start of the `Params` uniform, before the researcher's params. */
export const MESH_UNIFORM_FIELDS = ['mesh_item_start', 'mesh_item_count', 'mesh_groups_x', 'mesh_seed_lo', 'mesh_seed_hi'] as const

/** Shapes the program is specialised for: the dataset's columns (0: index-only) and each shared input's. */
export interface ProgramShapes {
  readonly inCols: number
  readonly shared: ReadonlyArray<{ readonly name: string, readonly rows: number, readonly cols: number }>
}

const combine: Record<ReduceOp, (a: string, b: string) => string> = {
  sum: (a, b) => `${a} + ${b}`,
  min: (a, b) => `min(${a}, ${b})`,
  max: (a, b) => `max(${a}, ${b})`
}

/**
 * Wraps the researcher's compute_item into a complete compute shader. One
 * invocation computes one item of the chunk. Without a reduction it writes
 * the item's row of the output; with one, each workgroup folds its items'
 * rows in workgroup memory and writes one partial row, which the device
 * folds into the chunk's single row. Bindings: 0 the `Params` uniform,
 * 1 the chunk's dataset rows, 2.. the shared inputs in order, then the
 * output. Names starting with `mesh_` belong to the wrapper.
 */
export function wgslProgram (params: WgslParams, shapes: ProgramShapes): GpuProgramSource {
  const constants = [
    `const ITEMS: u32 = ${params.items}u;`,
    `const OUT_COLS: u32 = ${params.outCols}u;`,
    ...(shapes.inCols > 0 ? [`const IN_COLS: u32 = ${shapes.inCols}u;`] : []),
    ...(params.image == null ? [] : [`const IMAGE_WIDTH: u32 = ${params.image.width}u;`, `const IMAGE_HEIGHT: u32 = ${params.image.height}u;`]),
    // A rounds project's state is STATE_ROWS x STATE_COLS (its name is the mesh's; the researcher's inputs keep theirs).
    ...shapes.shared.flatMap(s => {
      const prefix = s.name === STATE_INPUT ? 'STATE' : s.name
      return [`const ${prefix}_ROWS: u32 = ${s.rows}u;`, `const ${prefix}_COLS: u32 = ${s.cols}u;`]
    })
  ]
  const outputBinding = 2 + shapes.shared.length
  const declarations = [
    'struct Params {',
    ...MESH_UNIFORM_FIELDS.map(name => `  ${name}: u32,`),
    ...(params.rounds != null ? ['  round: u32,'] : []),
    ...params.params.map(p => `  ${p.name}: ${p.type},`),
    '}',
    '@group(0) @binding(0) var<uniform> params: Params;',
    '@group(0) @binding(1) var<storage, read> mesh_data: array<f32>;',
    ...shapes.shared.map((s, i) => `@group(0) @binding(${2 + i}) var<storage, read> ${s.name}: array<f32>;`),
    `@group(0) @binding(${outputBinding}) var<storage, read_write> mesh_output: array<f32>;`,
    ...(shapes.inCols > 0
      ? [
          'fn data_row(i: u32) -> array<f32, IN_COLS> {',
          '  let mesh_base = (i - params.mesh_item_start) * IN_COLS;',
          '  var mesh_row: array<f32, IN_COLS>;',
          '  for (var mesh_j = 0u; mesh_j < IN_COLS; mesh_j++) { mesh_row[mesh_j] = mesh_data[mesh_base + mesh_j]; }',
          '  return mesh_row;',
          '}'
        ]
      : []),
    randomWgsl('vec2<u32>(params.mesh_seed_lo, params.mesh_seed_hi)')
  ]
  const preamble = [...constants, ...declarations.join('\n').split('\n')]
  const user = params.wgsl.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n')
  // Every binding is used, so the pipeline's automatic layout keeps them all.
  const touch = ['mesh_data', ...shapes.shared.map(s => s.name)].map(name => `  _ = arrayLength(&${name});`)
  const entry = params.reduce == null ? itemsEntry(touch) : reduceEntry(touch, params.reduce)
  return {
    key: `wgsl/${shapes.inCols}/${shapes.shared.map(s => `${s.name}:${s.rows}x${s.cols}`).join(',')}/${JSON.stringify({ ...params, seed: undefined })}`,
    code: [...preamble, ...user, ...entry].join('\n') + '\n',
    entryPoint: 'mesh_main',
    output: { variable: 'mesh_output', element: 'f32' },
    userCode: { firstLine: preamble.length + 1, lineCount: user.length, hint: `the WGSL must define ${WGSL_SIGNATURE}` }
  }
}

const builtins = '@builtin(global_invocation_id) mesh_id: vec3<u32>, @builtin(local_invocation_index) mesh_lid: u32, @builtin(workgroup_id) mesh_wid: vec3<u32>'

function itemsEntry (touch: string[]): string[] {
  return [
    `@compute @workgroup_size(${WGSL_WORKGROUP_SIZE})`,
    `fn mesh_main(${builtins}) {`,
    ...touch,
    `  let mesh_local = mesh_id.y * params.mesh_groups_x * ${WGSL_WORKGROUP_SIZE}u + mesh_id.x;`,
    '  if (mesh_local >= params.mesh_item_count) { return; }',
    '  let mesh_out: array<f32, OUT_COLS> = compute_item(params.mesh_item_start + mesh_local);',
    '  for (var mesh_j = 0u; mesh_j < OUT_COLS; mesh_j++) { mesh_output[mesh_local * OUT_COLS + mesh_j] = mesh_out[mesh_j]; }',
    '}'
  ]
}

/**
 * A tree reduction per output column, unrolled: log2(WGSL_WORKGROUP_SIZE)
 * halvings with a barrier each. A lane folds in its partner only when the
 * partner holds an item of the chunk, so the last workgroup's idle lanes
 * need no identity value (WGSL has no infinity literal for min and max).
 */
function reduceEntry (touch: string[], op: ReduceOp): string[] {
  const halvings: string[] = []
  for (let stride = WGSL_WORKGROUP_SIZE / 2; stride >= 1; stride /= 2) {
    halvings.push(
      `    if (mesh_lid + ${stride}u < mesh_valid && mesh_lid < ${stride}u) { mesh_partial[mesh_lid] = ${combine[op]('mesh_partial[mesh_lid]', `mesh_partial[mesh_lid + ${stride}u]`)}; }`,
      '    workgroupBarrier();'
    )
  }
  return [
    `var<workgroup> mesh_partial: array<f32, ${WGSL_WORKGROUP_SIZE}>;`,
    `@compute @workgroup_size(${WGSL_WORKGROUP_SIZE})`,
    `fn mesh_main(${builtins}) {`,
    ...touch,
    `  let mesh_local = mesh_id.y * params.mesh_groups_x * ${WGSL_WORKGROUP_SIZE}u + mesh_id.x;`,
    '  let mesh_group = mesh_wid.y * params.mesh_groups_x + mesh_wid.x;',
    `  let mesh_valid = min(${WGSL_WORKGROUP_SIZE}u, params.mesh_item_count - mesh_group * ${WGSL_WORKGROUP_SIZE}u);`,
    '  var mesh_out: array<f32, OUT_COLS>;',
    '  if (mesh_local < params.mesh_item_count) { mesh_out = compute_item(params.mesh_item_start + mesh_local); }',
    '  for (var mesh_c = 0u; mesh_c < OUT_COLS; mesh_c++) {',
    '    mesh_partial[mesh_lid] = mesh_out[mesh_c];',
    '    workgroupBarrier();',
    ...halvings,
    '    if (mesh_lid == 0u) { mesh_output[mesh_group * OUT_COLS + mesh_c] = mesh_partial[0]; }',
    '    workgroupBarrier();',
    '  }',
    '}'
  ]
}
