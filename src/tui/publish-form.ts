import type { PublishSpec } from './mesh-port.ts'

/**
 * The publish form as data: which fields show for the chosen kernel and
 * inputs, their text, and turning that text into a PublishSpec. Only the
 * form's own syntax is checked here (numbers are numbers); files, shapes and
 * WGSL are checked by the peer's validatePublish before anything is announced.
 */

export type FieldId =
  | 'name' | 'kernel' | 'source' | 'size' | 'shape' | 'seed' | 'aPath' | 'bPath'
  | 'wgslPath' | 'dataPath' | 'outCols' | 'rowsPerChunk' | 'redundancy' | 'spotCheck' | 'submit'

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

export const fieldSpecs: Record<FieldId, FieldSpec> = {
  name: { id: 'name', label: 'Name', kind: 'text', hint: 'what volunteers see in their project list' },
  kernel: { id: 'kernel', label: 'Kernel', kind: 'choice', choices: ['matmul', 'map'], hint: 'matmul: C = A x B (fp32) · map: your WGSL function on every row of a dataset' },
  source: { id: 'source', label: 'Inputs', kind: 'choice', choices: ['size', 'shape', 'files'], hint: 'generated square matrices, generated MxKxN, or A and B from .npy files' },
  size: { id: 'size', label: 'Size N', kind: 'text', hint: 'A and B are N x N, generated from the seed' },
  shape: { id: 'shape', label: 'Shape MxKxN', kind: 'text', hint: 'A is M x K, B is K x N, e.g. 1024x512x256' },
  seed: { id: 'seed', label: 'Seed', kind: 'text', hint: 'the same seed generates the same matrices' },
  aPath: { id: 'aPath', label: 'A (.npy)', kind: 'text', hint: 'a 2-D float32 .npy file' },
  bPath: { id: 'bPath', label: 'B (.npy)', kind: 'text', hint: 'a 2-D float32 .npy file whose rows match A\'s columns' },
  wgslPath: { id: 'wgslPath', label: 'WGSL file', kind: 'text', hint: 'the map function volunteers run (they read and accept it first)' },
  dataPath: { id: 'dataPath', label: 'Dataset', kind: 'text', hint: 'CSV with a header row, JSON array of rows, or 2-D .npy' },
  outCols: { id: 'outCols', label: 'Output cols', kind: 'text', hint: 'numbers your function writes per row' },
  rowsPerChunk: { id: 'rowsPerChunk', label: 'Rows per chunk', kind: 'text', hint: 'leave empty for the kernel\'s default', placeholder: '(default: about 32 chunks)' },
  redundancy: { id: 'redundancy', label: 'Redundancy', kind: 'text', hint: 'distinct volunteers whose results must agree (1 = no replication)', placeholder: '(default: matmul 1, map 2)' },
  spotCheck: { id: 'spotCheck', label: 'Spot-check', kind: 'text', hint: 'fraction of chunks recomputed here on the CPU, 0 to 1', placeholder: '(default: matmul 0.05, map 0)' },
  submit: { id: 'submit', label: 'Publish', kind: 'button', hint: 'check everything, then announce the project to the mesh' }
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
  dataPath: '',
  outCols: '1',
  rowsPerChunk: '',
  // Empty: the kernel's own verification (map's researcher-written WGSL is replicated; matmul is spot-checked).
  redundancy: '',
  spotCheck: '',
  submit: ''
}

/** The fields shown for the chosen kernel and inputs, in order. */
export function visibleFields (values: FormValues): FieldId[] {
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
  const int = (id: FieldId, what: string): number => {
    if (!positiveInt.test(text(id))) errors[id] = `${what} must be a positive whole number`
    return Number(text(id))
  }
  const path = (id: FieldId): string => {
    if (text(id) === '') errors[id] = 'needs a file path'
    return text(id)
  }
  const name = text('name')
  if (name === '') errors.name = 'needs a name'
  const seed = text('seed') === '' ? undefined : text('seed')
  if (seed != null && !/^\d+$/.test(seed)) errors.seed = 'seed must be a whole number'
  const rowsPerChunk = text('rowsPerChunk') === '' ? undefined : int('rowsPerChunk', 'rows per chunk')
  const redundancy = text('redundancy') === '' ? undefined : int('redundancy', 'redundancy')
  const spotCheck = text('spotCheck') === '' ? undefined : Number(text('spotCheck'))
  if (spotCheck != null && (!Number.isFinite(spotCheck) || spotCheck < 0 || spotCheck > 1)) {
    errors.spotCheck = 'spot-check must be a fraction from 0 to 1'
  }
  const common = { name, rowsPerChunk, redundancy, spotCheck }

  let spec: PublishSpec
  if (values.kernel === 'map') {
    spec = { ...common, kernel: 'map', wgslPath: path('wgslPath'), dataPath: path('dataPath'), outCols: int('outCols', 'output cols') }
  } else if (values.source === 'files') {
    spec = { ...common, kernel: 'matmul', inputs: { from: 'files', aPath: path('aPath'), bPath: path('bPath') } }
  } else if (values.source === 'shape') {
    const match = /^(\d+)\s*x\s*(\d+)\s*x\s*(\d+)$/i.exec(text('shape'))
    const [m, k, n] = match == null ? [0, 0, 0] : match.slice(1).map(Number)
    if (match == null || m < 1 || k < 1 || n < 1) errors.shape = 'shape must look like MxKxN, e.g. 1024x512x256'
    spec = { ...common, kernel: 'matmul', inputs: { from: 'shape', m, k, n, seed: seed == null ? undefined : Number(seed) } }
  } else {
    spec = { ...common, kernel: 'matmul', inputs: { from: 'size', size: int('size', 'size'), seed: seed == null ? undefined : Number(seed) } }
  }
  return Object.keys(errors).length > 0 ? { errors } : { spec }
}
