import { execFile, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { isAlive, NamespaceProcesses } from './ns-processes.ts'

/**
 * A simulated internet made of network namespaces (DESIGN.md section 14):
 * an "internet" namespace holding a bridge, public hosts on it, and LANs
 * behind router namespaces that NAT with nftables. Needs root and `nft`.
 *
 * - public hosts: 11.77.0.10, .11, ... on the bridge (addresses libp2p
 *   counts as public; no namespace made here routes anywhere else, so no
 *   packet leaves them);
 * - each LAN: a router with 11.77.0.2N on the bridge and 10.N.0.1 inside,
 *   and one host 10.N.0.2 whose default route is the router;
 * - a router masquerades what leaves for the bridge and drops what comes in
 *   unasked (no reply: an unsolicited SYN gets no RST, as at a home router).
 *   `cone`: Linux keeps the source port when it can, so the mapping is
 *   endpoint-independent and port-preserving and hole punching can pass;
 *   `symmetric`: `masquerade fully-random` gives every destination its own
 *   random port (address- and port-dependent mapping).
 *
 * Names carry the creating process id, so what a killed run left is removed
 * by the next one (removeStaleInternets).
 */

const execFileAsync = promisify(execFile)
const PREFIX = 'meshnat-'
export const PUBLIC_SUBNET = '11.77.0'

export type NatKind = 'cone' | 'symmetric'

export interface NetHost {
  /** e.g. relay, a, b */
  readonly label: string
  readonly ns: string
  readonly ip: string
}

export interface NatLan {
  readonly label: string
  readonly nat: NatKind
  readonly router: NetHost & { readonly lanIp: string }
  readonly host: NetHost
}

async function run (command: string, args: string[], input?: string): Promise<string> {
  if (input == null) return (await execFileAsync(command, args)).stdout
  return await new Promise((resolve, reject) => {
    const child = execFile(command, args, (err, stdout, stderr) => { err != null ? reject(Object.assign(err, { stderr })) : resolve(stdout) })
    child.stdin!.end(input)
  })
}

async function ip (...args: string[]): Promise<string> {
  return await run('ip', args)
}

/** Why a simulated internet cannot be made here, or undefined when it can. */
export async function internetUnavailable (): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'network namespaces need root'
  try {
    await run('nft', ['--version'])
  } catch {
    return 'nft is not installed (apt-get install nftables; scripts/setup.sh does)'
  }
  const probe = `${PREFIX}${process.pid}-probe${randomBytes(2).toString('hex')}`
  try {
    await ip('netns', 'add', probe)
    await run('ip', ['netns', 'exec', probe, 'nft', '-f', '-'], 'table ip probe {\n  chain post {\n    type nat hook postrouting priority srcnat; policy accept;\n    masquerade\n  }\n}\n')
    return undefined
  } catch (err: any) {
    return `cannot NAT in a network namespace: ${String(err.stderr ?? err.message).trim()}`
  } finally {
    await ip('netns', 'del', probe).catch(() => {})
  }
}

/** Removes namespaces left by test processes that no longer run. */
export async function removeStaleInternets (): Promise<void> {
  const names = (await ip('netns', 'list')).split('\n').map(line => line.split(' ')[0]).filter(name => name.startsWith(PREFIX))
  for (const name of names) {
    const pid = Number(/^meshnat-(\d+)-/.exec(name)?.[1])
    if (Number.isFinite(pid) && !isAlive(pid)) await ip('netns', 'del', name).catch(() => {})
  }
}

function routerRules (wan: string, lan: string, nat: NatKind): string {
  return `table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${wan}" masquerade${nat === 'symmetric' ? ' fully-random' : ''}
  }
}
table inet filter {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "${wan}" ct state established,related accept
    iifname "${wan}" drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    iifname "${lan}" oifname "${wan}" accept
    iifname "${wan}" oifname "${lan}" ct state established,related accept
  }
}
`
}

export interface InternetSpec {
  /** Labels of the hosts on the public bridge, e.g. ['relay', 'public']. */
  readonly publicHosts: readonly string[]
  /** One LAN per entry, behind its own router. */
  readonly lans: ReadonlyArray<{ readonly label: string, readonly nat: NatKind }>
}

export class Internet {
  private readonly processes = new NamespaceProcesses()
  private readonly namespaces: string[] = []

  private constructor (readonly id: string, readonly publicHosts: NetHost[], readonly lans: NatLan[]) {}

