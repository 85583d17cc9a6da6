import { chunkKey, type MeshStore } from '../../store/store.ts'
import { Receipt as ReceiptMessage, SignedReceipt } from '../../protocols/work/index.ts'
import type { Receipt } from '../metrics.ts'

/**
 * Receipts this peer earned as a volunteer live in the ledger under
 * `earned/<chunkKey(projectId, chunk)>` as encoded SignedReceipts, checked
 * against the researcher's key before they were stored.
 */
export function earnedReceiptKey (projectId: string, chunk: number): string {
  return `earned/${chunkKey(projectId, chunk)}`
}

/** Every receipt this peer earned, as the figures count them. */
export async function listEarnedReceipts (store: Pick<MeshStore, 'ledger'>): Promise<Receipt[]> {
  const receipts: Receipt[] = []
  for await (const bytes of store.ledger.values({ gt: 'earned/', lt: 'earned/\xff' })) {
    try {
      const { projectId, chunk, volunteer, flops, computeMs, issuedAt } = ReceiptMessage.decode(SignedReceipt.decode(bytes).receipt)
      receipts.push({ projectId, chunk, volunteer, flops, computeMs, issuedAt })
    } catch {
      // A record this version cannot read is skipped, not fatal.
    }
  }
  return receipts
}
