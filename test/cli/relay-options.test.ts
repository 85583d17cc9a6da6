import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runMesh } from '../helpers/run-mesh.ts'
import { parseBytes, relayOptionsFrom } from '../../src/cli/relay-options.ts'
import { UsageError } from '../../src/cli/errors.ts'

test('given --relay, unset limits stay libp2p\'s defaults and set ones are read', () => {
  assert.deepEqual(relayOptionsFrom({ relay: true }), {})
  assert.deepEqual(relayOptionsFrom({ relay: true, 'relay-max-reservations': '40', 'relay-max-duration': '5m', 'relay-max-data': '1MiB' }), { maxReservations: 40, durationLimitMs: 300_000, dataLimitBytes: 1_048_576 })
  assert.equal(relayOptionsFrom({}), undefined)
  assert.equal(parseBytes('128KiB', '--x'), 131_072)
  assert.equal(parseBytes('4096', '--x'), 4096)
})

test('given a bad relay limit, or a limit without --relay, the error is one line', () => {
  for (const options of [{ relay: true, 'relay-max-data': '5 parsecs' }, { relay: true, 'relay-max-duration': 'soon' }, { relay: true, 'relay-max-reservations': '0' }, { 'relay-max-data': '1MiB' }]) {
    assert.throws(() => relayOptionsFrom(options), (err: Error) => err instanceof UsageError && !err.message.includes('\n'), JSON.stringify(options))
  }
})

test('mesh serve with a malformed relay limit exits 2 with one line naming the flag', async () => {
  const { code, stderr } = await runMesh(['serve', '--relay', '--relay-max-data', 'lots', '--no-mdns'])
  assert.equal(code, 2)
  assert.equal(stderr.trim().split('\n').length, 1)
  assert.match(stderr, /--relay-max-data expects a size in bytes/)
})

test('mesh doctor with a bad --wait exits 2; its help names the verdicts', async () => {
  const bad = await runMesh(['doctor', '--wait', 'forever'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--wait expects a number/)
  const help = await runMesh(['doctor', '--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /direct, upnp, relay,\s+unreachable/)
})
