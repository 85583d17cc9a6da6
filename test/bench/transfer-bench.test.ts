import assert from 'node:assert/strict'
import { test } from 'node:test'
import { benchTransfer, benchTransferOnLink } from '../../bench/transfer.ts'

test('the transfer benchmark moves the blob to a fetcher in another process and reports every figure next to raw TCP', async () => {
  const bytes = 6 * 1024 * 1024 + 123
  const figures = await benchTransfer({ bytes, repeats: 1 })
  assert.equal(figures.transferBytes, bytes)
  for (const key of ['transferMBps', 'libp2pStreamMBps', 'tcpTransferMBps', 'transferStoreMBps', 'transferRatio', 'transferOverStream'] as const) {
    assert.ok(Number.isFinite(figures[key]) && figures[key] > 0, `${key} = ${figures[key]}`)
  }
  assert.equal(figures.transferRatio, figures.transferMBps / figures.tcpTransferMBps)
  console.log(`transfer bench (6 MiB): blob ${figures.transferMBps.toFixed(0)} MB/s, bare stream ${figures.libp2pStreamMBps.toFixed(0)}, TCP ${figures.tcpTransferMBps.toFixed(0)}`)
})

test('on a loopback shaped to a gigabit link, the transfer benchmark reports the blob protocol next to raw TCP on the same link', { skip: process.getuid?.() !== 0 ? 'a shaped link needs root' : false }, async () => {
  const figures = await benchTransferOnLink({ bytes: 8 * 1024 * 1024, repeats: 1 }, 1000)
  assert.ok(figures != null, 'the link was made (root, unshare and tc are here)')
  assert.equal(figures.linkMbit, 1000)
  for (const key of ['transferLinkMBps', 'tcpLinkMBps', 'transferLinkRatio'] as const) {
    assert.ok(Number.isFinite(figures[key]) && figures[key] > 0, `${key} = ${figures[key]}`)
  }
  // 1000 Mbit/s is 125 MB/s: the shaping took hold if TCP stays near it (burst allowance aside).
  assert.ok(figures.tcpLinkMBps < 250, `TCP on the shaped link moved ${figures.tcpLinkMBps} MB/s`)
  console.log(`transfer bench on a 1 Gbit/s link (8 MiB): blob ${figures.transferLinkMBps.toFixed(0)} MB/s, TCP ${figures.tcpLinkMBps.toFixed(0)}`)
})
