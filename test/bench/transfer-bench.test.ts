import assert from 'node:assert/strict'
import { test } from 'node:test'
import { benchTransfer } from '../../bench/transfer.ts'

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
