import { InputError } from '../errors.ts'
import { MAX_IMAGE_SIDE, MAX_ITEMS, parseSeed } from '../compute/kernels/wgsl/params.ts'
import { parseParamText, parseSharedText } from '../compute/kernels/wgsl/spec-text.ts'
import type { ReduceOp } from '../compute/reduce.ts'
import type { PublishSpec } from './mesh-port.ts'
import { FieldReader } from './form-reader.ts'
import {
  kmeansFieldIds, kmeansFromForm, roundsDefaultValues, roundsFieldSpecs, roundsKernelText, trainFieldIds, trainFromForm,
  wgslRoundsFieldIds, wgslRoundsFromForm, type FormCommon, type RoundsFieldId
} from './publish-form-rounds.ts'

/**
 * The publish form as data: which fields show for the chosen kernel and
 * inputs, their text, and turning that text into a PublishSpec. Only the
 * form's own syntax is checked here (numbers are numbers, `NAME=FILE` lists
 * parse, by the rules of `mesh publish`); files, shapes and WGSL are checked
 * by the peer's validatePublish before anything is announced. The fields of
 * iterative projects (wgsl in rounds, kmeans, train) are in publish-form-rounds.ts.
 */

export type FieldId =
  | 'name' | 'kernel' | 'source' | 'size' | 'shape' | 'seed' | 'aPath' | 'bPath'
  | 'wgslPath' | 'itemsFrom' | 'items' | 'dataPath' | 'outCols' | 'shared' | 'params' | 'output' | 'imageSize'
  | 'flopsPerItem' | 'secondsPerChunk' | 'rowsPerChunk' | 'redundancy' | 'spotCheck' | 'submit' | RoundsFieldId

export interface FieldSpec {
  readonly id: FieldId
  readonly label: string
  readonly kind: 'text' | 'choice' | 'button'
  readonly choices?: readonly string[]
  /** One line of help shown while the field is focused. */
  readonly hint: string
  /** Shown for an empty text field: what empty means. */
  readonly placeholder?: string
}

/** What a field says where it means something else for one kernel (the points of kmeans are its dataset). */
export type FieldText = Partial<Pick<FieldSpec, 'label' | 'hint' | 'placeholder'>>

export const KERNELS = ['matmul', 'map', 'wgsl', 'kmeans', 'train'] as const

