import type { Coordinator } from './coordinator.ts'
import type { WorkHandler } from '../../protocols/work/index.ts'

/** The coordinator as the work protocol's application handler: one line per request kind. */
export function workHandlerFor (coordinator: Coordinator): WorkHandler {
  return {
    lease: async (peer, request, context) => await coordinator.leaseNextChunk(peer, request, context),
    result: async (peer, request, context) => await coordinator.acceptResult(peer, request, context),
    heartbeat: async (peer, request) => coordinator.renewLeases(peer, request),
    release: async (peer, request) => coordinator.releaseLeases(peer, request),
    takeReceipts: (peer, max) => coordinator.takeReceipts(peer, max),
    resultBytesAllowed: peer => coordinator.resultBytesAllowed(peer)
  }
}
