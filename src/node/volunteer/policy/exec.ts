import { spawn } from 'node:child_process'

/**
 * Runs a platform tool (`loginctl`, `ioreg`, `pmset`, PowerShell) or the
 * user's idle command and answers its output, or throws an Error whose
 * message says in a line what went wrong (not installed, timed out, exit
 * status and the first line of stderr). A command past its time is killed
 * with its whole process group, so a shell's children go too.
 */

export interface RunOptions {
  readonly timeoutMs?: number
  /** Through the shell (`/bin/sh -c`, or cmd.exe on Windows): the user's `--idle-command`. */
  readonly shell?: boolean
  readonly env?: NodeJS.ProcessEnv
}

const DEFAULT_TIMEOUT_MS = 5_000
/** Output beyond this is not a reading: the rest is dropped. */
const MAX_OUTPUT_BYTES = 1024 * 1024

export async function runCommand (file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const label = options.shell === true ? `'${file}'` : file
  return await new Promise<string>((resolve, reject) => {
    const group = process.platform !== 'win32'
    const child = spawn(file, args, {
      shell: options.shell === true,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      detached: group,
      env: options.env ?? process.env
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let size = 0
    const keep = (into: Buffer[]) => (chunk: Buffer): void => {
      if (size >= MAX_OUTPUT_BYTES) return
      size += chunk.length
      into.push(chunk)
    }
    child.stdout.on('data', keep(stdout))
    child.stderr.on('data', keep(stderr))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      kill(child.pid, group)
    }, timeoutMs)
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(new Error(err.code === 'ENOENT' ? `${label} is not installed (not found on PATH)` : `${label} could not start: ${err.message}`))
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const out = Buffer.concat(stdout).toString('utf8')
      const err = Buffer.concat(stderr).toString('utf8').trim().split('\n')[0]?.trim() ?? ''
      if (timedOut) reject(new Error(`${label} gave no answer within ${timeoutMs} ms`))
      else if (code === 0) resolve(out)
      // The shell's "not found" is the same problem as spawn's ENOENT.
      else if (options.shell === true && code === 127) reject(new Error(`${label} failed: command not found${err !== '' ? ` (${err})` : ''}`))
      else reject(new Error(`${label} ${signal != null ? `was killed by ${signal}` : `exited with status ${code}`}${err !== '' ? `: ${err}` : ''}`))
    })
  })
}

function kill (pid: number | undefined, group: boolean): void {
  if (pid == null) return
  try {
    process.kill(group ? -pid : pid, 'SIGKILL')
  } catch {
    // Gone already.
  }
}
