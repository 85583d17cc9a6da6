import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { OptionValues } from '../../src/cli/command.ts'
import { requestFromOptions } from '../../src/cli/commands/publish.ts'
import { UsageError } from '../../src/cli/errors.ts'
import { initialPublishForm, publishFormReducer, type PublishFormState } from '../../src/tui/hooks/use-publish-form.ts'
import { buildPublishSpec, defaultFormValues, visibleFields, type FieldId, type FormValues } from '../../src/tui/publish-form.ts'
import { fieldWindow, PublishScreen } from '../../src/tui/screens/publish-screen.tsx'
import { ThemeContext } from '../../src/tui/theme.tsx'
import { keys, renderSized, waitUntil } from './support/render-sized.ts'
import { startApp } from './support/running-app.tsx'

/** Iterative projects in the publish form: the fields, and the same requests as `mesh publish`'s flags. */

const kmeans: FormValues = { ...defaultFormValues, kernel: 'kmeans', dataPath: 'pts.npy', k: '4', rounds: '10' }
const train: FormValues = { ...defaultFormValues, kernel: 'train', dataPath: 'train.csv', labelCol: 'label', rounds: '5' }
const wgsl: FormValues = { ...defaultFormValues, kernel: 'wgsl', wgslPath: 'step.wgsl', items: '1000', outCols: '2' }

/** The form's request for `values` must be the CLI's for `flags`. */
function assertSameRequest (values: FormValues, flags: OptionValues): void {
  const built = buildPublishSpec(values)
  assert.equal(built.errors, undefined, JSON.stringify(built.errors))
  assert.deepEqual(built.spec, requestFromOptions(flags))
}

test('rounds form: the fields of each iterative kernel, and only those', () => {
  assert.deepEqual(visibleFields(kmeans), [
    'name', 'kernel', 'dataPath', 'init', 'k', 'seed', 'rounds', 'untilChange', 'roundQuorum', 'rowsPerChunk', 'redundancy', 'spotCheck', 'submit'
  ])
  assert.deepEqual(visibleFields({ ...kmeans, init: 'file' }).slice(2, 5), ['dataPath', 'init', 'initPath'])
  assert.deepEqual(visibleFields(train), [
    'name', 'kernel', 'dataPath', 'labelCol', 'model', 'rounds', 'untilChange', 'roundQuorum', 'localEpochs', 'batch', 'lr', 'testPath', 'seed',
    'rowsPerChunk', 'redundancy', 'spotCheck', 'submit'
  ])
  assert.deepEqual(visibleFields({ ...train, model: 'mlp' }).slice(4, 7), ['model', 'hidden', 'rounds'])
  // wgsl: one pass until a count of rounds is given; then its state and how rounds fold.
  assert.deepEqual(visibleFields(wgsl).slice(-5), ['secondsPerChunk', 'rounds', 'redundancy', 'spotCheck', 'submit'])
  assert.deepEqual(visibleFields({ ...wgsl, rounds: '3' }).slice(-9), [
    'secondsPerChunk', 'rounds', 'statePath', 'aggregate', 'untilChange', 'roundQuorum', 'redundancy', 'spotCheck', 'submit'
  ])
  // The choices step through the kernels; left from matmul wraps to train.
  const left = publishFormReducer({ ...initialPublishForm, focus: 'kernel' }, { type: 'choose', step: -1 })
  assert.equal(left.values.kernel, 'train')
  assert.equal(publishFormReducer(left, { type: 'choose', step: -1 }).values.kernel, 'kmeans')
})

