import { KernelInputError, type Kernel } from '../kernel.ts'
import { mapKernel } from './map/index.ts'
import { matmulKernel } from './matmul/index.ts'

/** Every kernel a project can name. Volunteers run only these. */
export const builtinKernels: readonly Kernel<any>[] = [matmulKernel, mapKernel]

export function getKernel (id: string): Kernel<any> {
  const kernel = builtinKernels.find(k => k.id === id)
  if (kernel == null) {
    throw new KernelInputError(`unknown kernel '${id}' (expected one of: ${builtinKernels.map(k => k.id).join(', ')})`)
  }
  return kernel
}
