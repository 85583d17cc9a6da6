import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bucketChunkStates, chunkGridRows, countChunkStates } from '../../src/tui/components/chunk-grid.tsx'
import { progressBar } from '../../src/tui/components/progress-bar.tsx'
import { sparkline } from '../../src/tui/components/sparkline.tsx'
import { fitColumns, type Column } from '../../src/tui/components/table.tsx'
import {
  fit, formatAgo, formatBytes, formatDuration, formatEta, formatFlops, formatGflops, formatMs, formatPercent, formatSpeedup, shortId, truncate
} from '../../src/tui/format.ts'
import { defaultExportPath, exportFormReducer } from '../../src/tui/hooks/use-export-form.ts'
import { initialPublishForm, publishFormReducer, type PublishFormAction, type PublishFormState } from '../../src/tui/hooks/use-publish-form.ts'
import { initialNavigation, navigate } from '../../src/tui/navigation.ts'
import { buildPublishSpec, defaultFormValues, visibleFields } from '../../src/tui/publish-form.ts'
import { splitKeys } from '../../src/tui/hooks/split-keys.ts'
import { colorEnabled } from '../../src/tui/theme.tsx'
import { nextDutyCycle } from '../../src/tui/views/volunteer-view.tsx'

test('numbers read the same everywhere', () => {
  assert.equal(formatFlops(12_400_000_000), '12.4 GFLOP')
  assert.equal(formatFlops(512), '512 FLOP')
  assert.equal(formatGflops(850.2), '850.2 GFLOPS')
  assert.equal(formatGflops(1300), '1.3 TFLOPS')
  assert.equal(formatGflops(0), '0 GFLOPS')
  assert.equal(formatBytes(24 * 1024 * 1024), '24.0 MiB')
  assert.equal(formatBytes(900), '900 B')
  assert.equal(formatDuration(850), '850 ms')
  assert.equal(formatDuration(12_300), '12.3 s')
  assert.equal(formatDuration(185_000), '3m 05s')
  assert.equal(formatDuration(3_720_000), '1h 02m')
  assert.equal(formatEta(undefined), '--')
  assert.equal(formatEta(0), 'done')
  assert.equal(formatEta(12.3), '12.3 s')
  assert.equal(formatMs(4.25), '4.3 ms')
  assert.equal(formatMs(12.4), '12 ms')
  assert.equal(formatPercent(0.478), '47%')
  assert.equal(formatPercent(1.2), '100%')
  assert.equal(formatSpeedup(3.66), '3.7x')
  assert.equal(formatAgo(1_000, 1_500), 'just now')
  assert.equal(formatAgo(0, 42_000), '42s ago')
  assert.equal(formatAgo(0, 7_200_000), '2h ago')
  assert.equal(shortId('12D3KooWabcdefgh12345678'), '12345678')
  assert.equal(truncate('constellation', 6), 'const…')
  assert.equal(fit('ab', 4, 'right'), '  ab')
  assert.equal(fit('abcdef', 4), 'abc…')
})

test('bars, sparklines and chunk grids', () => {
  assert.equal(progressBar(0.5, 10), '█████░░░░░')
  assert.equal(progressBar(2, 4), '████')
  assert.equal(sparkline([0, 1, 2, 4], 4), '▁▃▅█')
  assert.equal(sparkline([9, 0, 0, 7, 7], 2), '██')
  assert.equal(sparkline([0, 0], 5), '▁▁')
  assert.deepEqual(bucketChunkStates(['verified', 'queued'], 4), ['verified', 'queued'])
  // Six chunks in three cells: a cell is verified only when all of its chunks are, failed when any is.
  assert.deepEqual(bucketChunkStates(['verified', 'verified', 'verified', 'leased', 'failed', 'verified'], 3), ['verified', 'leased', 'failed'])
  assert.deepEqual(bucketChunkStates(['queued', 'verifying', 'queued', 'queued'], 2), ['verifying', 'queued'])
  assert.equal(chunkGridRows(200, 80, 3), 3)
  assert.equal(chunkGridRows(24, 80, 3), 1)
  assert.deepEqual(countChunkStates(['queued', 'queued', 'failed']), { verified: 0, verifying: 0, leased: 0, queued: 2, failed: 1 })
})

