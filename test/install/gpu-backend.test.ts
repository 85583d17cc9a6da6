import assert from 'node:assert/strict'
import { test } from 'node:test'
import { coreBackend } from '../../src/compute/device/select.ts'

/**
 * The core adapter `mesh gpu` reports on each platform the package installs
 * on: Metal on macOS, D3D12 on Windows, Vulkan on Linux (and elsewhere).
 * Names as Dawn's `backend=` toggle takes them and `mesh gpu --json` prints them.
 */
test('the core backend is Metal on macOS, D3D12 on Windows and Vulkan on Linux', () => {
  assert.equal(coreBackend('darwin'), 'metal')
  assert.equal(coreBackend('win32'), 'd3d12')
  assert.equal(coreBackend('linux'), 'vulkan')
  assert.equal(coreBackend('freebsd'), 'vulkan')
  assert.equal(coreBackend(), coreBackend(process.platform))
})
