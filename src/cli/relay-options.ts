import type { OptionValues } from './command.ts'
import { UsageError } from './errors.ts'
import { parseInteger } from './parse-values.ts'
import { parseDuration } from '../node/volunteer/policy/duration.ts'
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from '../node/network/relay.ts'

/** `mesh serve --relay` and its limits: the option spec, its help, and the limits read from it. */

export const RELAY_OPTIONS = {
  relay: { type: 'boolean' },
  'relay-max-reservations': { type: 'string' },
  'relay-max-duration': { type: 'string' },
  'relay-max-data': { type: 'string' }
} as const

export const RELAY_OPTIONS_USAGE = '[--relay [--relay-max-reservations N] [--relay-max-duration D] [--relay-max-data BYTES]]'

export const RELAY_OPTIONS_HELP = `  --relay        also serve as a circuit relay v2 for the mesh (run it on a host with a public
                 address): peers behind NATs hold reservations here, meet through it and hole
                 punch to direct connections; relayed connections carry signalling, never chunks
  --relay-max-reservations N   reservations held at once (default ${DEFAULT_RELAY_LIMITS.maxReservations})
  --relay-max-duration D       how long one relayed connection may stay open (default ${DEFAULT_RELAY_LIMITS.durationLimitMs / 60_000}m)
  --relay-max-data BYTES       bytes one relayed connection may carry each way, e.g. 128KiB, 1MiB
                               (default ${DEFAULT_RELAY_LIMITS.dataLimitBytes / 1024}KiB); the defaults are libp2p's`

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3 }
const MAX_DATA_BYTES = 2 ** 40

/** `128KiB`, `1MiB`, `4096`: a whole number of bytes. */
export function parseBytes (text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = match == null ? undefined : UNITS[match[2]!.toLowerCase()]
  const bytes = match == null || unit == null ? NaN : Math.round(Number(match[1]) * unit)
  if (!(bytes >= 1 && bytes <= MAX_DATA_BYTES)) throw new UsageError(`${flag} expects a size in bytes from 1 to 1TiB, like 131072, 128KiB or 1MiB (got '${text}')`)
  return bytes
}

/** The relay limits of `--relay`; undefined without it. Exit 2 for a limit without --relay, or a malformed one. */
export function relayOptionsFrom (options: OptionValues): RelayLimits | undefined {
  const text = (name: string): string | undefined => typeof options[name] === 'string' ? options[name] : undefined
  const given = ['relay-max-reservations', 'relay-max-duration', 'relay-max-data'].filter(name => text(name) != null)
  if (options.relay !== true) {
    if (given.length > 0) throw new UsageError(`--${given[0]} needs --relay`)
    return undefined
  }
  const reservations = text('relay-max-reservations')
  const duration = text('relay-max-duration')
  const data = text('relay-max-data')
  let durationLimitMs: number | undefined
  if (duration != null) {
    try {
      durationLimitMs = parseDuration(duration, '--relay-max-duration')
    } catch (err: any) {
      throw new UsageError(err.message)
    }
    if (durationLimitMs < 1_000) throw new UsageError(`--relay-max-duration expects at least 1s (got '${duration}')`)
  }
  return {
    ...(reservations != null ? { maxReservations: parseInteger(reservations, '--relay-max-reservations', 1, 10_000) } : {}),
    ...(durationLimitMs != null ? { durationLimitMs } : {}),
    ...(data != null ? { dataLimitBytes: parseBytes(data, '--relay-max-data') } : {})
  }
}
