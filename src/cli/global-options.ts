import type { ParseArgsOptionsConfig } from 'node:util'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from './errors.ts'
import type { OptionValues } from './command.ts'

/** Options every command accepts, before or after the command name. */
export const globalOptionSpec = {
  'data-dir': { type: 'string' },
  listen: { type: 'string', multiple: true },
  bootstrap: { type: 'string', multiple: true },
  'no-mdns': { type: 'boolean' },
  'no-upnp': { type: 'boolean' },
  'swarm-key': { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' }
} as const satisfies ParseArgsOptionsConfig

export const globalOptionsHelp = `global options:
  --data-dir DIR        where this peer keeps its key and database (default: $XDG_DATA_HOME/mesh)
  --listen MULTIADDR    address to listen on (repeatable; default /ip4/0.0.0.0/tcp/0)
  --bootstrap MULTIADDR peer to dial at start, beyond the LAN (repeatable)
  --no-mdns             do not discover peers on the LAN
  --no-upnp             do not ask the router to map this peer's port (UPnP/NAT-PMP)
  --swarm-key FILE      join the private mesh of this pre-shared key (see \`mesh swarm-key\`)
  --name NAME           display name of this peer
  -h, --help            show help
  -v, --version         show the version`

export interface GlobalOptions {
  readonly dataDir: string
  readonly listen: string[]
  readonly bootstrap: string[]
  readonly mdns: boolean
  /** Map the listen port on the router with UPnP; default true (false with --no-upnp). */
  readonly upnp?: boolean
  readonly swarmKeyFile?: string
  readonly name?: string
}

export function defaultDataDir (env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME != null && env.XDG_DATA_HOME !== ''
    ? env.XDG_DATA_HOME
    : process.platform === 'darwin'
      ? join(homedir(), 'Library', 'Application Support')
      : join(homedir(), '.local', 'share')
  return join(base, 'mesh')
}

export function toGlobalOptions (values: OptionValues): GlobalOptions {
  const dataDir = values['data-dir']
  if (dataDir === '') throw new UsageError('--data-dir needs a directory')
  return {
    dataDir: typeof dataDir === 'string' ? dataDir : defaultDataDir(),
    listen: (values.listen as string[] | undefined) ?? [],
    bootstrap: (values.bootstrap as string[] | undefined) ?? [],
    mdns: values['no-mdns'] !== true,
    upnp: values['no-upnp'] !== true,
    swarmKeyFile: values['swarm-key'] as string | undefined,
    name: values.name as string | undefined
  }
}