test('rounds form: kmeans requests equal mesh publish\'s for the same flags', () => {
  // The seed field starts at 1, as --seed 1.
  assertSameRequest(kmeans, { kernel: 'kmeans', name: 'demo', data: 'pts.npy', k: '4', seed: '1', rounds: '10' })
  assertSameRequest({ ...kmeans, seed: '', rounds: ' 1e2 ' }, { kernel: 'kmeans', name: 'demo', data: 'pts.npy', k: '4', rounds: ' 1e2 ' })
  assertSameRequest(
    { ...kmeans, name: 'blobs', seed: '7', untilChange: '1e-4', roundQuorum: '0.75', rowsPerChunk: '64', redundancy: '2', spotCheck: '0.2' },
    { kernel: 'kmeans', name: 'blobs', data: 'pts.npy', k: '4', seed: '7', rounds: '10', 'until-change': '1e-4', 'round-quorum': '0.75', 'rows-per-chunk': '64', redundancy: '2', 'spot-check': '0.2' })
  // Centroids from a file: the seed (hidden) is not sent, as the CLI refuses --seed with --init.
  assertSameRequest({ ...kmeans, init: 'file', initPath: 'c0.npy', seed: '9' }, { kernel: 'kmeans', name: 'demo', data: 'pts.npy', init: 'c0.npy', rounds: '10' })
})

test('rounds form: train requests equal mesh publish\'s, the CLI\'s defaults included', () => {
  assertSameRequest(train, { kernel: 'train', name: 'demo', data: 'train.csv', 'label-col': 'label', rounds: '5', seed: '1' })
  assertSameRequest({ ...train, seed: '', model: 'mlp' }, { kernel: 'train', name: 'demo', data: 'train.csv', 'label-col': 'label', model: 'mlp', rounds: '5' })
  assertSameRequest(
    { ...train, model: 'mlp', hidden: '64', localEpochs: '2', batch: '16', lr: '0.05', testPath: 'test.csv', seed: '9', untilChange: '0', roundQuorum: '1', spotCheck: '0' },
    {
      kernel: 'train', name: 'demo', data: 'train.csv', 'label-col': 'label', model: 'mlp', hidden: '64', 'local-epochs': '2', batch: '16', lr: '0.05',
      test: 'test.csv', seed: '9', rounds: '5', 'until-change': '0', 'round-quorum': '1', 'spot-check': '0'
    })
  // Hidden units belong to the mlp: a value left over from it is not sent for softmax.
  assertSameRequest({ ...train, hidden: '64' }, { kernel: 'train', name: 'demo', data: 'train.csv', 'label-col': 'label', rounds: '5', seed: '1' })
})

test('rounds form: a wgsl project in rounds, and without them one pass with no state', () => {
  // Redundancy and spot-check given: the older kernels' requests carry those keys even when empty.
  const both = { redundancy: '1', spotCheck: '0.1' }
  const flags = { kernel: 'wgsl', name: 'demo', wgsl: 'step.wgsl', items: '1000', 'out-cols': '2', seed: '1', redundancy: '1', 'spot-check': '0.1' }
  assertSameRequest({ ...wgsl, ...both, rounds: '20', statePath: 'x0.csv' }, { ...flags, rounds: '20', state: 'x0.csv', aggregate: 'sum' })
  assertSameRequest(
    { ...wgsl, ...both, rounds: '20', statePath: 'x0.csv', aggregate: 'weighted-mean', untilChange: '0.001', roundQuorum: '0.5' },
    { ...flags, rounds: '20', state: 'x0.csv', aggregate: 'weighted-mean', 'until-change': '0.001', 'round-quorum': '0.5' })
  // Without a count the rounds fields are hidden, and what they hold is not sent.
  assertSameRequest({ ...wgsl, ...both, statePath: 'x0.csv', untilChange: 'x' }, flags)
  assert.equal(buildPublishSpec({ ...wgsl, rounds: '20' }).errors?.statePath, 'needs the initial state file')
})