test('tables drop columns by order and share the slack with flexible ones', () => {
  const columns: Column[] = [
    { key: 'name', header: 'name', width: 6, flex: true },
    { key: 'a', header: 'a', width: 10, dropOrder: 1 },
    { key: 'b', header: 'b', width: 10, dropOrder: 2 },
    { key: 'c', header: 'c', width: 4 }
  ]
  assert.deepEqual(fitColumns(columns, 40).map(c => [c.key, c.width]), [['name', 13], ['a', 10], ['b', 10], ['c', 4]])
  assert.deepEqual(fitColumns(columns, 25).map(c => [c.key, c.width]), [['name', 9], ['a', 10], ['c', 4]])
  assert.deepEqual(fitColumns(columns, 12).map(c => [c.key, c.width]), [['name', 7], ['c', 4]])
})

test('navigation: numbered tabs, tab cycling, project screens and back', () => {
  let s = navigate(initialNavigation, { type: 'tab', tab: 'history' })
  assert.deepEqual(s, { tab: 'history' })
  s = navigate(s, { type: 'next-tab', step: 1 })
  assert.deepEqual(s, { tab: 'home' })
  s = navigate(s, { type: 'next-tab', step: -1 })
  assert.deepEqual(s, { tab: 'history' })
  s = navigate(s, { type: 'open', overlay: { kind: 'dashboard', projectId: 'p' }, tab: 'home' })
  assert.deepEqual(s, { tab: 'home', overlay: { kind: 'dashboard', projectId: 'p' } })
  s = navigate(s, { type: 'back' })
  assert.deepEqual(s, { tab: 'home' })
  assert.deepEqual(navigate({ tab: 'health' }, { type: 'back' }), { tab: 'home' })
})

function formAfter (...actions: PublishFormAction[]): PublishFormState {
  return actions.reduce(publishFormReducer, initialPublishForm)
}

test('publish form: fields follow the kernel and inputs; editing can be undone', () => {
  assert.deepEqual(visibleFields(defaultFormValues), ['name', 'kernel', 'source', 'size', 'seed', 'rowsPerChunk', 'redundancy', 'spotCheck', 'submit'])
  const map = formAfter({ type: 'move', step: 1 }, { type: 'enter' })
  assert.equal(map.values.kernel, 'map')
  assert.deepEqual(visibleFields(map.values), ['name', 'kernel', 'wgslPath', 'dataPath', 'outCols', 'rowsPerChunk', 'redundancy', 'spotCheck', 'submit'])
  const files = formAfter({ type: 'move', step: 1 }, { type: 'move', step: 1 }, { type: 'choose', step: -1 })
  assert.equal(files.values.source, 'files')
  const edited = formAfter({ type: 'enter' }, { type: 'erase' }, { type: 'erase' }, { type: 'type', text: 'ta\n' }, { type: 'enter' })
  assert.equal(edited.values.name, 'deta')
  assert.equal(edited.editing, false)
  const undone = formAfter({ type: 'enter' }, { type: 'clear' }, { type: 'type', text: 'x' }, { type: 'cancel' })
  assert.equal(undone.values.name, 'demo')
  const pressed = formAfter(...Array.from({ length: 20 }, () => ({ type: 'move', step: 1 }) as const), { type: 'enter' })
  assert.equal(pressed.focus, 'submit')
  assert.equal(pressed.submitted, 1)
})

