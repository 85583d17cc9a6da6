/** The human-readable table of `npm run bench`: each figure, its reference, the ratio and the target. */

interface Row {
  readonly figure: string
  readonly value: string
  readonly reference: string
  readonly ratio: string
  readonly target: string
}

const fixed = (value: unknown, digits = 2): string => typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '-'

export function printTable (s: Record<string, any>): void {
  const rows: Row[] = []
  if (s.dispatchP50Ms != null) {
    rows.push({ figure: 'dispatch p50 (lease + submit)', value: `${fixed(s.dispatchP50Ms, 3)} ms`, reference: `TCP round trip ${fixed(s.tcpRoundTripP50Ms, 3)} ms`, ratio: fixed(s.dispatchOverTcp, 1), target: '<= 1 ms (bar 2)' })
    rows.push({ figure: 'dispatch p99', value: `${fixed(s.dispatchP99Ms, 3)} ms`, reference: `TCP p99 ${fixed(s.tcpRoundTripP99Ms, 3)} ms`, ratio: '', target: '' })
  }
  if (s.reassignMs != null) {
    rows.push({ figure: 'reassign (SIGKILL -> leased again)', value: `${fixed(s.reassignMs, 1)} ms`, reference: `detect ${fixed(s.detectMs, 1)} ms, max ${fixed(s.reassignMaxMs, 1)} ms`, ratio: '', target: '<= 100 ms (bar 500)' })
  }
  for (const point of s.scaling ?? []) {
    rows.push({ figure: `scaling ${point.volunteers} volunteers`, value: `${fixed(point.wallMs, 0)} ms`, reference: `ideal ${fixed(point.idealMs, 0)} ms`, ratio: `eff ${fixed(point.efficiency, 3)}`, target: point.volunteers === 8 ? '>= 0.95 (bar 0.9)' : '' })
  }
  if (s.transferMBps != null) {
    rows.push({ figure: 'blob transfer, loopback (noise + yamux)', value: `${fixed(s.transferMBps, 0)} MB/s`, reference: `raw TCP ${fixed(s.tcpTransferMBps, 0)} MB/s`, ratio: fixed(s.transferRatio, 3), target: '>= 0.5 (bar 0.3)' })
    rows.push({ figure: 'bare libp2p stream (noise + yamux)', value: `${fixed(s.libp2pStreamMBps, 0)} MB/s`, reference: 'blob over stream', ratio: fixed(s.transferOverStream, 3), target: '' })
    rows.push({ figure: 'blob transfer into the blob store', value: `${fixed(s.transferStoreMBps, 0)} MB/s`, reference: '', ratio: '', target: '' })
  }
  if (s.transferLinkMBps != null) {
    rows.push({ figure: `blob transfer, ${s.linkMbit} Mbit/s link`, value: `${fixed(s.transferLinkMBps, 0)} MB/s`, reference: `raw TCP ${fixed(s.tcpLinkMBps, 0)} MB/s`, ratio: fixed(s.transferLinkRatio, 3), target: '' })
  }
  if (s.storeWritesPerSec != null) {
    rows.push({ figure: `store writes (1 KiB results + receipts), ${s.storeSubmitters} at once`, value: `${fixed(s.storeWritesPerSec, 0)} /s`, reference: `one at a time ${fixed(s.storeWritesSerialPerSec, 0)} /s`, ratio: fixed(s.storeWritesPerSec / s.storeWritesSerialPerSec, 1), target: '>= 100000 /s' })
  }
  if (s.matmulGflops != null) {
    rows.push({ figure: `matmul ${s.matmulSize}^3 (${s.matmulBackend})`, value: `${fixed(s.matmulGflops, 1)} GFLOPS`, reference: s.cublasGflops != null ? `cuBLAS ${fixed(s.cublasGflops, 0)}` : `CPU ${fixed(s.matmulCpuGflops, 2)} GFLOPS`, ratio: s.cublasFraction != null ? fixed(s.cublasFraction, 2) : fixed(s.matmulGflops / s.matmulCpuGflops, 1), target: s.cublasFraction != null ? '>= 0.5 of cuBLAS' : '' })
  }
  if (s.endToEndEfficiency != null) {
    rows.push({ figure: `end to end matmul ${s.endToEndSize}^3, ${s.endToEndVolunteers} volunteers`, value: `${fixed(s.endToEndWallMs, 0)} ms`, reference: `compute ${fixed(s.endToEndComputeMs, 0)} ms`, ratio: `eff ${fixed(s.endToEndEfficiency, 3)}`, target: '' })
  }
  if (s.computeBoundEfficiency != null) {
    rows.push({ figure: `compute-bound wgsl (Monte Carlo), ${s.computeBoundVolunteers} volunteers, ${s.computeBoundChunks} chunks`, value: `${fixed(s.computeBoundWallMs, 0)} ms`, reference: `compute ${fixed(s.computeBoundComputeMs, 0)} ms`, ratio: `eff ${fixed(s.computeBoundEfficiency, 3)}`, target: '>= 0.9' })
  }
  if (s.meshVsLocal != null) {
    rows.push({ figure: `mesh vs local (Monte Carlo), 1 volunteer, ${s.meshVsLocalChunks} chunks`, value: `${fixed(s.meshVsLocalMeshMs, 0)} ms`, reference: `same device, no network ${fixed(s.meshVsLocalLocalMs, 0)} ms`, ratio: fixed(s.meshVsLocal, 3), target: '>= 0.9' })
    rows.push({ figure: 'mesh vs local: device busy in the mesh run', value: `${fixed(s.meshVsLocalMeshComputeMs, 0)} ms`, reference: `of ${fixed(s.meshVsLocalMeshMs, 0)} ms wall`, ratio: fixed(s.meshVsLocalDeviceBusy, 3), target: '' })
  }
  if (s.roundsPerMinute1 != null) {
    const km = s.roundsKmeans
    rows.push({ figure: `kmeans rounds (${km.points} x ${km.dims}, k ${km.k}, ${km.chunksPerRound} chunks), ${km.volunteers} volunteers`, value: `${fixed(s.roundsPerMinute4, 1)} /min`, reference: `1 volunteer ${fixed(s.roundsPerMinute1, 1)} /min`, ratio: fixed(s.roundsSpeedup4, 2), target: '' })
    rows.push({ figure: 'round close -> next round\'s first lease', value: `${fixed(s.roundTransitionMedianMs, 1)} ms`, reference: `max ${fixed(s.roundTransitionMaxMs, 1)} ms; devices idle ${fixed(s.roundBarrierIdleMs, 1)} ms`, ratio: '', target: '< 50 ms' })
    rows.push({ figure: `FedAvg softmax test accuracy, ${s.fedavg.volunteers} volunteers`, value: fixed(s.fedavgAccuracy, 4), reference: `centralised ${fixed(s.centralisedAccuracy, 4)}`, ratio: `gap ${fixed(s.fedavgAccuracyGap, 4)}`, target: '' })
  }
  if (s.holePunchMs != null) {
    rows.push({ figure: `hole punch through two NATs (median of ${s.holePunchTriesMs.length})`, value: `${fixed(s.holePunchMs, 0)} ms`, reference: `tries ${s.holePunchTriesMs.map((ms: number) => fixed(ms, 0)).join(', ')} ms`, ratio: '', target: '' })
    rows.push({ figure: `chunks over the direct path (matmul ${s.natMatmulSize}, ${fixed(s.natBytesPerChunk / 1024, 0)} KiB a chunk)`, value: `${fixed(s.directChunksPerSec, 1)} /s`, reference: `a relay's default limits: ${fixed(s.relayChunksPerSec, 4)} /s`, ratio: s.relayedVsDirect == null ? 'relay: none' : fixed(s.relayedVsDirect, 0), target: '' })
  }
  if (s.natSkipped != null) rows.push({ figure: 'nat (two labs behind NATs)', value: 'skipped', reference: s.natSkipped, ratio: '', target: '' })
  const headers: Row = { figure: 'figure', value: 'value', reference: 'reference', ratio: 'ratio', target: 'target' }
  const keys = Object.keys(headers) as Array<keyof Row>
  const widths = keys.map(key => Math.max(...[headers, ...rows].map(row => row[key].length)))
  for (const row of [headers, ...rows]) console.log(keys.map((key, i) => row[key].padEnd(widths[i])).join('  ').trimEnd())
  console.log(`${s.quick === true ? 'quick' : 'full'} run, ${fixed(s.seconds, 0)} s on ${s.machine.cpus} x ${s.machine.cpu}, node ${s.machine.node}`)
}
