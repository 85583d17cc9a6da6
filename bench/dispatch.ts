import { LeaseStatus, ResultStatus } from '../src/protocols/work/index.ts'
import { publishFixedTime } from './lib/projects.ts'
import { connect, startPeer, startResearcher, stopPeers, type BenchPeer } from './lib/peers.ts'
import { nowMs, percentile } from './lib/stats.ts'
import { tcpRoundTrip } from './lib/tcp-reference.ts'

export interface DispatchOptions {
  readonly iterations: number
  readonly warmup: number
}

export interface DispatchFigures {
  readonly dispatchP50Ms: number
  readonly dispatchP99Ms: number
  readonly leaseP50Ms: number
  readonly submitP50Ms: number
  readonly tcpRoundTripP50Ms: number
  readonly tcpRoundTripP99Ms: number
  readonly dispatchSamples: number
}

/**
 * Dispatch latency: one volunteer peer leases an empty chunk (one row of one
 * float) from a researcher over an open connection and submits its result,
 * through the real work protocol and coordinator (verification, the LevelDB
 * batch, a signed receipt). The coordinator's per-peer lease rate limit is
 * lifted here: this measures latency, one request at a time.
 */
export async function benchDispatch (options: DispatchOptions): Promise<DispatchFigures> {
  let researcher: BenchPeer | undefined
  let volunteer: BenchPeer | undefined
  try {
    researcher = await startResearcher({ leaseRequestsPerSecond: 1e9 })
    volunteer = await startPeer()
    const total = options.warmup + options.iterations
    const manifest = await publishFixedTime(researcher, { chunks: total, cols: 1, chunkMs: 0 })
    await connect(volunteer, researcher)
    const owner = researcher.node.peerId
    const service = volunteer.node.services.work
    const dispatch: number[] = []
    const lease: number[] = []
    const submit: number[] = []
    for (let i = 0; i < total; i++) {
      const started = nowMs()
      const { answer } = await service.lease(owner, { projectId: manifest.id, device: 'bench', gflops: 0 })
      const leased = nowMs()
      if (answer.status !== LeaseStatus.LEASED || answer.lease == null) throw new Error(`lease ${i}: status ${answer.status} ${answer.message}`)
      const value = new DataView(answer.lease.rows.buffer, answer.lease.rows.byteOffset, 4).getFloat32(0, true)
      const result = new Uint8Array(Float32Array.of(value * 2).buffer)
      const { answer: submitted } = await service.submit(owner, { leaseId: answer.lease.leaseId, result, computeMs: 0, fetchMs: 0, blobBytes: 0 })
      const done = nowMs()
      if (submitted.status !== ResultStatus.VERIFIED) throw new Error(`result ${i}: status ${submitted.status} ${submitted.message}`)
      if (i < options.warmup) continue
      dispatch.push(done - started)
      lease.push(leased - started)
      submit.push(done - leased)
    }
    // The same payload size as the lease answer, one request and one response per round trip.
    const tcp = await tcpRoundTrip({ size: 128, iterations: options.iterations, warmup: options.warmup })
    return {
      dispatchP50Ms: percentile(dispatch, 50),
      dispatchP99Ms: percentile(dispatch, 99),
      leaseP50Ms: percentile(lease, 50),
      submitP50Ms: percentile(submit, 50),
      tcpRoundTripP50Ms: tcp.p50Ms,
      tcpRoundTripP99Ms: tcp.p99Ms,
      dispatchSamples: dispatch.length
    }
  } finally {
    await stopPeers([volunteer, researcher])
  }
}