  static async create (spec: InternetSpec): Promise<Internet> {
    await removeStaleInternets()
    const id = randomBytes(3).toString('hex')
    const name = (role: string): string => `${PREFIX}${process.pid}-${id}-${role}`
    const core = name('internet')
    const publicHosts = spec.publicHosts.map((label, i) => ({ label, ns: name(label), ip: `${PUBLIC_SUBNET}.${10 + i}` }))
    const lans: NatLan[] = spec.lans.map((lan, i) => ({
      label: lan.label,
      nat: lan.nat,
      router: { label: `router-${lan.label}`, ns: name(`r${lan.label}`), ip: `${PUBLIC_SUBNET}.${21 + i}`, lanIp: `10.${i + 1}.0.1` },
      host: { label: lan.label, ns: name(lan.label), ip: `10.${i + 1}.0.2` }
    }))
    const internet = new Internet(id, publicHosts, lans)
    try {
      await internet.addNamespace(core)
      await ip('-n', core, 'link', 'add', 'br0', 'type', 'bridge')
      await ip('-n', core, 'link', 'set', 'br0', 'up')
      let port = 0
      // A veth from the internet's bridge into `ns`, named `dev` there.
      const plug = async (ns: string, dev: string, address: string): Promise<void> => {
        const outer = `p${port++}`
        await ip('-n', core, 'link', 'add', outer, 'type', 'veth', 'peer', 'name', dev, 'netns', ns)
        await ip('-n', core, 'link', 'set', outer, 'master', 'br0')
        await ip('-n', core, 'link', 'set', outer, 'up')
        await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', dev)
        await ip('-n', ns, 'link', 'set', dev, 'up')
      }
      for (const host of publicHosts) {
        await internet.addNamespace(host.ns)
        await plug(host.ns, 'wan0', host.ip)
      }
      for (const lan of lans) {
        await internet.addNamespace(lan.router.ns)
        await internet.addNamespace(lan.host.ns)
        await plug(lan.router.ns, 'wan0', lan.router.ip)
        await ip('-n', lan.router.ns, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan.host.ns)
        await ip('-n', lan.router.ns, 'addr', 'add', `${lan.router.lanIp}/24`, 'dev', 'lan0')
        await ip('-n', lan.router.ns, 'link', 'set', 'lan0', 'up')
        await ip('-n', lan.host.ns, 'addr', 'add', `${lan.host.ip}/24`, 'dev', 'eth0')
        await ip('-n', lan.host.ns, 'link', 'set', 'eth0', 'up')
        await ip('-n', lan.host.ns, 'route', 'add', 'default', 'via', lan.router.lanIp)
        await run('ip', ['netns', 'exec', lan.router.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
        await run('ip', ['netns', 'exec', lan.router.ns, 'nft', '-f', '-'], routerRules('wan0', 'lan0', lan.nat))
      }
    } catch (err) {
      await internet.cleanup()
      throw err
    }
    return internet
  }

  /** A host by label: a public host or a LAN's host. */
  host (label: string): NetHost {
    const found = this.publicHosts.find(h => h.label === label) ?? this.lans.find(l => l.label === label)?.host
    if (found == null) throw new Error(`no host ${label}`)
    return found
  }

  lan (label: string): NatLan {
    const found = this.lans.find(l => l.label === label)
    if (found == null) throw new Error(`no LAN ${label}`)
    return found
  }

  /** Starts a command inside a host (stdio piped). */
  spawn (host: NetHost, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return this.processes.spawn(host.ns, command, args, env)
  }

  /** Starts the real `mesh` CLI inside a host. */
  spawnMesh (host: NetHost, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return this.processes.spawnMesh(host.ns, args, env)
  }

  /** Runs a command inside a namespace to completion. */
  async exec (ns: string, command: string, args: string[]): Promise<string> {
    return await run('ip', ['netns', 'exec', ns, command, ...args])
  }

  /** The router's NAT table (conntrack entries are not listed: `conntrack` is not installed). */
  async routerRules (lan: string): Promise<string> {
    return await this.exec(this.lan(lan).router.ns, 'nft', ['list', 'ruleset'])
  }

  /**
   * Byte counters in a namespace: each entry names an nft match (e.g.
   * `ip daddr 11.77.0.21`, or '' for everything) counted at a hook (input,
   * output, forward). Read them with counters().
   */
  async addCounters (ns: string, hook: 'input' | 'output' | 'forward', counters: Record<string, string>): Promise<void> {
    const names = Object.keys(counters)
    const chain = `c${hook}`
    await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], `table inet meshcount {
${names.map(name => `  counter ${name} {}`).join('\n')}
  chain ${chain} {
    type filter hook ${hook} priority -10; policy accept;
${names.map(name => `    ${counters[name]} counter name ${name}`).join('\n')}
  }
}
`)
  }

  /** The bytes each counter of a namespace counted. */
  async counters (ns: string): Promise<Record<string, number>> {
    const listing = JSON.parse(await this.exec(ns, 'nft', ['-j', 'list', 'counters', 'table', 'inet', 'meshcount']))
    const bytes: Record<string, number> = {}
    for (const item of listing.nftables ?? []) if (item.counter != null) bytes[item.counter.name] = item.counter.bytes
    return bytes
  }

  async kill (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    return await this.processes.kill(child, signal)
  }

  /** Kills every process started here, then removes every namespace (and with them their links). Never throws. */
  async cleanup (): Promise<void> {
    await this.processes.killAll()
    for (const ns of this.namespaces.reverse()) await ip('netns', 'del', ns).catch(() => {})
  }

  private async addNamespace (ns: string): Promise<void> {
    await ip('netns', 'add', ns)
    this.namespaces.push(ns)
    await ip('-n', ns, 'link', 'set', 'lo', 'up')
  }
}
