import { KernelInputError } from '../../kernel.ts'
import type { ImageSize } from '../../kernel.ts'
import type { Tolerance } from '../../verify.ts'
import { MAX_ROW_COLS, MAX_WGSL_BYTES, parseTolerance } from '../map/params.ts'
import { REDUCE_OPS, type ReduceOp } from '../../reduce.ts'
import { parseRoundsParams, type RoundsParams } from '../../rounds.ts'


export type ParamType = 'f32' | 'u32' | 'i32'

/** A named scalar the researcher's WGSL reads as `params.NAME`. */
export interface WgslParam {
  readonly name: string
  readonly type: ParamType
  readonly value: number
}


/**
 * The general kernel's params: the researcher's WGSL defining
 * `fn compute_item(i: u32) -> array<f32, OUT_COLS>`, what it may read
 * (its dataset row, shared inputs, params, random numbers) and how the
 * items' outputs combine.
 */
export interface WgslParams {
  readonly wgsl: string
  /** Items of the project: the rows of its `data` input (which has no columns in an index-only project). */
  readonly items: number
  readonly outCols: number
  /** Names of the shared inputs, in binding order. */
  readonly shared: readonly string[]
  readonly params: readonly WgslParam[]
  /** The Philox key: a u64, as a decimal string so JSON keeps every bit. */
  readonly seed: string
  readonly reduce?: ReduceOp
  readonly image?: ImageSize
  /** The researcher's count for credit and throughput; absent means unknown (never invented). */
  readonly flopsPerItem?: number
  readonly tolerance: Tolerance
  /**
   * An iterative project: items read the round's `state` (STATE_ROWS x
   * STATE_COLS) and `params.round`; a chunk sums its items' rows (reduce is
   * sum) and the researcher folds the chunks' rows with the aggregator.
   */
  readonly rounds?: RoundsParams
}

/** Items fit the WGSL u32 index; item i of a chunk is rowStart + local index. */
export const MAX_ITEMS = 2 ** 32 - 1
export const MAX_SHARED_INPUTS = 6
export const MAX_PARAMS = 64
export const MAX_IMAGE_SIDE = 16384
export const MAX_SEED = (1n << 64n) - 1n

/** Names the mesh defines in the program; the researcher's names must differ. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'ITEMS', 'OUT_COLS', 'IN_COLS', 'IMAGE_WIDTH', 'IMAGE_HEIGHT', 'params', 'Params', 'data_row', 'compute_item',
  'random_u32x4', 'random_uniform4', 'random_normal4', 'data', 'state', 'round'
])

/** WGSL's reserved words, which are not identifiers either (a subset large enough for names people pick). */
const WGSL_KEYWORDS = new Set([
  'alias', 'break', 'case', 'const', 'const_assert', 'continue', 'continuing', 'default', 'diagnostic', 'discard', 'else',
  'enable', 'false', 'fn', 'for', 'if', 'let', 'loop', 'override', 'requires', 'return', 'struct', 'switch', 'true', 'var', 'while',
  'f32', 'f16', 'i32', 'u32', 'bool', 'vec2', 'vec3', 'vec4', 'mat2x2', 'mat3x3', 'mat4x4', 'array', 'ptr', 'atomic', 'sampler', 'texture_2d',
  // reserved words
  'ref', 'shared', 'handle', 'self', 'static', 'super', 'this', 'type', 'typedef', 'typeof', 'unsafe', 'where', 'yield', 'module',
  'new', 'null', 'private', 'public', 'function', 'uniform', 'storage', 'workgroup', 'async', 'await', 'export', 'import', 'in', 'out',
  'inline', 'mut', 'namespace', 'package', 'sizeof', 'union', 'using', 'virtual', 'volatile', 'with', 'goto', 'do', 'try', 'catch', 'throw'
])

/** A name the researcher chose: a WGSL identifier, not reserved by WGSL or the mesh, not `mesh_`-prefixed. */
export function checkName (name: string, what: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(name)) {
    throw new KernelInputError(`${what} name '${name}' is not a WGSL identifier (a letter, then letters, digits or _; at most 32)`)
  }
  if (WGSL_KEYWORDS.has(name)) throw new KernelInputError(`${what} name '${name}' is a WGSL keyword`)
  if (RESERVED_NAMES.has(name) || name.startsWith('mesh_') || /_(ROWS|COLS)$/.test(name)) {
    throw new KernelInputError(`${what} name '${name}' clashes with a name the mesh defines (reserved: ${[...RESERVED_NAMES].join(', ')}, mesh_*, *_ROWS, *_COLS)`)
  }
}

/** Checks a param value against its WGSL type; throws naming the param. */
export function checkParamValue (name: string, type: ParamType, value: number): void {
  const fits = type === 'f32'
    ? Number.isFinite(value) && Math.abs(value) <= 3.4028234663852886e38
    : Number.isInteger(value) && (type === 'u32' ? value >= 0 && value <= 0xFFFFFFFF : value >= -(2 ** 31) && value <= 2 ** 31 - 1)
  if (!fits) throw new KernelInputError(`param ${name}: ${value} is not a ${type === 'f32' ? 'finite f32' : type} value`)
}

