import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { PolicyError } from '../../../src/node/volunteer/policy/errors.ts'
import { DEFAULT_POLICY, UI_DEFAULT_POLICY, type VolunteerPolicy } from '../../../src/node/volunteer/policy/policy.ts'
import { checkPolicy, loadPolicy, parsePolicy, policyToJson, POLICY_KEY, readPolicy, savePolicy } from '../../../src/node/volunteer/policy/store.ts'
import { PREFS_KEY } from '../../../src/node/volunteer/prefs.ts'
import { openStore, type MeshStore } from '../../../src/store/store.ts'
import { makeTempDir, type TempDir } from '../../helpers/tmpdir.ts'

const dirs: TempDir[] = []
const stores: MeshStore[] = []
after(async () => {
  for (const store of stores) await store.close().catch(() => {})
  for (const dir of dirs) await dir.remove()
})

const full: VolunteerPolicy = { when: 'idle', idleAfterMs: 60_000, gpuWhenActive: 'run', onBattery: 'run', schedule: 'mon-fri 18:00-08:00', maxOtherCpu: 40, snoozeUntil: 1_800_000_000_000, idleCommand: 'cat /run/idle' }

test('the stored form round-trips and holds only the fields set', () => {
  assert.deepEqual(parsePolicy(policyToJson(full)), full)
  assert.deepEqual(policyToJson(DEFAULT_POLICY), { when: 'always', idleAfterMs: 180_000, gpuWhenActive: 'pause', onBattery: 'pause' })
  assert.deepEqual(JSON.parse(JSON.stringify(policyToJson(full))), policyToJson(full))
})

test('missing fields take the defaults given; null clears an optional one', () => {
  assert.deepEqual(parsePolicy({}, { defaults: UI_DEFAULT_POLICY }), UI_DEFAULT_POLICY)
  assert.deepEqual(parsePolicy({ idleAfterMs: 90_000 }), { ...DEFAULT_POLICY, idleAfterMs: 90_000 })
  assert.equal(parsePolicy({ schedule: null }, { defaults: full }).schedule, undefined)
  assert.deepEqual(parsePolicy(undefined), DEFAULT_POLICY)
})

test('a bad value is a PolicyError naming the source and the field', () => {
  const message = (value: unknown): string => {
    try {
      parsePolicy(value, { source: 'policy.json' })
    } catch (err) {
      assert.ok(err instanceof PolicyError)
      return err.message
    }
    assert.fail('no error')
  }
  assert.equal(message({ when: 'sometimes' }), 'policy.json: field \'when\' must be \'always\' or \'idle\' (got "sometimes")')
  assert.equal(message({ idleAfterMs: '3m' }), 'policy.json: field \'idleAfterMs\' must be a number of milliseconds from 0 to 366 days (got "3m")')
  assert.equal(message({ maxOtherCpu: 150 }), 'policy.json: field \'maxOtherCpu\' must be a percentage from 0 to 100 (got 150)')
  assert.match(message({ schedule: 'mon-fry' }), /^policy\.json: field 'schedule' is not a schedule: 'mon-fry' is not a day/)
  assert.match(message([1]), /^policy\.json: is not an object/)
  assert.match(message({ when: null }), /field 'when' must be/)
})

test('checkPolicy: a whole policy, every field right', () => {
  assert.deepEqual(checkPolicy(full), full)
  assert.deepEqual(checkPolicy({ ...full, schedule: undefined }), { ...full, schedule: undefined })
  assert.throws(() => checkPolicy({ ...DEFAULT_POLICY, onBattery: undefined } as any), /^PolicyError: volunteer policy: field 'onBattery' is missing$/)
  assert.throws(() => checkPolicy({ ...DEFAULT_POLICY, idleAfterMs: Number.NaN }), /field 'idleAfterMs' must be/)
})

test('readPolicy keeps what it can read and names the rest', () => {
  const { policy, problems } = readPolicy({ when: 'idle', idleAfterMs: -1, onBattery: 'maybe' })
  assert.deepEqual(policy, { ...DEFAULT_POLICY, when: 'idle' })
  assert.equal(problems.length, 2)
  assert.match(problems[0]!, /field 'idleAfterMs'/)
})

test('kept in the store\'s settings next to the preferences; a value of another version never stops the peer', async () => {
  const dir = await makeTempDir('mesh-policy-store-')
  dirs.push(dir)
  const store = await openStore(dir.path)
  stores.push(store)
  assert.notEqual(POLICY_KEY, PREFS_KEY)
  assert.deepEqual(await loadPolicy(store, UI_DEFAULT_POLICY), { policy: UI_DEFAULT_POLICY, problems: [] })
  await savePolicy(store, full)
  assert.deepEqual(await loadPolicy(store), { policy: full, problems: [] })
  await assert.rejects(savePolicy(store, { ...full, maxOtherCpu: 101 }), PolicyError)
  assert.deepEqual((await loadPolicy(store)).policy, full, 'nothing written')

  await store.settings.put(POLICY_KEY, { ...policyToJson(full), idleAfterMs: 'soon' })
  const { policy, problems } = await loadPolicy(store)
  assert.equal(policy.idleAfterMs, DEFAULT_POLICY.idleAfterMs)
  assert.equal(policy.schedule, full.schedule)
  assert.deepEqual(problems, ['stored volunteer policy (settings \'volunteer-policy\'): field \'idleAfterMs\' must be a number of milliseconds from 0 to 366 days (got "soon"), using the default'])
})
