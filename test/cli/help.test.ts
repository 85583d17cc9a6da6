import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runMesh } from '../helpers/run-mesh.ts'

test('mesh --version prints the package version', async () => {
  const { code, stdout } = await runMesh(['--version'])
  assert.equal(code, 0)
  assert.match(stdout.trim(), /^\d+\.\d+\.\d+$/)
})

test('mesh --help lists the commands and global options', async () => {
  const { code, stdout } = await runMesh(['--help'])
  assert.equal(code, 0)
  assert.match(stdout, /usage: mesh/)
  assert.match(stdout, /--data-dir DIR/)
})

test('an unknown command exits 2 with one line naming it', async () => {
  const { code, stderr } = await runMesh(['frobnicate'])
  assert.equal(code, 2)
  assert.equal(stderr.trim().split('\n').length, 1)
  assert.match(stderr, /unknown command 'frobnicate'/)
})

test('no command without a terminal exits 2 instead of opening the UI', async () => {
  const { code, stderr } = await runMesh([])
  assert.equal(code, 2)
  assert.match(stderr, /no terminal/)
})
