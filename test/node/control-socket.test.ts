import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ControlServer } from '../../src/node/control/control-server.ts'
import { callRunningPeer, ControlCallError } from '../../src/node/control/control-client.ts'
import { controlSocketPath } from '../../src/node/control/constants.ts'

test('a command reaches the running peer through the control socket, and errors come back by name', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-control-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  // Given a stale socket file of a dead peer, the new server replaces it.
  await writeFile(controlSocketPath(dir), '')
  const server = await ControlServer.listen(dir, {
    status: async () => ({ projects: 2 }),
    fail: async () => { const err = new Error('no such project'); err.name = 'InputError'; throw err }
  })
  try {
    assert.deepEqual(await callRunningPeer(dir, 'status'), { result: { projects: 2 } })
    await assert.rejects(callRunningPeer(dir, 'fail'), (err: any) => err instanceof ControlCallError && err.errorName === 'InputError' && /no such project/.test(err.message))
    await assert.rejects(callRunningPeer(dir, 'nope'), /unknown control method 'nope'/)
  } finally {
    await server.close()
  }
  // When no peer runs, callers learn it and open the store themselves.
  assert.equal(await callRunningPeer(dir, 'status'), undefined)
})