test('rounds form: one message per field that does not parse, where the CLI refuses the same value', () => {
  const cases: Array<[FormValues, FieldId, string, OptionValues]> = [
    [{ ...kmeans, rounds: '' }, 'rounds', 'rounds must be a positive whole number up to 100,000', { kernel: 'kmeans', data: 'p', k: '4' }],
    [{ ...kmeans, rounds: '0' }, 'rounds', 'rounds must be a positive whole number up to 100,000', { kernel: 'kmeans', data: 'p', k: '4', rounds: '0' }],
    [{ ...train, rounds: '2.5' }, 'rounds', 'rounds must be a positive whole number up to 100,000', { kernel: 'train', data: 'd', 'label-col': 'y', rounds: '2.5' }],
    [{ ...wgsl, rounds: '100001', statePath: 's' }, 'rounds', 'rounds must be a positive whole number up to 100,000',
      { kernel: 'wgsl', wgsl: 'w', items: '1', 'out-cols': '1', rounds: '100001', state: 's' }],
    [{ ...kmeans, untilChange: '-1' }, 'untilChange', 'until change must be a number of at least 0', { kernel: 'kmeans', data: 'p', k: '4', rounds: '1', 'until-change': '-1' }],
    [{ ...kmeans, roundQuorum: '0' }, 'roundQuorum', 'round quorum must be a number above 0, at most 1', { kernel: 'kmeans', data: 'p', k: '4', rounds: '1', 'round-quorum': '0' }],
    [{ ...train, roundQuorum: '1.5' }, 'roundQuorum', 'round quorum must be a number above 0, at most 1',
      { kernel: 'train', data: 'd', 'label-col': 'y', rounds: '1', 'round-quorum': '1.5' }],
    [{ ...kmeans, k: '' }, 'k', 'k must be a positive whole number up to 1,048,576', { kernel: 'kmeans', data: 'p', rounds: '1' }],
    [{ ...kmeans, k: 'four' }, 'k', 'k must be a positive whole number up to 1,048,576', { kernel: 'kmeans', data: 'p', k: 'four', rounds: '1' }],
    [{ ...kmeans, seed: '-1' }, 'seed', 'seed must be a whole number from 0 to 4,294,967,295', { kernel: 'kmeans', data: 'p', k: '4', rounds: '1', seed: '-1' }],
    [{ ...train, seed: '4294967296' }, 'seed', 'seed must be a whole number from 0 to 4,294,967,295',
      { kernel: 'train', data: 'd', 'label-col': 'y', rounds: '1', seed: '4294967296' }],
    [{ ...kmeans, dataPath: ' ' }, 'dataPath', 'needs a file path', { kernel: 'kmeans', k: '4', rounds: '1' }],
    [{ ...kmeans, init: 'file' }, 'initPath', 'needs a file path', { kernel: 'kmeans', data: 'p', rounds: '1' }],
    [{ ...train, labelCol: '' }, 'labelCol', 'needs the label column\'s name', { kernel: 'train', data: 'd', rounds: '1' }],
    [{ ...train, model: 'mlp', hidden: '0' }, 'hidden', 'hidden units must be a positive whole number up to 4,096',
      { kernel: 'train', data: 'd', 'label-col': 'y', rounds: '1', model: 'mlp', hidden: '0' }],
    [{ ...train, localEpochs: '0' }, 'localEpochs', 'local epochs must be a positive whole number up to 10,000',
      { kernel: 'train', data: 'd', 'label-col': 'y', rounds: '1', 'local-epochs': '0' }],
    [{ ...train, batch: '1.5' }, 'batch', 'batch must be a positive whole number up to 1,048,576', { kernel: 'train', data: 'd', 'label-col': 'y', rounds: '1', batch: '1.5' }],
    [{ ...train, lr: '0' }, 'lr', 'learning rate must be a number above 0, at most 1,000,000', { kernel: 'train', data: 'd', 'label-col': 'y', rounds: '1', lr: '0' }],
    [{ ...train, lr: 'fast' }, 'lr', 'learning rate must be a number above 0, at most 1,000,000', { kernel: 'train', data: 'd', 'label-col': 'y', rounds: '1', lr: 'fast' }],
    [{ ...wgsl, rounds: '3' }, 'statePath', 'needs the initial state file', { kernel: 'wgsl', wgsl: 'w', items: '1', 'out-cols': '1', rounds: '3' }]
  ]
  for (const [values, id, message, flags] of cases) {
    const errors = buildPublishSpec(values).errors
    assert.deepEqual(errors, { [id]: message }, `${id} = '${values[id]}'`)
    assert.throws(() => requestFromOptions(flags), UsageError, `the CLI takes ${JSON.stringify(flags)}`)
  }
  // Every bad field at once, each with its own message.
  assert.deepEqual(Object.keys(buildPublishSpec({ ...train, dataPath: '', labelCol: '', rounds: 'x', lr: '-1' }).errors ?? {}).sort(), ['dataPath', 'labelCol', 'lr', 'rounds'])
})

