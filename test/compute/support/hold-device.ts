// Opens the compute device, prints its process id, and waits to be killed.
import { openComputeDevice, type ProcessComputeDevice } from '../../../src/compute/device.ts'

const device = await openComputeDevice({ loopFallback: false }) as ProcessComputeDevice
process.stdout.write(`${device.pid}\n`)
setInterval(() => {}, 60_000)