export const fieldSpecs: Record<FieldId, FieldSpec> = {
  name: { id: 'name', label: 'Name', kind: 'text', hint: 'what volunteers see in their project list' },
  kernel: { id: 'kernel', label: 'Kernel', kind: 'choice', choices: KERNELS, hint: 'what runs on the volunteers\' devices' },
  source: { id: 'source', label: 'Inputs', kind: 'choice', choices: ['size', 'shape', 'files'], hint: 'generated square matrices, generated MxKxN, or A and B from .npy files' },
  size: { id: 'size', label: 'Size N', kind: 'text', hint: 'A and B are N x N, generated from the seed' },
  shape: { id: 'shape', label: 'Shape MxKxN', kind: 'text', hint: 'A is M x K, B is K x N, e.g. 1024x512x256' },
  seed: { id: 'seed', label: 'Seed', kind: 'text', hint: 'matmul: the same seed generates the same matrices · wgsl: the key of random_*() (0 to 2^64-1)' },
  aPath: { id: 'aPath', label: 'A (.npy)', kind: 'text', hint: 'a 2-D float32 .npy file' },
  bPath: { id: 'bPath', label: 'B (.npy)', kind: 'text', hint: 'a 2-D float32 .npy file whose rows match A\'s columns' },
  wgslPath: { id: 'wgslPath', label: 'WGSL file', kind: 'text', hint: 'map: fn map_row · wgsl: fn compute_item(i) (volunteers read and accept it first)' },
  itemsFrom: { id: 'itemsFrom', label: 'Items from', kind: 'choice', choices: ['count', 'dataset'], hint: 'count: index-only items 0..N-1 (sweeps, Monte Carlo) · dataset: one item per row, read with data_row(i)' },
  items: { id: 'items', label: 'Items', kind: 'text', hint: 'how many items: compute_item(i) runs for i = 0..N-1', placeholder: '(needed; with image output: W x H)' },
  dataPath: { id: 'dataPath', label: 'Dataset', kind: 'text', hint: 'CSV with a header row, JSON array of rows, or 2-D .npy' },
  outCols: { id: 'outCols', label: 'Output cols', kind: 'text', hint: 'numbers your function returns per row or item' },
  shared: { id: 'shared', label: 'Shared inputs', kind: 'text', hint: 'NAME=FILE, NAME=FILE: read-only matrices (CSV, JSON, .npy) every item reads as NAME', placeholder: '(none)' },
  params: { id: 'params', label: 'Params', kind: 'text', hint: 'NAME=V (f32), NAME:u32=V, NAME:i32=V, comma-separated: read as params.NAME', placeholder: '(none)' },
  output: { id: 'output', label: 'Output', kind: 'choice', choices: ['rows', 'reduce sum', 'reduce min', 'reduce max', 'image'], hint: 'rows: a row per item · reduce: fold all the items\' rows into one · image: the items are W x H pixels' },
  imageSize: { id: 'imageSize', label: 'Image WxH', kind: 'text', hint: 'e.g. 640x480; out cols 1 (grey), 3 (RGB) or 4 (RGBA), values in [0, 1]' },
  flopsPerItem: { id: 'flopsPerItem', label: 'Flops per item', kind: 'text', hint: 'your count of floating-point operations per item (credit and GFLOPS)', placeholder: '(unknown: GFLOPS show as unknown)' },
  secondsPerChunk: { id: 'secondsPerChunk', label: 'Secs per chunk', kind: 'text', hint: 'a trial on this machine sizes chunks to take about this long', placeholder: '(default 3)' },
  rowsPerChunk: { id: 'rowsPerChunk', label: 'Rows per chunk', kind: 'text', hint: 'leave empty for the kernel\'s default', placeholder: '(default: about 32 chunks)' },
  redundancy: { id: 'redundancy', label: 'Redundancy', kind: 'text', hint: 'distinct volunteers whose results must agree (1 = no replication)', placeholder: '(default 1)' },
  spotCheck: { id: 'spotCheck', label: 'Spot-check', kind: 'text', hint: 'fraction of chunks recomputed here, 0 to 1: on the CPU for matmul, sampled items on this device for map and wgsl', placeholder: '(default: matmul 0.05, map and wgsl 0.1)' },
  submit: { id: 'submit', label: 'Publish', kind: 'button', hint: 'check everything, then announce the project to the mesh' },
  ...roundsFieldSpecs
}

const kernelText: Readonly<Record<string, Partial<Record<FieldId, FieldText>>>> = {
  matmul: { kernel: { hint: 'matmul: C = A x B (fp32) of generated matrices or .npy files' } },
  map: { kernel: { hint: 'map: your WGSL fn map_row on every dataset row' } },
  wgsl: { kernel: { hint: 'wgsl: your fn compute_item(i) on every item, in one pass or in rounds' } },
  ...roundsKernelText
}

/** A field as it reads for the chosen kernel. */
export function fieldSpecFor (id: FieldId, kernel: string): FieldSpec {
  const text = kernelText[kernel]?.[id]
  return text == null ? fieldSpecs[id] : { ...fieldSpecs[id], ...text }
}

export type FormValues = Readonly<Record<FieldId, string>>

export const defaultFormValues: FormValues = {
  name: 'demo',
  kernel: 'matmul',
  source: 'size',
  size: '512',
  shape: '1024x512x256',
  seed: '1',
  aPath: '',
  bPath: '',
  wgslPath: '',
  itemsFrom: 'count',
  items: '',
  dataPath: '',
  outCols: '1',
  shared: '',
  params: '',
  output: 'rows',
  imageSize: '',
  flopsPerItem: '',
  secondsPerChunk: '',
  rowsPerChunk: '',
  // Empty: the kernel's own verification (redundancy 1; spot checks here, on the CPU or this peer's device).
  redundancy: '',
  spotCheck: '',
  submit: '',
  ...roundsDefaultValues
}

