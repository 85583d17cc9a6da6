import { KernelInputError, type Kernel } from '../kernel.ts'
import { kmeansKernel } from './kmeans/index.ts'
import { mapKernel } from './map/index.ts'
import { matmulKernel } from './matmul/index.ts'
import { trainKernel } from './train/index.ts'
import { wgslKernel } from './wgsl/index.ts'

/** Every kernel a project can name. Volunteers run only these. */
export const builtinKernels: readonly Kernel<any>[] = [matmulKernel, mapKernel, wgslKernel, kmeansKernel, trainKernel]

/** Kernels added at run time by this process only (the benchmarks' fixed-time kernel); the CLI adds none. */
const registeredKernels: Array<Kernel<any>> = []

/** Makes `kernel` known to getKernel in this process; an id already known is refused. */
export function registerKernel (kernel: Kernel<any>): void {
  if ([...builtinKernels, ...registeredKernels].some(k => k.id === kernel.id)) {
    throw new KernelInputError(`a kernel '${kernel.id}' is already registered`)
  }
  registeredKernels.push(kernel)
}

export function getKernel (id: string): Kernel<any> {
  const known = [...builtinKernels, ...registeredKernels]
  const kernel = known.find(k => k.id === id)
  if (kernel == null) {
    throw new KernelInputError(`unknown kernel '${id}' (expected one of: ${known.map(k => k.id).join(', ')})`)
  }
  return kernel
}
