import type { ComputeDevice } from '../src/compute/device.ts'
import type { Matrix } from '../src/compute/data/matrix.ts'
import { planChunks } from '../src/compute/kernel.ts'
import { getKernel } from '../src/compute/kernels/index.ts'
import { STATE_INPUT } from '../src/compute/rounds.ts'
import type { ProjectSpec } from '../src/node/publish/project-builder.ts'
import { accuracy, trainCentralised } from '../test/support/centralised-train.ts'
import { examplesOf } from '../test/support/fedavg-simulation.ts'
import type { BenchPeer } from './lib/peers.ts'
import { runProject } from './lib/project-run.ts'
import { RoundTimeline, summariseTransitions, type RoundTransition, type TransitionFigures } from './lib/round-timeline.ts'
import { gaussianBlobs, kmeansOnCpu, maxAbsDiff } from './lib/rounds-data.ts'
import { exportedSoftmax, exportedState, inputOf, publishKmeans, publishTrain, softmaxOf, type TrainProjectOptions } from './lib/rounds-projects.ts'
import { withSession } from './lib/session.ts'
import { nowMs } from './lib/stats.ts'

export interface KmeansSize {
  readonly points: number
  readonly dims: number
  readonly k: number
  readonly rounds: number
  readonly chunksPerRound: number
}

export interface RoundsOptions {
  /** Volunteers of the second k-means run and of FedAvg (the first k-means run has one). */
  readonly volunteers: number
  readonly kmeans: KmeansSize
  readonly train: Omit<TrainProjectOptions, 'seed'>
}

export interface RoundsFigures {
  /** k-means rounds per minute, first lease to project done, on 1 and on `volunteers` volunteers: same points, same rounds. */
  readonly roundsPerMinute1: number
  readonly roundsPerMinute4: number
  /** rate(volunteers) / rate(1). */
  readonly roundsSpeedup4: number
  /** Sum of the chunks' compute time per round on 1 volunteer: the device's share of a round. */
  readonly roundsComputeMsPerRound1: number
  readonly roundsComputeMsPerRound4: number
  readonly roundsKmeans: KmeansSize & { readonly rowsPerChunk: number, readonly volunteers: number }
  /** The centroids exported by the run on 1 and on 4 volunteers: the same chunks fold in the same order, so 0 is expected. */
  readonly roundsKmeansRunsMaxDiff: number
  /** The 4-volunteer centroids against the kernel's CPU reference run round by round on this machine. */
  readonly roundsKmeansCpuMaxDiff: number
  /** A round's close (its closedAt) to the next round's first lease, over the transitions of every project of the run. */
  readonly roundTransitionMedianMs: number
  readonly roundTransitionMaxMs: number
  /** Its parts' medians: the checkpoint batch, the state blob and round:closed, the next lease request answered. */
  readonly roundTransitionWriteMs: number
  readonly roundTransitionWriteMaxMs: number
  readonly roundTransitionCloseMs: number
  readonly roundTransitionLeaseMs: number
  readonly roundTransitionLeaseMaxMs: number
  /** Beyond the transition, medians: the round's last compute to its last verified chunk (hand-ins draining), and the next round's first lease to its first compute (the new state fetched). */
  readonly roundDrainMs: number
  readonly roundStartMs: number
  /** The round's last compute to the next round's first compute: what the round barrier costs the devices. */
  readonly roundBarrierIdleMs: number
  readonly roundTransitions: number
  /** The project done on the researcher to every volunteer's run of it ended, the longest of the run's projects. */
  readonly roundsVolunteersDoneAfterMs: number
  readonly roundTransitionByProject: Record<string, TransitionFigures>
  /** Test accuracy of the FedAvg softmax model (through the mesh) minus that of centralised SGD of the same model, epochs, lr and batch. */
  readonly fedavgAccuracyGap: number
  readonly fedavgAccuracy: number
  readonly centralisedAccuracy: number
  readonly fedavg: Omit<TrainProjectOptions, 'seed'> & { readonly epochs: number, readonly volunteers: number }
}

const KMEANS_SPREAD = 4
const DATA_SEED = 2025
const TRAIN_SEED = 7
/** Seeds the centralised baseline's epoch shuffles (its own generator; the mesh's are Philox). */
const CENTRALISED_SEED = 3
/** The mesh's centroids may differ from the CPU reference's by fp32 summation order only: a reassigned point would move one by ~1 / its cluster size. */
const CPU_TOLERANCE = 1e-3

