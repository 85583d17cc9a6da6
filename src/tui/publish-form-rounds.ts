import { AGGREGATE_OPS, MAX_ROUNDS, type AggregateOp } from '../compute/rounds.ts'
import type { KmeansPublishRequest } from '../node/publish/kmeans-spec.ts'
import type { RoundsRequest } from '../node/publish/publish-request.ts'
import type { TrainPublishRequest } from '../node/publish/train-spec.ts'
import type { FieldReader } from './form-reader.ts'
import type { FieldId, FieldSpec, FieldText, FormValues } from './publish-form.ts'

/**
 * The publish form's iterative projects (DESIGN.md section 4, "Rounds"): a
 * wgsl project in rounds, and the kmeans and train kernels, which always run
 * in rounds. Fields, defaults and checks follow `mesh publish`'s flags
 * (src/cli/publish-rounds.ts), so the form and the CLI make the same request.
 */

export type RoundsFieldId =
  | 'rounds' | 'statePath' | 'aggregate' | 'untilChange' | 'roundQuorum'
  | 'init' | 'k' | 'initPath'
  | 'labelCol' | 'model' | 'hidden' | 'localEpochs' | 'batch' | 'lr' | 'testPath'

// The CLI's bounds (src/cli/publish-rounds.ts).
const MAX_K = 1 << 20
const MAX_SEED = 0xffffffff
const MAX_HIDDEN = 4096
const MAX_LOCAL_EPOCHS = 10_000
const MAX_BATCH = 1 << 20
const MAX_LR = 1e6

export const roundsFieldSpecs: Record<RoundsFieldId, FieldSpec> = {
  rounds: { id: 'rounds', label: 'Rounds', kind: 'text', hint: 'run in up to R rounds; each round\'s chunks read the state and fold into it', placeholder: '(one pass)' },
  statePath: { id: 'statePath', label: 'State file', kind: 'text', hint: 'initial state (CSV, JSON, .npy), in WGSL: state, STATE_ROWS, STATE_COLS' },
  aggregate: { id: 'aggregate', label: 'Aggregate', kind: 'choice', choices: AGGREGATE_OPS, hint: 'how a round\'s results fold into the next state: sum, mean or weighted-mean' },
  untilChange: { id: 'untilChange', label: 'Until change', kind: 'text', hint: 'stop early once no state value moves more than T in a round', placeholder: '(none: every round runs)' },
  roundQuorum: { id: 'roundQuorum', label: 'Round quorum', kind: 'text', hint: 'end a round once this fraction is verified and the rest overdue (0 < F <= 1)', placeholder: '(default 1: every chunk)' },
  init: { id: 'init', label: 'Init', kind: 'choice', choices: ['k', 'file'], hint: 'k: K of the points, drawn by the seed · file: your own K x D centroids' },
  k: { id: 'k', label: 'K', kind: 'text', hint: 'clusters: K distinct points of the data start as the centroids', placeholder: '(needed)' },
  initPath: { id: 'initPath', label: 'Init file', kind: 'text', hint: 'the initial K x D centroids (CSV, JSON or .npy), D the points\' columns' },
  labelCol: { id: 'labelCol', label: 'Label column', kind: 'text', hint: 'the column of each row\'s class (integers or names); the rest are features', placeholder: '(needed)' },
  model: { id: 'model', label: 'Model', kind: 'choice', choices: ['softmax', 'mlp'], hint: 'softmax: a linear classifier · mlp: one ReLU hidden layer' },
  hidden: { id: 'hidden', label: 'Hidden', kind: 'text', hint: 'units of the mlp\'s hidden layer', placeholder: '(default 32)' },
  localEpochs: { id: 'localEpochs', label: 'Local epochs', kind: 'text', hint: 'epochs each volunteer runs over its shard per round', placeholder: '(default 1)' },
  batch: { id: 'batch', label: 'Batch', kind: 'text', hint: 'minibatch size of SGD', placeholder: '(default 32)' },
  lr: { id: 'lr', label: 'Learning rate', kind: 'text', hint: 'learning rate of SGD, a number above 0', placeholder: '(default 0.1)' },
  testPath: { id: 'testPath', label: 'Test CSV', kind: 'text', hint: 'a held-out CSV with the same columns: test accuracy per round', placeholder: '(none: no test accuracy)' }
}

export const roundsDefaultValues: Readonly<Record<RoundsFieldId, string>> = {
  rounds: '',
  statePath: '',
  aggregate: 'sum',
  untilChange: '',
  roundQuorum: '',
  init: 'k',
  k: '',
  initPath: '',
  labelCol: '',
  model: 'softmax',
  hidden: '',
  localEpochs: '',
  batch: '',
  lr: '',
  testPath: ''
}

/** Shared fields that read differently for a rounds kernel. */
const builtInRoundsText: Partial<Record<FieldId, FieldText>> = {
  rounds: { placeholder: '(needed)' },
  spotCheck: { hint: 'fraction of chunks recomputed here on the CPU, 0 to 1', placeholder: '(default 0.05)' }
}

