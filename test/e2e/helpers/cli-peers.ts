import { join } from 'node:path'
import { getKernel } from '../../../src/compute/kernels/index.ts'
import { JsonLines } from '../../helpers/json-lines.ts'
import { runMesh, spawnMesh, type MeshResult } from '../../helpers/run-mesh.ts'
import { makeTempDir, type TempDir } from '../../helpers/tmpdir.ts'
import { uniqueTag } from '../../helpers/peers.ts'
import type { Matrix } from '../../../src/compute/data/matrix.ts'

/**
 * Real `mesh` CLI processes of one test: the same mDNS tag (their own
 * mesh), a data dir each under one temp dir, loopback only. `cleanup()`
 * kills whatever still runs and removes the temp dir.
 */
export class CliMesh {
  private readonly procs: JsonLines[] = []

  private constructor (readonly dir: TempDir, readonly tag: string) {}

  static async create (label: string): Promise<CliMesh> {
    return new CliMesh(await makeTempDir(`mesh-e2e-${label}-`), uniqueTag(label))
  }

  get env (): NodeJS.ProcessEnv {
    return { MESH_MDNS_SERVICE_TAG: this.tag }
  }

  dataDir (name: string): string {
    return join(this.dir.path, name)
  }

  /** Starts `mesh <args> --data-dir <dir>/<dataDir>` listening on loopback, with `env` added to the mesh's. */
  start (dataDir: string, args: string[], listen = '/ip4/127.0.0.1/tcp/0', env: NodeJS.ProcessEnv = {}): JsonLines {
    const proc = new JsonLines(spawnMesh([...args, '--data-dir', this.dataDir(dataDir), '--listen', listen], { ...this.env, ...env }))
    this.procs.push(proc)
    return proc
  }

  /** Runs a short command on a data dir to completion. */
  async run (dataDir: string, args: string[]): Promise<MeshResult> {
    return await runMesh([...args, '--data-dir', this.dataDir(dataDir)], { env: this.env, timeoutMs: 60_000 })
  }

  async cleanup (): Promise<void> {
    for (const proc of this.procs) if (proc.child.exitCode == null && proc.child.signalCode == null) proc.child.kill('SIGKILL')
    await Promise.all(this.procs.map(async proc => await proc.exited))
    await this.dir.remove()
  }
}

/** Sends SIGKILL and waits until the process is gone; answers when it was sent (ms since epoch). */
export async function killNow (proc: JsonLines): Promise<number> {
  const at = Date.now()
  proc.child.kill('SIGKILL')
  await proc.exited
  return at
}

/** JSON lines of the parsed stdout of a finished short command. */
export function jsonLines (stdout: string): any[] {
  return stdout.split('\n').filter(line => line.trim() !== '').map(line => JSON.parse(line))
}

/** C = A x B with the kernel's CPU reference, and a compare within the kernel's tolerance. */
export function compareWithReference (a: Matrix, b: Matrix, c: Matrix): { ok: boolean, maxRelError: number } {
  const kernel = getKernel('matmul')
  const reference = kernel.cpuReference({ kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: a.rows }, rows: a.data, rowCols: a.cols, shared: { b } })
  if (c.rows !== a.rows || c.cols !== b.cols) return { ok: false, maxRelError: Infinity }
  return kernel.compare({}, [{ name: 'a', rows: a.rows, cols: a.cols }, { name: 'b', rows: b.rows, cols: b.cols }], reference, c.data)
}

export function events (proc: JsonLines, name: string): any[] {
  return proc.lines.filter(line => line.event === name)
}
