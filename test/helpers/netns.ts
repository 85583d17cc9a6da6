import { execFile, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { isAlive, NamespaceProcesses } from './ns-processes.ts'

/**
 * Hosts on one LAN, made of network namespaces joined by a bridge
 * (DESIGN.md section 10). Needs root. Names carry the creating process id, so
 * namespaces left by a killed test run are found and removed by the next one.
 * Traffic stays between the namespaces made here: the bridge has no address
 * in the root namespace.
 */

const execFileAsync = promisify(execFile)
const NAME_PREFIX = 'mesh-'
const SUBNET = '10.77.0'

export interface LanHost {
  /** h1, h2, ... */
  readonly label: string
  /** Network namespace name. */
  readonly ns: string
  readonly ip: string
  /** The host's interface inside its namespace. */
  readonly device: string
  /** Its pair's end on the bridge, in the root namespace. */
  readonly bridgePort: string
}

async function ip (...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('ip', args)
  return stdout
}

/** Why namespaces cannot be made here, or undefined when they can. */
export async function namespacesUnavailable (): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'network namespaces need root'
  const probe = `${NAME_PREFIX}${process.pid}-probe${randomBytes(2).toString('hex')}`
  try {
    await ip('netns', 'add', probe)
    await ip('netns', 'del', probe)
    return undefined
  } catch (err: any) {
    return `cannot create a network namespace: ${String(err.stderr ?? err.message).trim()}`
  }
}

/** Removes namespaces and bridges left by test processes that no longer run. */
export async function removeStaleLans (): Promise<void> {
  const names = (await ip('netns', 'list')).split('\n').map(line => line.split(' ')[0]).filter(name => name.startsWith(NAME_PREFIX))
  const bridges = new Set<string>()
  for (const name of names) {
    const match = /^mesh-(\d+)-(mb[0-9a-f]+)-h\d+$/.exec(name)
    if (match == null || isAlive(Number(match[1]))) continue
    await ip('netns', 'del', name).catch(() => {})
    bridges.add(match[2])
  }
  for (const bridge of bridges) await ip('link', 'del', bridge).catch(() => {})
}

export class Lan {
  private readonly processes = new NamespaceProcesses()

  private constructor (readonly bridge: string, readonly hosts: LanHost[]) {}

  /** Creates `count` hosts 10.77.0.1, .2, ... on a fresh bridge. */
  static async create (count: number): Promise<Lan> {
    await removeStaleLans()
    const id = randomBytes(3).toString('hex')
    const bridge = `mb${id}`
    const hosts: LanHost[] = Array.from({ length: count }, (_, i) => ({
      label: `h${i + 1}`,
      ns: `${NAME_PREFIX}${process.pid}-${bridge}-h${i + 1}`,
      ip: `${SUBNET}.${i + 1}`,
      device: `mv${id}p${i + 1}`,
      bridgePort: `mv${id}b${i + 1}`
    }))
    const lan = new Lan(bridge, hosts)
    try {
      await ip('link', 'add', 'name', bridge, 'type', 'bridge')
      await ip('link', 'set', bridge, 'up')
      for (const host of hosts) {
        await ip('netns', 'add', host.ns)
        await ip('link', 'add', host.bridgePort, 'type', 'veth', 'peer', 'name', host.device)
        await ip('link', 'set', host.bridgePort, 'master', bridge)
        await ip('link', 'set', host.bridgePort, 'up')
        await ip('link', 'set', host.device, 'netns', host.ns)
        await ip('-n', host.ns, 'addr', 'add', `${host.ip}/24`, 'dev', host.device)
        await ip('-n', host.ns, 'link', 'set', host.device, 'up')
        await ip('-n', host.ns, 'link', 'set', 'lo', 'up')
        // mDNS multicast leaves through the LAN interface.
        await ip('-n', host.ns, 'route', 'add', '224.0.0.0/4', 'dev', host.device)
      }
    } catch (err) {
      await lan.cleanup()
      throw err
    }
    return lan
  }

  /** Starts a command inside a host (stdio piped). */
  spawn (host: LanHost, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return this.processes.spawn(host.ns, command, args, env)
  }

  /** Starts the real `mesh` CLI inside a host. */
  spawnMesh (host: LanHost, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return this.processes.spawnMesh(host.ns, args, env)
  }

  /** Runs a command inside a host to completion. */
  async exec (host: LanHost, command: string, args: string[]): Promise<{ stdout: string, stderr: string }> {
    return await execFileAsync('ip', ['netns', 'exec', host.ns, command, ...args])
  }

  /** Cuts a host off the LAN (its interface down), or puts it back. */
  async setLink (host: LanHost, up: boolean): Promise<void> {
    await ip('-n', host.ns, 'link', 'set', host.device, up ? 'up' : 'down')
    if (up) await ip('-n', host.ns, 'route', 'replace', '224.0.0.0/4', 'dev', host.device)
  }

  /** Sends a signal to a process started here and waits for it to exit. */
  async kill (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    return await this.processes.kill(child, signal)
  }

  /** Kills every process started here, then removes the namespaces and the bridge. Never throws. */
  async cleanup (): Promise<void> {
    await this.processes.killAll()
    for (const host of this.hosts) await ip('netns', 'del', host.ns).catch(() => {})
    await ip('link', 'del', this.bridge).catch(() => {})
  }
}