/** The fields shown for the chosen kernel and inputs, in order. */
export function visibleFields (values: FormValues): FieldId[] {
  if (values.kernel === 'wgsl') {
    return ['name', 'kernel', 'wgslPath', 'itemsFrom', values.itemsFrom === 'dataset' ? 'dataPath' : 'items', 'outCols', 'shared', 'params', 'seed',
      'output', ...(values.output === 'image' ? ['imageSize' as const] : []), 'flopsPerItem', 'secondsPerChunk', ...wgslRoundsFieldIds(values),
      'redundancy', 'spotCheck', 'submit']
  }
  if (values.kernel === 'kmeans' || values.kernel === 'train') {
    return ['name', 'kernel', ...(values.kernel === 'kmeans' ? kmeansFieldIds(values) : trainFieldIds(values)), 'rowsPerChunk', 'redundancy', 'spotCheck', 'submit']
  }
  const inputs: FieldId[] = values.kernel === 'map'
    ? ['wgslPath', 'dataPath', 'outCols']
    : values.source === 'files'
      ? ['source', 'aPath', 'bPath']
      : values.source === 'shape' ? ['source', 'shape', 'seed'] : ['source', 'size', 'seed']
  return ['name', 'kernel', ...inputs, 'rowsPerChunk', 'redundancy', 'spotCheck', 'submit']
}

export type FieldErrors = Partial<Record<FieldId, string>>

export type BuildResult =
  | { readonly spec: PublishSpec, readonly errors?: undefined }
  | { readonly spec?: undefined, readonly errors: FieldErrors }

const positiveInt = /^[1-9]\d*$/

