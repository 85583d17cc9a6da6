import type { OptionValues } from './command.ts'
import { UsageError } from './errors.ts'
import { optionalString, parseInteger, parseNumber, parsePositiveNumber } from './parse-values.ts'
import { AGGREGATE_OPS, MAX_ROUNDS, type AggregateOp } from '../compute/rounds.ts'
import type { RoundsRequest } from '../node/publish/publish-request.ts'
import type { KmeansPublishRequest } from '../node/publish/kmeans-spec.ts'
import type { TrainPublishRequest } from '../node/publish/train-spec.ts'

/** Flags of iterative projects (DESIGN.md section 4, "Rounds"): the kernels they belong to. */
export const ROUNDS_FLAGS = ['rounds', 'until-change', 'round-quorum'] as const
export const WGSL_ROUNDS_FLAGS = ['state', 'aggregate'] as const
export const KMEANS_FLAGS = ['k', 'init'] as const
export const TRAIN_FLAGS = ['label-col', 'model', 'hidden', 'local-epochs', 'batch', 'lr', 'test'] as const

export const roundsOptionSpecs = {
  rounds: { type: 'string' },
  'until-change': { type: 'string' },
  'round-quorum': { type: 'string' },
  state: { type: 'string' },
  aggregate: { type: 'string' },
  k: { type: 'string' },
  init: { type: 'string' },
  'label-col': { type: 'string' },
  model: { type: 'string' },
  hidden: { type: 'string' },
  'local-epochs': { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  test: { type: 'string' }
} as const

export const roundsHelp = `  --rounds R            wgsl, kmeans, train: an iterative project of up to R rounds; every chunk of a
                        round reads the round's state, which the round's results fold into
  --until-change T      stop once no state value moves more than T in a round
  --round-quorum F      close a round once a fraction F of its chunks is verified and the rest are
                        overdue (0 < F <= 1, default 1: every chunk)
  --state FILE          wgsl: the initial state (CSV, JSON or .npy), read in WGSL as state with
                        STATE_ROWS, STATE_COLS and params.round
  --aggregate OP        wgsl: how a round's chunks fold into the next state: sum, mean or weighted-mean
  --k K                 kmeans: clusters, initial centroids drawn from the points with --seed
  --init FILE           kmeans: the initial K x D centroids instead
  --label-col NAME      train: the CSV column holding each row's class (integers or names)
  --model M             train: softmax (default) or mlp (one ReLU hidden layer of --hidden H, default 32)
  --local-epochs E      train: epochs each volunteer runs over its shard per round (default 1)
  --batch B             train: minibatch size (default 32)
  --lr LR               train: learning rate of SGD (default 0.1)
  --test FILE           train: a held-out CSV with the same columns: test accuracy per round`

/** `--rounds R [--until-change T] [--round-quorum F]`; undefined without --rounds. */
export function roundsFromOptions (options: OptionValues, aggregate?: AggregateOp): RoundsRequest | undefined {
  const rounds = optionalString(options, 'rounds')
  const untilChange = optionalString(options, 'until-change')
  const quorum = optionalString(options, 'round-quorum')
  if (rounds == null) {
    const stray = ['until-change', 'round-quorum', ...WGSL_ROUNDS_FLAGS].find(flag => options[flag] !== undefined)
    if (stray != null) throw new UsageError(`publish: --${stray} needs --rounds R`)
    return undefined
  }
  return {
    count: parseInteger(rounds, '--rounds', 1, MAX_ROUNDS),
    ...(untilChange != null ? { untilChange: parseNumber(untilChange, '--until-change', 0, Number.MAX_VALUE) } : {}),
    ...(quorum != null ? { quorum: parsePositiveNumber(quorum, '--round-quorum', 1) } : {}),
    ...(aggregate != null ? { aggregate } : {})
  }
}

/** A wgsl project's `--state FILE --aggregate OP` beside its rounds. */
export function wgslRoundsFromOptions (options: OptionValues): { statePath?: string, rounds?: RoundsRequest } {
  const aggregate = optionalString(options, 'aggregate')
  if (aggregate != null && !(AGGREGATE_OPS as readonly string[]).includes(aggregate)) {
    throw new UsageError(`publish: --aggregate expects one of ${AGGREGATE_OPS.join(', ')} (got '${aggregate}')`)
  }
  const rounds = roundsFromOptions(options, aggregate as AggregateOp | undefined)
  const statePath = optionalString(options, 'state')
  if (rounds != null && statePath == null) throw new UsageError('publish: a wgsl rounds project needs --state FILE, its initial state')
  return rounds == null ? {} : { statePath, rounds }
}

function requiredRounds (options: OptionValues, kernel: string): RoundsRequest {
  const rounds = roundsFromOptions(options)
  if (rounds == null) throw new UsageError(`publish: the ${kernel} kernel needs --rounds R`)
  return rounds
}

function roundFields (rounds: RoundsRequest): { rounds: number, untilChange?: number, quorum?: number } {
  return { rounds: rounds.count, ...(rounds.untilChange != null ? { untilChange: rounds.untilChange } : {}), ...(rounds.quorum != null ? { quorum: rounds.quorum } : {}) }
}

export function kmeansRequest (options: OptionValues, common: Record<string, unknown>): KmeansPublishRequest {
  const dataPath = optionalString(options, 'data')
  const k = optionalString(options, 'k')
  const init = optionalString(options, 'init')
  const seed = optionalString(options, 'seed')
  if (dataPath == null) throw new UsageError('publish: the kmeans kernel needs --data FILE (one point per row)')
  if ((k == null) === (init == null)) throw new UsageError('publish: the kmeans kernel needs exactly one of --k K (centroids drawn from the points) or --init FILE')
  if (init != null && seed != null) throw new UsageError('publish: --seed draws the initial centroids of --k; it does not apply to --init')
  return {
    ...common,
    kernel: 'kmeans',
    dataPath,
    ...(k != null ? { k: parseInteger(k, '--k', 1, 1 << 20) } : {}),
    ...(init != null ? { initPath: init } : {}),
    ...(seed != null ? { seed: parseInteger(seed, '--seed', 0, 0xffffffff) } : {}),
    ...roundFields(requiredRounds(options, 'kmeans'))
  }
}

export function trainRequest (options: OptionValues, common: Record<string, unknown>): TrainPublishRequest {
  const dataPath = optionalString(options, 'data')
  const labelCol = optionalString(options, 'label-col')
  if (dataPath == null || labelCol == null) throw new UsageError('publish: the train kernel needs --data train.csv and --label-col NAME')
  const model = optionalString(options, 'model') ?? 'softmax'
  if (model !== 'softmax' && model !== 'mlp') throw new UsageError(`publish: --model expects softmax or mlp (got '${model}')`)
  const hidden = optionalString(options, 'hidden')
  if (hidden != null && model !== 'mlp') throw new UsageError('publish: --hidden applies to --model mlp')
  const test = optionalString(options, 'test')
  const seed = optionalString(options, 'seed')
  return {
    ...common,
    kernel: 'train',
    dataPath,
    labelCol,
    model,
    ...(model === 'mlp' ? { hidden: parseInteger(hidden ?? '32', '--hidden', 1, 4096) } : {}),
    localEpochs: parseInteger(optionalString(options, 'local-epochs') ?? '1', '--local-epochs', 1, 10_000),
    batch: parseInteger(optionalString(options, 'batch') ?? '32', '--batch', 1, 1 << 20),
    lr: parsePositiveNumber(optionalString(options, 'lr') ?? '0.1', '--lr', 1e6),
    ...(test != null ? { testPath: test } : {}),
    ...(seed != null ? { seed: parseInteger(seed, '--seed', 0, 0xffffffff) } : {}),
    ...roundFields(requiredRounds(options, 'train'))
  }
}