test('publish form: specs from the fields, and one message per bad field', () => {
  assert.deepEqual(buildPublishSpec(defaultFormValues).spec, {
    name: 'demo', rowsPerChunk: undefined, redundancy: undefined, spotCheck: undefined, kernel: 'matmul', inputs: { from: 'size', size: 512, seed: 1 }
  })
  assert.deepEqual(buildPublishSpec({ ...defaultFormValues, source: 'shape', shape: '64x32x16', seed: '', rowsPerChunk: '8', redundancy: '2', spotCheck: '0.25' }).spec, {
    name: 'demo', rowsPerChunk: 8, redundancy: 2, spotCheck: 0.25, kernel: 'matmul', inputs: { from: 'shape', m: 64, k: 32, n: 16, seed: undefined }
  })
  assert.deepEqual(buildPublishSpec({ ...defaultFormValues, kernel: 'map', wgslPath: 'f.wgsl', dataPath: 'rows.csv', outCols: '3' }).spec, {
    name: 'demo', rowsPerChunk: undefined, redundancy: undefined, spotCheck: undefined, kernel: 'map', wgslPath: 'f.wgsl', dataPath: 'rows.csv', outCols: 3
  })
  assert.deepEqual(buildPublishSpec({ ...defaultFormValues, name: ' ', size: '-3', spotCheck: '2', redundancy: '1.5' }).errors, {
    name: 'needs a name',
    size: 'size must be a positive whole number',
    spotCheck: 'spot-check must be a fraction from 0 to 1',
    redundancy: 'redundancy must be a positive whole number'
  })
  assert.deepEqual(buildPublishSpec({ ...defaultFormValues, source: 'files' }).errors, { aPath: 'needs a file path', bPath: 'needs a file path' })
  assert.deepEqual(buildPublishSpec({ ...defaultFormValues, source: 'shape', shape: '64x0x2' }).errors, { shape: 'shape must look like MxKxN, e.g. 1024x512x256' })
  const marked = publishFormReducer(initialPublishForm, { type: 'field-errors', errors: { size: 'bad' } })
  assert.equal(marked.focus, 'size')
})

test('publish form: the wgsl kernel, parsed as mesh publish parses its flags', () => {
  const wgsl = { ...defaultFormValues, kernel: 'wgsl', wgslPath: 'pi.wgsl', items: '20000', outCols: '2' }
  assert.deepEqual(visibleFields(wgsl), [
    'name', 'kernel', 'wgslPath', 'itemsFrom', 'items', 'outCols', 'shared', 'params', 'seed', 'output', 'flopsPerItem', 'secondsPerChunk', 'rounds',
    'redundancy', 'spotCheck', 'submit'
  ])
  assert.deepEqual(visibleFields({ ...wgsl, itemsFrom: 'dataset', output: 'image' }).slice(3, 12), [
    'itemsFrom', 'dataPath', 'outCols', 'shared', 'params', 'seed', 'output', 'imageSize', 'flopsPerItem'
  ])
  // Index-only items, a fold, typed lists; rows per chunk (a matmul field) is not the wgsl kernel's.
  assert.deepEqual(buildPublishSpec({
    ...wgsl, rowsPerChunk: '8', shared: ' table=/tmp/t.csv ,  w=w.npy', params: 'samples:u32=100, scale=0.5,k:i32=-3', seed: '18446744073709551615', output: 'reduce sum',
    flopsPerItem: '1e3', secondsPerChunk: '0.5', redundancy: '2'
  }).spec, {
    name: 'demo', redundancy: 2, spotCheck: undefined, kernel: 'wgsl', wgslPath: 'pi.wgsl', items: 20000, outCols: 2,
    shared: [{ name: 'table', path: '/tmp/t.csv' }, { name: 'w', path: 'w.npy' }],
    params: [{ name: 'samples', type: 'u32', value: 100 }, { name: 'scale', type: 'f32', value: 0.5 }, { name: 'k', type: 'i32', value: -3 }],
    seed: '18446744073709551615', reduce: 'sum', flopsPerItem: 1000, secondsPerChunk: 0.5
  })
  // A dataset's rows are the items; an image's pixels are, when the count is left empty.
  assert.deepEqual(buildPublishSpec({ ...wgsl, itemsFrom: 'dataset', dataPath: 'rows.csv', seed: '' }).spec,
    { name: 'demo', redundancy: undefined, spotCheck: undefined, kernel: 'wgsl', wgslPath: 'pi.wgsl', dataPath: 'rows.csv', outCols: 2, shared: [], params: [] })
  assert.deepEqual(buildPublishSpec({ ...wgsl, items: '', outCols: '3', output: 'image', imageSize: '64x48' }).spec,
    { name: 'demo', redundancy: undefined, spotCheck: undefined, kernel: 'wgsl', wgslPath: 'pi.wgsl', items: 3072, outCols: 3, shared: [], params: [], seed: '1', image: { width: 64, height: 48 } })
  assert.deepEqual(buildPublishSpec({
    ...wgsl, items: '0', shared: 'table', params: 'samples:u64=1', seed: '18446744073709551616', output: 'image', imageSize: '64', flopsPerItem: '-1', secondsPerChunk: '0'
  }).errors, {
    items: 'items must be a positive whole number up to 4,294,967,295',
    shared: 'expects NAME=FILE, NAME=FILE (got \'table\')',
    params: 'samples: type must be f32, u32 or i32 (got \'u64\')',
    seed: 'seed must be an integer from 0 to 2^64 - 1 (got 18446744073709551616)',
    imageSize: 'image size must look like WxH, sides 1 to 16384',
    flopsPerItem: 'flops per item must be a number of at least 0',
    secondsPerChunk: 'seconds per chunk must be from 0.01 to 3600'
  })
  // The CLI's name and value rules: WGSL identifiers the mesh does not define, values of their type, each name once.
  assert.equal(buildPublishSpec({ ...wgsl, params: 'fn=1' }).errors?.params, 'param name \'fn\' is a WGSL keyword')
  assert.equal(buildPublishSpec({ ...wgsl, params: 'n:u32=-1' }).errors?.params, 'param n: -1 is not a u32 value')
  assert.equal(buildPublishSpec({ ...wgsl, params: 'n=x' }).errors?.params, 'n: \'x\' is not a number')
  assert.equal(buildPublishSpec({ ...wgsl, shared: 'a=1.csv, a=2.csv' }).errors?.shared, '\'a\' is given twice')
  assert.match(buildPublishSpec({ ...wgsl, shared: 'data=x.csv' }).errors?.shared ?? '', /clashes with a name the mesh defines/)
})

