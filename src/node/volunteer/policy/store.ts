import { MAX_DURATION_MS } from './duration.ts'
import { PolicyError } from './errors.ts'
import { parseSchedule } from './schedule.ts'
import { DEFAULT_POLICY, type VolunteerPolicy } from './policy.ts'
import type { MeshStore } from '../../../store/store.ts'

/**
 * The policy as JSON, kept like the volunteer preferences (prefs.ts): in
 * the store's `settings` sublevel, under its own key, so that each can
 * change without the other. Reading checks every field: parsePolicy()
 * throws naming the field (for input from outside, e.g. a control socket or
 * a file); loadPolicy() keeps the fields it can read and says which it could
 * not, so that a value written by another version never stops a peer.
 */

/** Where the policy lives in `store.settings`. */
export const POLICY_KEY = 'volunteer-policy'

/** The stored form: a plain object, absent fields meaning the defaults. */
export interface PolicyJson {
  when?: VolunteerPolicy['when']
  idleAfterMs?: number
  gpuWhenActive?: VolunteerPolicy['gpuWhenActive']
  onBattery?: VolunteerPolicy['onBattery']
  schedule?: string
  maxOtherCpu?: number
  snoozeUntil?: number
  idleCommand?: string
}

type Field = keyof VolunteerPolicy
type Check = (value: unknown) => string | undefined

const oneOf = (...options: string[]): Check => value =>
  typeof value === 'string' && options.includes(value) ? undefined : `must be ${options.map(o => `'${o}'`).join(' or ')}`
const numberIn = (min: number, max: number, what: string): Check => value =>
  typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? undefined : `must be ${what}`

const CHECKS: Record<Field, Check> = {
  when: oneOf('always', 'idle'),
  idleAfterMs: numberIn(0, MAX_DURATION_MS, 'a number of milliseconds from 0 to 366 days'),
  gpuWhenActive: oneOf('pause', 'run'),
  onBattery: oneOf('pause', 'run'),
  schedule: value => {
    if (typeof value !== 'string') return 'must be a schedule such as \'mon-fri 18:00-08:00, sat-sun\''
    try {
      parseSchedule(value)
      return undefined
    } catch (err) {
      return err instanceof PolicyError ? `is not a schedule: ${err.problem}` : String(err)
    }
  },
  maxOtherCpu: numberIn(0, 100, 'a percentage from 0 to 100'),
  snoozeUntil: numberIn(0, Number.MAX_SAFE_INTEGER, 'a time in milliseconds since 1970'),
  idleCommand: value => typeof value === 'string' && value.trim() !== '' ? undefined : 'must be a command line'
}
/** Fields that may be absent (or null) in the stored form. */
const OPTIONAL = new Set<Field>(['schedule', 'maxOtherCpu', 'snoozeUntil', 'idleCommand'])

/** Reads a policy, fields missing taking `defaults`; a PolicyError naming `source` and the first bad field. */
export function parsePolicy (value: unknown, init: { source?: string, defaults?: VolunteerPolicy } = {}): VolunteerPolicy {
  const { policy, problems } = readPolicy(value, init)
  if (problems.length > 0) throw new PolicyError(init.source ?? 'volunteer policy', problems[0]!)
  return policy
}

/** As parsePolicy, but a bad field takes its default and is named in `problems`. */
export function readPolicy (value: unknown, init: { defaults?: VolunteerPolicy } = {}): { policy: VolunteerPolicy, problems: string[] } {
  const defaults = init.defaults ?? DEFAULT_POLICY
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    return { policy: defaults, problems: value == null ? [] : ['is not an object of policy fields'] }
  }
  const stored = value as Record<string, unknown>
  const policy: Record<string, unknown> = { ...defaults }
  const problems: string[] = []
  for (const field of Object.keys(CHECKS) as Field[]) {
    const given = stored[field]
    if (given === undefined || (given === null && OPTIONAL.has(field))) {
      if (given === null) delete policy[field]
      continue
    }
    const problem = CHECKS[field](given)
    if (problem == null) policy[field] = given
    else problems.push(`field '${field}' ${problem} (got ${JSON.stringify(given)?.slice(0, 60)})`)
  }
  return { policy: policy as unknown as VolunteerPolicy, problems }
}

/** The stored form of `policy`: every field it sets, nothing else. */
export function policyToJson (policy: VolunteerPolicy): PolicyJson {
  const json: Record<string, unknown> = {}
  for (const field of Object.keys(CHECKS) as Field[]) {
    if (policy[field] !== undefined) json[field] = policy[field]
  }
  return json as PolicyJson
}

/** The stored policy, fields not stored (or unreadable: see `problems`) taking `defaults`. */
export async function loadPolicy (store: Pick<MeshStore, 'settings'>, defaults: VolunteerPolicy = DEFAULT_POLICY): Promise<{ policy: VolunteerPolicy, problems: string[] }> {
  const { policy, problems } = readPolicy(await store.settings.get(POLICY_KEY), { defaults })
  return { policy, problems: problems.map(problem => `stored volunteer policy (settings '${POLICY_KEY}'): ${problem}, using the default`) }
}

/** `policy` if every field is right; else a PolicyError naming the field. */
export function checkPolicy (policy: VolunteerPolicy, source = 'volunteer policy'): VolunteerPolicy {
  const missing = (Object.keys(CHECKS) as Field[]).find(field => !OPTIONAL.has(field) && policy[field] === undefined)
  if (missing != null) throw new PolicyError(source, `field '${missing}' is missing`)
  return parsePolicy(policyToJson(policy), { source, defaults: policy })
}

/** Saves `policy` after checking it: a PolicyError names a bad field and nothing is written. */
export async function savePolicy (store: Pick<MeshStore, 'settings'>, policy: VolunteerPolicy): Promise<void> {
  await store.settings.put(POLICY_KEY, policyToJson(checkPolicy(policy)))
}