/** The publish screen alone, without colour, at 100 x 24 (a body of 21 lines). */
function screenOf (values: FormValues, focus: FieldId = 'kernel', extra: Partial<PublishFormState> = {}): string {
  const form: PublishFormState = { ...initialPublishForm, values, focus, ...extra }
  const ui = renderSized(<ThemeContext.Provider value={{ color: false }}><PublishScreen form={form} width={100} height={21} /></ThemeContext.Provider>, 100, 24)
  const frame = ui.lastFrame()
  ui.unmount()
  return frame
}

test('rounds form on screen: kmeans and train fields with what empty means, their hints', () => {
  const km = screenOf({ ...kmeans, k: '', rounds: '' }, 'dataPath')
  for (const line of [/Kernel\s+‹ kmeans ›/, /› Points file\s+pts\.npy/, /Init\s+‹ k ›/, /K\s+\(needed\)/, /Seed\s+1/, /Rounds\s+\(needed\)/,
    /Until change\s+\(none: every round runs\)/, /Round quorum\s+\(default 1: every chunk\)/, /Spot-check\s+\(default 0\.05\)/]) {
    assert.match(km, line)
  }
  assert.match(km, /one point per row: CSV with a header row/)
  assert.doesNotMatch(km, /Dataset|Size N|Label column|Init file/)
  const fromFile = screenOf({ ...kmeans, init: 'file' }, 'init')
  assert.match(fromFile, /› Init\s+‹ file ›\n.*Init file\s+\(empty\)/)
  assert.match(fromFile, /k: K of the points, drawn by the seed · file: your own K x D centroids/)
  assert.doesNotMatch(screenOf({ ...kmeans, init: 'file' }), /^ {2}K /m)

  const tr = screenOf({ ...train, labelCol: '', rounds: '' }, 'lr')
  for (const line of [/Kernel\s+‹ train ›/, /Training CSV\s+train\.csv/, /Label column\s+\(needed\)/, /Model\s+‹ softmax ›/, /Rounds\s+\(needed\)/,
    /Local epochs\s+\(default 1\)/, /Batch\s+\(default 32\)/, /› Learning rate\s+\(default 0\.1\)/, /Test CSV\s+\(none: no test accuracy\)/, /Seed\s+1/]) {
    assert.match(tr, line)
  }
  assert.match(tr, /learning rate of SGD, a number above 0/)
  assert.doesNotMatch(tr, /Hidden|Points file|Init/)
  assert.match(screenOf({ ...train, model: 'mlp' }), /Model\s+‹ mlp ›\n.*Hidden\s+\(default 32\)/)
  // A bad value is marked on its line.
  assert.match(screenOf({ ...train, lr: '0' }, 'lr', { fieldErrors: { lr: 'learning rate must be a number above 0, at most 1,000,000' } }),
    /› Learning rate\s+0\s+learning rate must be a number above 0/)
})

