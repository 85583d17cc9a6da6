import { test } from 'node:test'
import assert from 'node:assert/strict'
import { classifyNat, type Observation } from '../../../src/node/network/nat-behaviour.ts'

const seen = (observerHost: string, observedPort: number, localPort: number | undefined, at = 1): Observation => ({
  observer: `peer-${observerHost}`, observerHost, observedHost: '203.1.1.1', observedPort, ...(localPort != null ? { localPort } : {}), at
})

test('given no observation, the NAT is unknown', () => {
  assert.equal(classifyNat([], []).kind, 'unknown')
})

test('given an observed address that is one of our own, there is no NAT', () => {
  const nat = classifyNat([{ ...seen('11.0.0.1', 4001, 4001), observedHost: '11.0.0.9' }], ['11.0.0.9'])
  assert.equal(nat.kind, 'none')
  assert.equal(nat.holePunching, true)
})

test('given every observer sees the local port, the mapping is port-preserving; two observers confirm it is endpoint-independent', () => {
  const one = classifyNat([seen('11.0.0.1', 4001, 4001)], [])
  assert.equal(one.kind, 'port-preserving')
  assert.match(one.text, /1 observer; a second public peer/)
  const two = classifyNat([seen('11.0.0.1', 4001, 4001), seen('11.0.0.2', 4001, 4001, 2)], [])
  assert.equal(two.kind, 'port-preserving')
  assert.match(two.text, /endpoint-independent mapping \(2 observers\)/)
  assert.deepEqual(two.external, ['203.1.1.1:4001'])
})

test('given two observers see one other port, the mapping is endpoint-independent; one observer only says the port changes', () => {
  assert.equal(classifyNat([seen('11.0.0.1', 5555, 4001), seen('11.0.0.2', 5555, 4001)], []).kind, 'endpoint-independent')
  const one = classifyNat([seen('11.0.0.1', 5555, 4001)], [])
  assert.equal(one.kind, 'port-changing')
  assert.equal(one.holePunching, false)
})

test('given two observers see different ports for one local port, the NAT is symmetric', () => {
  const nat = classifyNat([seen('11.0.0.1', 10623, 4001), seen('11.0.0.2', 31871, 4001, 2)], [])
  assert.equal(nat.kind, 'symmetric')
  assert.equal(nat.holePunching, false)
  assert.deepEqual(nat.external, ['203.1.1.1:31871', '203.1.1.1:10623'], 'newest first')
})

test('given observations without a known local port, the mapping is not known', () => {
  assert.equal(classifyNat([seen('11.0.0.1', 10623, undefined)], []).kind, 'unknown')
})