export const roundsKernelText: Readonly<Record<'kmeans' | 'train', Partial<Record<FieldId, FieldText>>>> = {
  kmeans: {
    ...builtInRoundsText,
    kernel: { hint: 'kmeans: Lloyd\'s k-means of your points, in rounds' },
    dataPath: { label: 'Points file', hint: 'one point per row: CSV with a header row, JSON array of rows, or 2-D .npy' },
    seed: { hint: 'draws the K initial centroids from the points (0 to 2^32-1)', placeholder: '(default 1)' }
  },
  train: {
    ...builtInRoundsText,
    kernel: { hint: 'train: federated averaging of a softmax or MLP classifier, in rounds' },
    dataPath: { label: 'Training CSV', hint: 'a CSV with a header row: feature columns and the label column' },
    seed: { hint: 'the rows\' shuffle and the initial weights (0 to 2^32-1)', placeholder: '(default 1)' },
    rowsPerChunk: { label: 'Rows per shard', hint: 'training rows per chunk: each volunteer trains on whole shards', placeholder: '(default: about 32 shards, at least 50 rows each)' }
  }
}

/** A wgsl project's rounds fields: the count, and the rest once a count is given. */
export function wgslRoundsFieldIds (values: FormValues): FieldId[] {
  return values.rounds.trim() === '' ? ['rounds'] : ['rounds', 'statePath', 'aggregate', 'untilChange', 'roundQuorum']
}

export function kmeansFieldIds (values: FormValues): FieldId[] {
  return ['dataPath', 'init', ...(values.init === 'file' ? ['initPath' as const] : ['k' as const, 'seed' as const]), 'rounds', 'untilChange', 'roundQuorum']
}

export function trainFieldIds (values: FormValues): FieldId[] {
  return ['dataPath', 'labelCol', 'model', ...(values.model === 'mlp' ? ['hidden' as const] : []), 'rounds', 'untilChange', 'roundQuorum',
    'localEpochs', 'batch', 'lr', 'testPath', 'seed']
}

interface RoundFields { rounds: number, untilChange?: number, quorum?: number }

/** `--rounds R [--until-change T] [--round-quorum F]` */
function roundFields (read: FieldReader): RoundFields {
  const untilChange = read.atLeast('untilChange', 'until change', 0)
  const quorum = read.positive('roundQuorum', 'round quorum', 1)
  return {
    rounds: read.integer('rounds', 'rounds', 1, MAX_ROUNDS),
    ...(untilChange != null ? { untilChange } : {}),
    ...(quorum != null ? { quorum } : {})
  }
}

/** `--state FILE --rounds R --aggregate OP ...`; nothing for a project of one pass. */
export function wgslRoundsFromForm (read: FieldReader): { statePath?: string, rounds?: RoundsRequest } {
  if (!read.given('rounds')) return {}
  const { rounds: count, ...rest } = roundFields(read)
  return {
    statePath: read.required('statePath', 'needs the initial state file'),
    rounds: { count, ...rest, aggregate: read.values.aggregate as AggregateOp }
  }
}

/** The fields every kernel shares, as `mesh publish` passes them: only those given. */
export interface FormCommon {
  readonly name: string
  readonly rowsPerChunk?: number
  readonly redundancy?: number
  readonly spotCheck?: number
}

export function kmeansFromForm (read: FieldReader, common: FormCommon): KmeansPublishRequest {
  const fromFile = read.values.init === 'file'
  // --seed draws the centroids of --k; the CLI refuses it beside --init.
  const seed = fromFile ? undefined : read.optionalInteger('seed', 'seed', 0, MAX_SEED)
  return {
    ...common,
    kernel: 'kmeans',
    dataPath: read.required('dataPath'),
    ...(fromFile ? { initPath: read.required('initPath') } : { k: read.integer('k', 'k', 1, MAX_K) }),
    ...(seed != null ? { seed } : {}),
    ...roundFields(read)
  }
}

export function trainFromForm (read: FieldReader, common: FormCommon): TrainPublishRequest {
  const model = read.values.model === 'mlp' ? 'mlp' : 'softmax'
  const testPath = read.optionalText('testPath')
  const seed = read.optionalInteger('seed', 'seed', 0, MAX_SEED)
  return {
    ...common,
    kernel: 'train',
    dataPath: read.required('dataPath'),
    labelCol: read.required('labelCol', 'needs the label column\'s name'),
    model,
    // The CLI's defaults are written into the request, as `mesh publish` writes them.
    ...(model === 'mlp' ? { hidden: read.integer('hidden', 'hidden units', 1, MAX_HIDDEN, 32) } : {}),
    localEpochs: read.integer('localEpochs', 'local epochs', 1, MAX_LOCAL_EPOCHS, 1),
    batch: read.integer('batch', 'batch', 1, MAX_BATCH, 32),
    lr: read.positive('lr', 'learning rate', MAX_LR) ?? 0.1,
    ...(testPath != null ? { testPath } : {}),
    ...(seed != null ? { seed } : {}),
    ...roundFields(read)
  }
}