/**
 * Rounds projects on real peers (a researcher with a Coordinator and
 * volunteers with the volunteer loop, each with this machine's compute device
 * in its own process, on loopback): k-means rounds per minute on 1 and on 4
 * volunteers, how long the mesh takes from one round's close to the next
 * round's first lease, and FedAvg's test accuracy against centralised
 * training of the same model.
 */
export async function benchRounds (options: RoundsOptions): Promise<RoundsFigures> {
  return await withSession(async session => {
    const devices = await Promise.all(Array.from({ length: options.volunteers }, async () => await session.openDevice()))
    const researcher = await session.startResearcher()
    const volunteers: BenchPeer[] = []
    for (const device of devices) volunteers.push(await session.startVolunteer(researcher, device))
    const transitions: Record<string, RoundTransition[]> = {}
    const doneAfterMs: number[] = []

    const { kmeans } = options
    const points = gaussianBlobs(kmeans.points, kmeans.dims, kmeans.k, KMEANS_SPREAD, DATA_SEED)
    const rowsPerChunk = Math.ceil(kmeans.points / kmeans.chunksPerRound)
    const runKmeans = async (on: readonly BenchPeer[]): Promise<{ perMinute: number, computeMsPerRound: number, centroids: Matrix, spec: ProjectSpec }> => {
      const name = `kmeans-${on.length}`
      const { manifest, spec } = await publishKmeans(researcher, points, { k: kmeans.k, rounds: kmeans.rounds, rowsPerChunk, seed: DATA_SEED, name })
      // Each device compiles the program before the clock starts, as a volunteer that computed a round already has.
      await warmUp(devices.slice(0, on.length), spec, rowsPerChunk)
      const { run, list, doneAfterMs: after } = await timedRun(researcher, on, manifest)
      transitions[name] = list
      doneAfterMs.push(after)
      const perMinute = kmeans.rounds * 60_000 / run.leasedWallMs
      console.error(`  rounds: ${name}: ${kmeans.rounds} rounds of ${manifest.chunkCount} chunks (${kmeans.points} x ${kmeans.dims}, k ${kmeans.k}) in ${run.leasedWallMs.toFixed(0)} ms: ` +
        `${perMinute.toFixed(1)} rounds/min, ${(run.computeMs / kmeans.rounds).toFixed(0)} ms compute a round; chunks per volunteer ${run.summaries.map(s => s.chunksComputed).join(' ')}`)
      return { perMinute, computeMsPerRound: run.computeMs / kmeans.rounds, centroids: await exportedState(researcher, manifest.id), spec }
    }
    const one = await runKmeans(volunteers.slice(0, 1))
    const four = await runKmeans(volunteers)
    const cpu = kmeansOnCpu(points, inputOf(four.spec, STATE_INPUT), rowsPerChunk, kmeans.rounds)
    const runsDiff = maxAbsDiff(one.centroids.data, four.centroids.data)
    const cpuDiff = maxAbsDiff(four.centroids.data, cpu)
    console.error(`  rounds: centroids on 1 vs ${options.volunteers} volunteers differ by ${runsDiff}, from the CPU reference by ${cpuDiff}`)
    if (!(cpuDiff <= CPU_TOLERANCE)) throw new Error(`rounds: the mesh's k-means centroids differ from the CPU reference by ${cpuDiff}`)

    const fedavg = await runFedAvg(researcher, volunteers, options.train)
    transitions.train = fedavg.transitions
    doneAfterMs.push(fedavg.doneAfterMs)

    const all = summariseTransitions(Object.values(transitions).flat())
    console.error(`  rounds: round end to next lease: median ${all.medianMs.toFixed(1)} ms, max ${all.maxMs.toFixed(1)} ms over ${all.transitions} transitions ` +
      `(checkpoint ${all.writeMedianMs.toFixed(1)} ms, state blob ${all.closeMedianMs.toFixed(2)} ms, next lease ${all.leaseMedianMs.toFixed(2)} ms, at most ${all.leaseMaxMs.toFixed(1)} ms); ` +
      `devices idle ${all.idleMedianMs.toFixed(1)} ms a round end (hand-ins draining ${all.drainMedianMs.toFixed(1)} ms, new state fetched ${all.startMedianMs.toFixed(1)} ms); ` +
      `volunteers done ${doneAfterMs.map(ms => ms.toFixed(0)).join(', ')} ms after their projects`)
    return {
      roundsPerMinute1: one.perMinute,
      roundsPerMinute4: four.perMinute,
      roundsSpeedup4: four.perMinute / one.perMinute,
      roundsComputeMsPerRound1: one.computeMsPerRound,
      roundsComputeMsPerRound4: four.computeMsPerRound,
      roundsKmeans: { ...kmeans, rowsPerChunk, volunteers: options.volunteers },
      roundsKmeansRunsMaxDiff: runsDiff,
      roundsKmeansCpuMaxDiff: cpuDiff,
      roundTransitionMedianMs: all.medianMs,
      roundTransitionMaxMs: all.maxMs,
      roundTransitionWriteMs: all.writeMedianMs,
      roundTransitionWriteMaxMs: all.writeMaxMs,
      roundTransitionCloseMs: all.closeMedianMs,
      roundTransitionLeaseMs: all.leaseMedianMs,
      roundTransitionLeaseMaxMs: all.leaseMaxMs,
      roundDrainMs: all.drainMedianMs,
      roundStartMs: all.startMedianMs,
      roundBarrierIdleMs: all.idleMedianMs,
      roundTransitions: all.transitions,
      roundsVolunteersDoneAfterMs: Math.max(...doneAfterMs),
      roundTransitionByProject: Object.fromEntries(Object.entries(transitions).map(([name, list]) => [name, summariseTransitions(list)])),
      fedavgAccuracyGap: fedavg.federated - fedavg.centralised,
      fedavgAccuracy: fedavg.federated,
      centralisedAccuracy: fedavg.centralised,
      fedavg: { ...options.train, epochs: options.train.rounds * options.train.localEpochs, volunteers: options.volunteers }
    }
  })
}

