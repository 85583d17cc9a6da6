import { spawn } from 'node:child_process'

/**
 * Runs `node --import tsx <script> <args>` in a private network namespace
 * whose loopback is shaped to `rateMbit` (a token bucket on lo), so two
 * processes talk over something like a lab's wired link instead of a
 * memory copy. Needs root, unshare and tc; answers the script's last stdout
 * line parsed as JSON, or throws saying what is missing.
 */
export async function runOnShapedLink<T> (rateMbit: number, script: string, args: string[]): Promise<T> {
  if (process.getuid?.() !== 0) throw new Error('a shaped link needs root (unshare --net and tc)')
  const shape = [
    'ip link set lo up',
    // burst: a few milliseconds of traffic at the rate, as a NIC's queue holds.
    `tc qdisc add dev lo root tbf rate ${rateMbit}mbit burst ${Math.max(64, Math.round(rateMbit / 8 * 4))}kb latency 20ms`,
    'exec "$0" "$@"'
  ].join(' && ')
  const child = spawn('unshare', ['--net', 'sh', '-c', shape, process.execPath, '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (data: Buffer) => { out += data.toString() })
  child.stderr.on('data', (data: Buffer) => { err += data.toString() })
  const code = await new Promise<number | null>(resolve => {
    child.once('error', () => { resolve(-1) })
    child.once('exit', resolve)
  })
  const line = out.trim().split('\n').at(-1) ?? ''
  if (code !== 0 || !line.startsWith('{')) throw new Error(`the shaped-link run exited with ${code}: ${err.trim().split('\n').filter(l => !/Vulkan/.test(l)).slice(-3).join(' / ')}`)
  return JSON.parse(line) as T
}