test('export form: default path follows the format until typed by hand', () => {
  assert.equal(defaultExportPath('my matmul #2', 'csv'), 'my-matmul-2.csv')
  let s = exportFormReducer(undefined, { type: 'open', projectName: 'demo' })
  assert.deepEqual(s, { format: 'npy', path: 'demo.npy', pathEdited: false })
  s = exportFormReducer(s, { type: 'format', step: 1 })
  assert.deepEqual(s, { format: 'csv', path: 'demo.csv', pathEdited: false })
  s = exportFormReducer(s, { type: 'erase' })
  s = exportFormReducer(s, { type: 'type', text: 'v' })
  s = exportFormReducer(s, { type: 'format', step: -1 })
  assert.deepEqual(s, { format: 'npy', path: 'demo.csv', pathEdited: true })
  assert.equal(exportFormReducer(s, { type: 'close' }), undefined)
})

test('duty cycle steps down and wraps; NO_COLOR follows the convention', () => {
  assert.equal(nextDutyCycle(1), 0.75)
  assert.equal(nextDutyCycle(0.5), 0.25)
  assert.equal(nextDutyCycle(0.25), 1)
  assert.equal(nextDutyCycle(0.6), 0.5)
  assert.equal(colorEnabled({}), true)
  assert.equal(colorEnabled({ NO_COLOR: '' }), true)
  assert.equal(colorEnabled({ NO_COLOR: '1' }), false)
})

test('keys read together are split into one key per character, described as Ink describes them', () => {
  const one = { return: false, ctrl: false } as any
  assert.deepEqual(splitKeys('q', one), [['q', one]])
  const split = splitKeys('2\r\u0015a\u007F\tB', one)
  assert.deepEqual(split.map(([input, key]) => [input, key.return, key.ctrl, key.backspace, key.tab, key.shift]), [
    ['2', false, false, false, false, false],
    ['', true, false, false, false, false],
    ['u', false, true, false, false, false],
    ['a', false, false, false, false, false],
    ['', false, false, true, false, false],
    ['', false, false, false, true, false],
    ['B', false, false, false, false, true]
  ])
})