/** Runs a published rounds project to the end on `volunteers`, recording its round transitions. */
async function timedRun (researcher: BenchPeer, volunteers: readonly BenchPeer[], manifest: Parameters<typeof runProject>[2]): Promise<{ run: Awaited<ReturnType<typeof runProject>>, list: RoundTransition[], doneAfterMs: number }> {
  const timeline = new RoundTimeline(researcher.coordinator!.events, volunteers.map(v => v.volunteer!.events), manifest.id, manifest.chunkCount)
  try {
    const started = nowMs()
    const run = await runProject(researcher, volunteers, manifest)
    // runProject returns once every volunteer's join has: what it took past the project's end is how long they took to hear of it.
    return { run, list: timeline.transitions(), doneAfterMs: nowMs() - started - run.wallMs }
  } finally {
    timeline.stop()
  }
}

/** The spec's first chunk of round 0 on each device. */
async function warmUp (devices: readonly ComputeDevice[], spec: ProjectSpec, rowsPerChunk: number): Promise<void> {
  const kernel = getKernel(spec.kernel)
  const data = inputOf(spec, kernel.splitInput)
  const state = inputOf(spec, STATE_INPUT)
  const range = planChunks(data.rows, rowsPerChunk)[0]!
  const work = {
    kernel: spec.kernel,
    params: kernel.parseParams(spec.params),
    range,
    rows: data.data.subarray(0, range.rowEnd * data.cols),
    rowCols: data.cols,
    shared: { [STATE_INPUT]: { data: state.data, rows: state.rows, cols: state.cols } },
    round: 0
  }
  for (const device of devices) await device.run(work)
}

/**
 * FedAvg of a softmax classifier on every volunteer through the mesh, then
 * the same model (initial weights, epochs = rounds x local epochs, lr,
 * batch) trained centrally on the CPU (test/support/centralised-train.ts);
 * both scored on the held-out rows.
 */
async function runFedAvg (researcher: BenchPeer, volunteers: readonly BenchPeer[], options: Omit<TrainProjectOptions, 'seed'>): Promise<{ federated: number, centralised: number, transitions: RoundTransition[], doneAfterMs: number }> {
  const { manifest, spec } = await publishTrain(researcher, { ...options, seed: TRAIN_SEED })
  const { run, list, doneAfterMs } = await timedRun(researcher, volunteers, manifest)
  const test = examplesOf(inputOf(spec, 'test'))
  const federated = accuracy(await exportedSoftmax(researcher, manifest.id), test)
  const baseline = trainCentralised(softmaxOf(inputOf(spec, STATE_INPUT)), examplesOf(inputOf(spec, 'data')), {
    epochs: options.rounds * options.localEpochs, batch: options.batch, lr: options.lr, seed: CENTRALISED_SEED
  })
  const centralised = accuracy(baseline, test)
  console.error(`  rounds: FedAvg softmax, ${options.rounds} rounds x ${options.localEpochs} local epochs on ${volunteers.length} volunteers (${manifest.chunkCount} shards of ${options.rowsPerChunk} rows) ` +
    `in ${run.leasedWallMs.toFixed(0)} ms: test accuracy ${federated.toFixed(4)}, centralised ${centralised.toFixed(4)}`)
  return { federated, centralised, transitions: list, doneAfterMs }
}