export function parseWgslParams (value: unknown): WgslParams {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KernelInputError('wgsl params must be an object { wgsl, items, outCols, shared, params, seed, reduce?, image?, flopsPerItem?, tolerance?, rounds? }')
  }
  const { wgsl, items, outCols, shared, params, seed, reduce, image, flopsPerItem, tolerance, rounds, ...rest } = value as Record<string, unknown>
  const extra = Object.keys(rest)
  if (extra.length > 0) throw new KernelInputError(`wgsl: unknown params ${extra.join(', ')}`)
  if (typeof wgsl !== 'string' || wgsl.trim() === '') throw new KernelInputError('wgsl: params.wgsl must be the WGSL source of fn compute_item')
  if (new TextEncoder().encode(wgsl).byteLength > MAX_WGSL_BYTES) throw new KernelInputError(`wgsl: the WGSL source is over ${MAX_WGSL_BYTES / 1024} KiB`)
  if (typeof items !== 'number' || !Number.isInteger(items) || items < 1 || items > MAX_ITEMS) {
    throw new KernelInputError(`wgsl: items must be an integer from 1 to ${MAX_ITEMS} (got ${String(items)})`)
  }
  if (typeof outCols !== 'number' || !Number.isInteger(outCols) || outCols < 1 || outCols > MAX_ROW_COLS) {
    throw new KernelInputError(`wgsl: out cols must be an integer from 1 to ${MAX_ROW_COLS} (got ${String(outCols)})`)
  }
  const roundsParams = rounds == null ? undefined : parseRoundsParams(rounds)
  if (roundsParams != null && (image != null || (reduce != null && reduce !== 'sum'))) {
    throw new KernelInputError('a rounds project sums its items within each chunk (--reduce sum); it cannot take --image or another --reduce')
  }
  return {
    wgsl,
    items,
    outCols,
    shared: parseShared(shared),
    params: parseParamList(params),
    seed: parseSeed(seed),
    ...parseLayout(roundsParams != null ? 'sum' : reduce, image, items, outCols),
    ...(roundsParams != null ? { rounds: roundsParams } : {}),
    ...(flopsPerItem == null ? {} : { flopsPerItem: parseFlopsPerItem(flopsPerItem) }),
    tolerance: parseTolerance(tolerance, 'wgsl')
  }
}

function parseShared (value: unknown): string[] {
  if (value == null) return []
  if (!Array.isArray(value) || !value.every(v => typeof v === 'string')) throw new KernelInputError('wgsl: params.shared must be a list of input names')
  if (value.length > MAX_SHARED_INPUTS) throw new KernelInputError(`wgsl: at most ${MAX_SHARED_INPUTS} shared inputs (got ${value.length})`)
  const seen = new Set<string>()
  for (const name of value) {
    checkName(name, 'shared input')
    if (seen.has(name)) throw new KernelInputError(`shared input '${name}' is given twice`)
    seen.add(name)
  }
  return value
}

function parseParamList (value: unknown): WgslParam[] {
  if (value == null) return []
  if (!Array.isArray(value)) throw new KernelInputError('wgsl: params.params must be a list of { name, type, value }')
  if (value.length > MAX_PARAMS) throw new KernelInputError(`wgsl: at most ${MAX_PARAMS} params (got ${value.length})`)
  const seen = new Set<string>()
  return value.map((entry: any) => {
    const { name, type, value: v } = entry ?? {}
    if (typeof name !== 'string') throw new KernelInputError('wgsl: every param needs a name')
    checkName(name, 'param')
    if (seen.has(name)) throw new KernelInputError(`param '${name}' is given twice`)
    seen.add(name)
    if (type !== 'f32' && type !== 'u32' && type !== 'i32') throw new KernelInputError(`param ${name}: type must be f32, u32 or i32 (got ${String(type)})`)
    if (typeof v !== 'number') throw new KernelInputError(`param ${name}: the value must be a number`)
    checkParamValue(name, type, v)
    return { name, type, value: v }
  })
}

/** Seeds are u64; a number or a decimal string is accepted, a string is kept. */
export function parseSeed (value: unknown): string {
  if (value == null) return '0'
  const text = typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : '') : typeof value === 'string' ? value.trim() : ''
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > MAX_SEED) throw new KernelInputError(`seed must be an integer from 0 to 2^64 - 1 (got ${String(value)})`)
  return BigInt(text).toString()
}

function parseLayout (reduce: unknown, image: unknown, items: number, outCols: number): { reduce?: ReduceOp, image?: ImageSize } {
  if (reduce != null && image != null) throw new KernelInputError('--reduce and --image cannot be combined: an image keeps one output per pixel')
  if (reduce != null) {
    if (!(REDUCE_OPS as readonly unknown[]).includes(reduce)) throw new KernelInputError(`reduce must be one of ${REDUCE_OPS.join(', ')} (got ${String(reduce)})`)
    return { reduce: reduce as ReduceOp }
  }
  if (image != null) {
    const { width, height } = image as Record<string, unknown>
    const side = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_IMAGE_SIDE
    if (!side(width) || !side(height)) throw new KernelInputError(`image size must be WxH with sides from 1 to ${MAX_IMAGE_SIDE}`)
    if (![1, 3, 4].includes(outCols)) throw new KernelInputError(`an image needs out cols 1 (grey), 3 (RGB) or 4 (RGBA); got ${outCols}`)
    if (width * height !== items) throw new KernelInputError(`an image of ${width}x${height} has ${width * height} pixels, but the project has ${items} items`)
    return { image: { width, height } }
  }
  return {}
}

export function parseFlopsPerItem (value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new KernelInputError(`flops per item must be a finite number of at least 0 (got ${String(value)})`)
  }
  return value
}
