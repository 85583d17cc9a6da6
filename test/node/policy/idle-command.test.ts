import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { CommandIdle } from '../../../src/node/volunteer/policy/idle/command.ts'
import { selectIdleBackend } from '../../../src/node/volunteer/policy/idle/select.ts'
import { runCommand } from '../../../src/node/volunteer/policy/exec.ts'
import { makeTempDir, type TempDir } from '../../helpers/tmpdir.ts'

const dirs: TempDir[] = []
after(async () => { for (const dir of dirs) await dir.remove() })

async function idleFile (text?: string): Promise<string> {
  const dir = await makeTempDir('mesh-idle-command-')
  dirs.push(dir)
  const file = join(dir.path, 'idle')
  if (text != null) await writeFile(file, text)
  return file
}

test('--idle-command for real: a command that cats a file', async () => {
  const file = await idleFile('12.5\n')
  const command = new CommandIdle(`cat '${file}'`)
  assert.deepEqual(await command.probe(), { works: true, detail: `'cat '${file}'': idle 13 s` })
  assert.equal(await command.idleMs(), 12_500)
  await writeFile(file, '0\n')
  assert.equal(await command.idleMs(), 0)
})

test('--idle-command: failures and hangs are unavailable with the reason, and a hang is killed in time', async () => {
  const file = await idleFile()
  const missing = await new CommandIdle(`cat '${file}'`).probe()
  assert.equal(missing.works, false)
  assert.match(missing.detail, /exited with status 1: cat: .*No such file/)
  assert.match((await new CommandIdle('echo busy').probe()).detail, /printed 'busy', not seconds/)
  assert.match((await new CommandIdle('no-such-idle-tool-here').probe()).detail, /command not found/)
  const started = Date.now()
  const hang = await new CommandIdle('sleep 5; echo 1', 200).probe()
  assert.match(hang.detail, /gave no answer within 200 ms/)
  assert.ok(Date.now() - started < 3_000, 'killed, not waited for')
})

test('runCommand: a missing program is said to be missing', async () => {
  await assert.rejects(runCommand('no-such-program-here', []), /no-such-program-here is not installed/)
  assert.equal(await runCommand('sh', ['-c', 'echo ok']), 'ok\n')
})

test('selection: an idle command replaces the built-in backends and stays in use while it fails', async () => {
  const file = await idleFile()
  const selection = await selectIdleBackend({ idleCommand: `cat '${file}'` })
  try {
    assert.equal(selection.backend?.name, 'idle command')
    assert.equal(selection.probes.length, 1)
    assert.match(selection.summary, /^idle detection: idle command: .*No such file.* \(none works here\)$/)
    assert.match((await selection.source.readIdle() as { unavailable: string }).unavailable, /^idle command: /)
    await writeFile(file, '300')
    assert.deepEqual(await selection.source.readIdle(), { idleMs: 300_000 })
  } finally {
    selection.close()
  }
})