/** The spec the visible fields describe, or one message per field that does not parse. */
export function buildPublishSpec (values: FormValues): BuildResult {
  const errors: FieldErrors = {}
  const text = (id: FieldId): string => values[id].trim()
  const int = (id: FieldId, what: string, max = Number.MAX_SAFE_INTEGER): number => {
    if (!positiveInt.test(text(id)) || Number(text(id)) > max) errors[id] = `${what} must be a positive whole number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max.toLocaleString('en-US')}` : ''}`
    return Number(text(id))
  }
  const path = (id: FieldId): string => {
    if (text(id) === '') errors[id] = 'needs a file path'
    return text(id)
  }
  /** An optional number in [min, max]; undefined when empty. */
  const number = (id: FieldId, what: string, min: number, max: number): number | undefined => {
    if (text(id) === '') return undefined
    const value = Number(text(id))
    if (!Number.isFinite(value) || value < min || value > max) errors[id] = what
    return value
  }
  const name = text('name')
  if (name === '') errors.name = 'needs a name'
  const redundancy = text('redundancy') === '' ? undefined : int('redundancy', 'redundancy')
  const spotCheck = number('spotCheck', 'spot-check must be a fraction from 0 to 1', 0, 1)

  let spec: PublishSpec
  if (values.kernel === 'kmeans' || values.kernel === 'train') {
    const rowsPerChunk = text('rowsPerChunk') === '' ? undefined : int('rowsPerChunk', 'rows per chunk')
    // As `mesh publish` builds them: only the fields given.
    const common: FormCommon = {
      name,
      ...(rowsPerChunk != null ? { rowsPerChunk } : {}),
      ...(redundancy != null ? { redundancy } : {}),
      ...(spotCheck != null ? { spotCheck } : {})
    }
    const read = new FieldReader(values, errors)
    spec = values.kernel === 'kmeans' ? kmeansFromForm(read, common) : trainFromForm(read, common)
  } else if (values.kernel === 'wgsl') {
    spec = { name, redundancy, spotCheck, ...wgslFields(values, errors, int, path, number) }
  } else {
    const rowsPerChunk = text('rowsPerChunk') === '' ? undefined : int('rowsPerChunk', 'rows per chunk')
    const common = { name, rowsPerChunk, redundancy, spotCheck }
    const seed = text('seed') === '' ? undefined : Number(text('seed'))
    if (seed != null && !/^\d+$/.test(text('seed'))) errors.seed = 'seed must be a whole number'
    if (values.kernel === 'map') {
      spec = { ...common, kernel: 'map', wgslPath: path('wgslPath'), dataPath: path('dataPath'), outCols: int('outCols', 'output cols') }
    } else if (values.source === 'files') {
      spec = { ...common, kernel: 'matmul', inputs: { from: 'files', aPath: path('aPath'), bPath: path('bPath') } }
    } else if (values.source === 'shape') {
      const match = /^(\d+)\s*x\s*(\d+)\s*x\s*(\d+)$/i.exec(text('shape'))
      const [m, k, n] = match == null ? [0, 0, 0] : match.slice(1).map(Number)
      if (match == null || m < 1 || k < 1 || n < 1) errors.shape = 'shape must look like MxKxN, e.g. 1024x512x256'
      spec = { ...common, kernel: 'matmul', inputs: { from: 'shape', m, k, n, seed } }
    } else {
      spec = { ...common, kernel: 'matmul', inputs: { from: 'size', size: int('size', 'size'), seed } }
    }
  }
  return Object.keys(errors).length > 0 ? { errors } : { spec }
}

type WgslFields = Omit<Extract<PublishSpec, { kernel: 'wgsl' }>, 'name' | 'redundancy' | 'spotCheck'>

/** The wgsl kernel's fields, parsed as `mesh publish --kernel wgsl` parses its flags. */
function wgslFields (
  values: FormValues, errors: FieldErrors, int: (id: FieldId, what: string, max?: number) => number, path: (id: FieldId) => string,
  number: (id: FieldId, what: string, min: number, max: number) => number | undefined
): WgslFields {
  const text = (id: FieldId): string => values[id].trim()
  const image = values.output === 'image' ? parseImageSize(text('imageSize'), errors) : undefined
  const items = values.itemsFrom === 'dataset'
    ? { dataPath: path('dataPath') }
    // An image's items are its pixels: an empty count means W x H.
    : { items: text('items') === '' && values.output === 'image' ? (image?.width ?? 0) * (image?.height ?? 0) : int('items', 'items', MAX_ITEMS) }
  const reduce = values.output.startsWith('reduce ') ? values.output.slice('reduce '.length) as ReduceOp : undefined
  const seed = text('seed') === '' ? undefined : checked('seed', errors, () => parseSeed(text('seed')))
  const flopsPerItem = number('flopsPerItem', 'flops per item must be a number of at least 0', 0, Number.MAX_VALUE)
  const secondsPerChunk = number('secondsPerChunk', 'seconds per chunk must be from 0.01 to 3600', 0.01, 3600)
  return {
    kernel: 'wgsl',
    wgslPath: path('wgslPath'),
    ...items,
    outCols: int('outCols', 'output cols', 4096),
    shared: listOf(text('shared'), 'shared', errors, entry => parseSharedText(entry, 'NAME=FILE, NAME=FILE')),
    params: listOf(text('params'), 'params', errors, entry => parseParamText(entry, 'NAME=V or NAME:u32=V')),
    ...(seed != null ? { seed } : {}),
    ...(reduce != null ? { reduce } : {}),
    ...(image != null ? { image } : {}),
    ...(flopsPerItem != null ? { flopsPerItem } : {}),
    ...(secondsPerChunk != null ? { secondsPerChunk } : {}),
    ...wgslRoundsFromForm(new FieldReader(values, errors))
  }
}

/** A kernel-level check whose input error becomes the field's message. */
function checked<T> (id: FieldId, errors: FieldErrors, check: () => T): T | undefined {
  try {
    return check()
  } catch (err) {
    if (!(err instanceof InputError)) throw err
    errors[id] ??= err.message
    return undefined
  }
}

/** `A, B, C`: each entry parsed, names given once; the first problem is the field's message. */
function listOf<T extends { name: string }> (text: string, id: FieldId, errors: FieldErrors, parse: (entry: string) => T): T[] {
  const entries = text.split(',').map(e => e.trim()).filter(e => e !== '')
  const list = entries.map(entry => checked(id, errors, () => parse(entry))).filter(e => e != null)
  const names = list.map(e => e.name)
  const twice = names.find((n, i) => names.indexOf(n) !== i)
  if (twice != null) errors[id] ??= `'${twice}' is given twice`
  return list
}

/** `WxH` */
function parseImageSize (text: string, errors: FieldErrors): { width: number, height: number } | undefined {
  const match = /^(\d+)\s*x\s*(\d+)$/i.exec(text)
  const [width, height] = match == null ? [0, 0] : match.slice(1).map(Number)
  const side = (n: number): boolean => n >= 1 && n <= MAX_IMAGE_SIDE
  if (match == null || !side(width) || !side(height)) {
    errors.imageSize = `image size must look like WxH, sides 1 to ${MAX_IMAGE_SIDE}`
    return undefined
  }
  return { width, height }
}
