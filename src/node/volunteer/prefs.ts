import { DEFAULT_PREFS } from './index.ts'
import type { MeshStore } from '../../store/store.ts'
import type { VolunteerPrefs } from '../types.ts'

/** Where the volunteer preferences live in `store.settings`. */
export const PREFS_KEY = 'volunteer-prefs'

/**
 * Volunteer preferences kept in the data dir, so a pause or a duty cycle
 * set in the UI holds across restarts. A stored value this version cannot
 * read (or a field out of range) falls back to the default for that field.
 */
export async function loadPrefs (store: Pick<MeshStore, 'settings'>): Promise<VolunteerPrefs> {
  const stored = await store.settings.get(PREFS_KEY) as Partial<Record<keyof VolunteerPrefs, unknown>> | undefined
  if (stored == null || typeof stored !== 'object') return DEFAULT_PREFS
  return {
    paused: typeof stored.paused === 'boolean' ? stored.paused : DEFAULT_PREFS.paused,
    maxDutyCycle: typeof stored.maxDutyCycle === 'number' && stored.maxDutyCycle > 0 && stored.maxDutyCycle <= 1 ? stored.maxDutyCycle : DEFAULT_PREFS.maxDutyCycle,
    acceptCustomWgsl: typeof stored.acceptCustomWgsl === 'boolean' ? stored.acceptCustomWgsl : DEFAULT_PREFS.acceptCustomWgsl
  }
}

export async function savePrefs (store: Pick<MeshStore, 'settings'>, prefs: VolunteerPrefs): Promise<void> {
  await store.settings.put(PREFS_KEY, { paused: prefs.paused, maxDutyCycle: prefs.maxDutyCycle, acceptCustomWgsl: prefs.acceptCustomWgsl })
}