test('rounds form on screen: a form taller than the screen scrolls with the focus', () => {
  const fields = visibleFields({ ...wgsl, rounds: '3' })
  assert.equal(fields.length, 20)
  // 18 lines: at either end a mark line and 17 fields, between them two marks and 16.
  assert.deepEqual(fieldWindow(fields, 'name', 18), { shown: fields.slice(0, 17), above: 0, below: 3 })
  assert.deepEqual(fieldWindow(fields, 'output', 18), { shown: fields.slice(1, 17), above: 1, below: 3 })
  assert.deepEqual(fieldWindow(fields, 'submit', 18), { shown: fields.slice(3), above: 3, below: 0 })
  assert.deepEqual(fieldWindow(fields, 'submit', 20), { shown: fields, above: 0, below: 0 })
  const top = screenOf({ ...wgsl, rounds: '3' }, 'name')
  assert.match(top, /↓ 3 more/)
  assert.doesNotMatch(top, /Publish \]/)
  const bottom = screenOf({ ...wgsl, rounds: '3' }, 'submit')
  assert.match(bottom, /↑ 3 more/)
  assert.match(bottom, /› \[ Publish \]/)
  assert.match(bottom, /State file\s+\(empty\)/)
  // A form that just fits scrolls rather than hide the peer's problems.
  const mlp = { ...train, model: 'mlp' }
  assert.equal(visibleFields(mlp).length, 18)
  assert.doesNotMatch(screenOf(mlp, 'name'), /more/)
  const problem = screenOf(mlp, 'name', { specErrors: ['train.csv: no such file'] })
  assert.match(problem, /↓ 2 more/)
  assert.match(problem, /✗ train\.csv: no such file/)
})

test('rounds form in the app: kmeans and train typed in with keys publish what mesh publish would; wgsl in rounds fits 80x24', async () => {
  const app = await startApp()
  const { port, press, see, ui } = app
  const edit = async (text: string): Promise<void> => { await press(keys.enter, keys.ctrlU, text, keys.enter) }
  const publishNow = async (): Promise<void> => { await press(...Array.from({ length: 20 }, () => keys.down), keys.enter) }
  try {
    // kmeans: left twice from matmul.
    await press('2', keys.down, keys.left, keys.left)
    let frame = await see('‹ kmeans ›')
    for (const label of ['Points file', 'Init', 'K', 'Seed', 'Rounds', 'Until change', 'Round quorum']) assert.match(frame, new RegExp(`^  ${label} `, 'm'), label)
    await press(keys.down)
    await edit('pts.npy')
    await press(keys.down, keys.down)
    await edit('4')
    await press(keys.down, keys.down)
    await edit('12')
    await publishNow()
    await waitUntil(() => port.called('publish').length === 1, 'the kmeans project published')
    assert.deepEqual(port.called('publish')[0]?.args[0], requestFromOptions({ kernel: 'kmeans', name: 'demo', data: 'pts.npy', k: '4', seed: '1', rounds: '12' }))

    // train (a fresh form: left once from matmul); the mlp's hidden size shows once chosen.
    await press('2', keys.down, keys.left)
    frame = await see('‹ train ›')
    assert.match(frame, /Training CSV\s+\(empty\)/)
    await press(keys.down)
    await edit('train.csv')
    await press(keys.down)
    await edit('label')
    await press(keys.down, keys.right)
    await see(/Model\s+‹ mlp ›\n.*Hidden\s+\(default 32\)/)
    await press(keys.down, keys.down)
    await edit('12')
    await publishNow()
    await waitUntil(() => port.called('publish').length === 2, 'the train project published')
    assert.deepEqual(port.called('publish')[1]?.args[0],
      requestFromOptions({ kernel: 'train', name: 'demo', data: 'train.csv', 'label-col': 'label', model: 'mlp', seed: '1', rounds: '12' }))

    // wgsl in rounds: its longest form scrolls within 80x24, the button reachable.
    await press('2', keys.down, keys.right, keys.right)
    await see('‹ wgsl ›')
    await press(...Array.from({ length: 11 }, () => keys.down))
    await see('› Rounds')
    await edit('3')
    await see(/Rounds\s+3\n.*State file/)
    await press(...Array.from({ length: 8 }, () => keys.down))
    frame = await see('› [ Publish ]')
    const lines = frame.split('\n')
    assert.equal(lines.length, 24, frame)
    for (const line of lines) assert.ok([...line].length <= 80, line)
    assert.match(frame, /↑ \d+ more/)
    assert.match(frame, /State file\s+\(empty\)/)
  } finally {
    ui.unmount()
  }
})
