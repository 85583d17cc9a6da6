// Opens the compute device and runs one matmul chunk, then prints the
// result's length. argv[2]: the log file, or 'in-process' for the device in
// this process (whose Dawn output then lands on this process's stderr).
import { openComputeDevice } from '../../../src/compute/device.ts'
import { generateMatrix } from '../../../src/compute/data/generate.ts'

const target = process.argv[2]!
const device = await openComputeDevice(target === 'in-process' ? { inWorker: false } : { logFile: target })
const result = await device.run({ kernel: 'matmul', params: {}, range: { index: 0, rowStart: 0, rowEnd: 8 }, rows: generateMatrix(8, 8, 1).data, rowCols: 8, shared: { b: generateMatrix(8, 8, 2) } })
await device.destroy()
process.stdout.write(`${result.length}\n`)
