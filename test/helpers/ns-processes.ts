import { spawn, type ChildProcess } from 'node:child_process'
import { meshBin } from './run-mesh.ts'

/** The processes a test starts inside network namespaces, so that its cleanup can kill every one of them. */
export class NamespaceProcesses {
  private readonly running = new Set<ChildProcess>()

  /** Starts a command inside namespace `ns` (stdio piped). */
  spawn (ns: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    this.running.add(child)
    child.on('close', () => this.running.delete(child))
    return child
  }

  /** Starts the real `mesh` CLI inside namespace `ns`. */
  spawnMesh (ns: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return this.spawn(ns, process.execPath, [meshBin, ...args], env)
  }

  /** Sends a signal to a process started here and waits for it to exit. */
  async kill (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (child.exitCode != null || child.signalCode != null) return child.exitCode
    const exited = new Promise<number | null>(resolve => child.once('close', code => { resolve(code) }))
    child.kill(signal)
    return await exited
  }

  async killAll (): Promise<void> {
    await Promise.all([...this.running].map(async child => { await this.kill(child, 'SIGKILL') }))
  }
}

/** Whether a process still runs (EPERM: it does, owned by someone else). */
export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    return err.code === 'EPERM'
  }
}
