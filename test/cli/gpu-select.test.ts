import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runMesh } from '../helpers/run-mesh.ts'

function jsonLines (stdout: string): any[] {
  return stdout.trim().split('\n').filter(line => line !== '').map(line => JSON.parse(line))
}

test('mesh gpu --all lists every adapter, numbered, as text and as one JSON object each', async () => {
  const json = await runMesh(['gpu', '--all', '--json'])
  assert.equal(json.code, 0, json.stderr)
  const adapters = jsonLines(json.stdout)
  assert.ok(adapters.length > 0, `no adapter listed; stderr: ${json.stderr}`)
  adapters.forEach((adapter, i) => {
    assert.equal(adapter.index, i)
    for (const field of ['name', 'description', 'vendor', 'backend']) assert.equal(typeof adapter[field], 'string', field)
    assert.ok(['core', 'compatibility'].includes(adapter.featureLevel))
    assert.equal(typeof adapter.fallbackAdapter, 'boolean')
    assert.ok(adapter.limits.maxStorageBufferBindingSize > 0)
  })
  // Dawn's own warnings stay off the terminal; what stderr carries is the backends that offered nothing.
  for (const line of json.stderr.split('\n').filter(l => l !== '')) assert.match(line, /^\w+: (no adapter|'.*' is listed but did not open: .*)$/)

  const text = await runMesh(['gpu', '--all'])
  assert.equal(text.code, 0, text.stderr)
  assert.equal(text.stderr, '')
  for (const adapter of adapters) {
    assert.match(text.stdout, new RegExp(`^${adapter.index} +${escape(adapter.name !== '' ? adapter.name : adapter.description)}$`, 'm'))
    assert.match(text.stdout, new RegExp(`^ +description +${escape(adapter.description)}$`, 'm'))
  }
  assert.match(text.stdout, new RegExp(`^ +backend +${adapters[0].backend} \\(${adapters[0].featureLevel}\\)`, 'm'))
  console.log(text.stdout)
})

test('mesh gpu --gpu N opens that adapter; a bad N, a name matching none, or --all with it exit 2 in one line', async () => {
  const adapters = jsonLines((await runMesh(['gpu', '--all', '--json'])).stdout)
  const last = adapters.at(-1)
  const chosen = await runMesh(['gpu', '--gpu', String(last.index), '--json'])
  assert.equal(chosen.code, 0, chosen.stderr)
  assert.equal(jsonLines(chosen.stdout)[0].description, last.description)

  const bad = await runMesh(['gpu', '--gpu', String(adapters.length)])
  assert.equal(bad.code, 2)
  assert.equal(bad.stdout, '')
  assert.match(bad.stderr, new RegExp(`^mesh: gpu '${adapters.length}': there is no adapter ${adapters.length} \\(adapters here: 0 .*\\)\\n$`))

  const none = await runMesh(['gpu', '--gpu', 'no-such-gpu-anywhere'])
  assert.equal(none.code, 2)
  assert.match(none.stderr, /^mesh: gpu 'no-such-gpu-anywhere': no adapter's name contains 'no-such-gpu-anywhere' \(adapters here: 0 .*\)\n$/)

  const both = await runMesh(['gpu', '--all', '--gpu', '0'])
  assert.equal(both.code, 2)
  assert.match(both.stderr, /^mesh: gpu: --all lists every adapter and --gpu opens one: give one of them$/m)
})

function escape (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
