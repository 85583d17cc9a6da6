import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { parseCommandLine } from '../../src/cli.ts'
import { commands } from '../../src/cli/commands/index.ts'
import { requestFromOptions } from '../../src/cli/commands/publish.ts'
import { UsageError } from '../../src/cli/errors.ts'
import { toGlobalOptions } from '../../src/cli/global-options.ts'
import { nodeOptionsFrom } from '../../src/cli/node-options.ts'
import { parseInteger, parseNumber, parseShape } from '../../src/cli/parse-values.ts'
import { InputError } from '../../src/errors.ts'
import { generateSwarmKey, parseSwarmKey, SwarmKeyError } from '../../src/node/network/swarm-key.ts'
import { fuzzOptions } from './support.ts'

function refusal (fn: () => unknown): unknown {
  try {
    fn()
    return undefined
  } catch (err) {
    return err
  }
}

function assertOneLineInputError (err: unknown): void {
  assert.ok(err instanceof InputError, `expected an InputError, got ${(err as Error)?.stack ?? String(err)}`)
  assert.equal(err.message.split('\n').length, 1, err.message)
}

test('any text is a swarm key in the libp2p format or refused with SwarmKeyError; a generated key survives spacing, CRLF and case', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), text => {
    const err = refusal(() => parseSwarmKey(text, 'k.key'))
    if (err == null) assert.match(new TextDecoder().decode(parseSwarmKey(text)), /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/)
    else assert.ok(err instanceof SwarmKeyError && err.message.startsWith('k.key: '), String(err))
  }), fuzzOptions(300))
  fc.assert(fc.property(fc.constantFrom('\n', '\r\n', '\r', '\n\n'), fc.constantFrom('', ' ', '\t'), fc.boolean(), (newline, pad, upper) => {
    const key = generateSwarmKey()
    const lines = key.trim().split('\n').map((line, i) => pad + (i === 2 && upper ? line.toUpperCase() : line) + pad)
    assert.deepEqual(parseSwarmKey(lines.join(newline) + newline), parseSwarmKey(key))
  }), fuzzOptions(50))
})

test('numeric flags take exactly the numbers in range and refuse the rest with the flag named', () => {
  fc.assert(fc.property(fc.oneof(fc.integer({ min: -100, max: 100 }).map(String), fc.double().map(String), fc.string({ maxLength: 10 })), text => {
    const integer = refusal(() => parseInteger(text, '--n', 1, 50))
    if (integer == null) {
      const value = parseInteger(text, '--n', 1, 50)
      assert.ok(Number.isInteger(value) && value >= 1 && value <= 50 && value === Number(text.trim()))
    } else {
      assertOneLineInputError(integer)
      assert.match((integer as Error).message, /^--n expects/)
    }
    const number = refusal(() => parseNumber(text, '--p', 0, 1))
    if (number == null) assert.ok(parseNumber(text, '--p', 0, 1) >= 0 && parseNumber(text, '--p', 0, 1) <= 1)
    else assertOneLineInputError(number)
    const shape = refusal(() => parseShape(text, '--shape', 3, 64))
    if (shape == null) assert.ok(parseShape(text, '--shape', 3, 64).every(n => Number.isInteger(n) && n >= 1 && n <= 64))
    else assertOneLineInputError(shape)
  }), fuzzOptions(300))
})

/** Words a user (or a script gone wrong) might type after `mesh`. */
const optionNames = [...new Set(commands.flatMap(c => Object.keys(c.options)).concat(['data-dir', 'listen', 'bootstrap', 'no-mdns', 'swarm-key', 'name', 'help', 'version']))]
const word = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...optionNames).map(name => `--${name}`) },
  { weight: 2, arbitrary: fc.constantFrom(...commands.map(c => c.name)) },
  { weight: 2, arbitrary: fc.constantFrom('8', '0', '-1', '2x3x4', 'matmul', 'map', 'a.npy', '', '=', '--', '-h', '-x', '/ip4/1.2.3.4/tcp/1') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...optionNames), fc.string({ maxLength: 8 })).map(([name, value]) => `--${name}=${value}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }
)

test('any command line parses or is refused with a one-line usage error', () => {
  fc.assert(fc.property(fc.array(word, { maxLength: 8 }), argv => {
    let parsed: ReturnType<typeof parseCommandLine>
    try {
      parsed = parseCommandLine(argv)
    } catch (err) {
      assertOneLineInputError(err)
      return
    }
    const global = refusal(() => toGlobalOptions(parsed.values))
    if (global != null) assertOneLineInputError(global)
    if (parsed.command?.name === 'publish') {
      const request = refusal(() => requestFromOptions(parsed.values))
      if (request != null) assertOneLineInputError(request)
    }
  }), fuzzOptions(500))
})

test('any --listen and --bootstrap text becomes node options or a one-line usage error', async () => {
  const address = fc.oneof(fc.constantFrom('/ip4/127.0.0.1/tcp/0', '/ip4/10.0.0.5/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', '/dns4/lab/tcp/1', '/ip4/999.1.1.1/tcp/1', '/p2p/bad'), fc.string({ maxLength: 30 }))
  await fc.assert(fc.asyncProperty(fc.array(address, { maxLength: 2 }), fc.array(address, { maxLength: 2 }), async (listen, bootstrap) => {
    try {
      await nodeOptionsFrom({ dataDir: '/nonexistent', listen, bootstrap, mdns: false }, {})
    } catch (err) {
      assert.ok(err instanceof UsageError, `expected UsageError, got ${String(err)}`)
      assert.equal(err.message.split('\n').length, 1)
    }
  }), fuzzOptions(300))
})
